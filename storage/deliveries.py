"""Delivery bookkeeping: who sends to a channel now, what it has had, what is in flight to it, and
when a failed one retries. The guarantees these give are stated in README.md (Delivery).

- A channel is *claimed* before anything is sent to it: one conditional UPDATE of the channel's row
  in `delivery_failures` sets `next_try` to a lease (now + LEASE) and `holder` to this process,
  only where `next_try` is empty or past, or where the holder is a process of this machine that is
  surely gone (storage/holder.py: a killed run's claim is taken over at once). PostgreSQL row
  locks and SQLite's single writer make that UPDATE succeed for one run only; the other sees
  rowcount 0 and skips the channel. No transaction stays open while a message is sent.
- Before a message is handed to the channel, its story ids are written to the row (`in_flight`).
- A story is recorded delivered to a channel only after the channel accepted it, under the unique
  (story_id, channel) constraint, in the same transaction that clears `in_flight`.

So `in_flight` left set means the channel may have accepted the message, and migwatch cannot know:
the run died while sending, or the send timed out once the message was handed over (`uncertain`).
The next run resends exactly those stories, once, in a message of their own, before anything new
(flows/pipeline.deliver). A send the channel surely refused keeps no delivery and clears
`in_flight`; any failure sets `next_try` to an exponential back-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from monitors.errors import StorageError
from storage.holder import is_gone, this_process
from storage.sql import aware, guard, insert_for
from storage.tables import Delivery, DeliveryFailure

# Longer than any send can take (apprise's socket timeouts are seconds), short enough that a run
# that died mid-send does not hold its channel for long.
LEASE = timedelta(minutes=10)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)


def backoff(failures: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd, 4th failure in a row, at most 6 hours."""
    if failures <= 0:
        return timedelta(0)
    delay: timedelta = BACKOFF_BASE * (2 ** min(failures - 1, 20))
    return min(delay, BACKOFF_CAP)


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: str
    label: str
    failures: int
    last_error: str
    next_try: datetime | None
    holder: str | None = None
    in_flight: tuple[int, ...] = ()  # stories handed to the channel, acceptance not recorded


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of asking for a channel: `claimed`, or why not and until when."""

    claimed: bool
    state: ChannelState

    @property
    def reason(self) -> str:
        if self.claimed:
            return "claimed"
        until = self.state.next_try.strftime("%Y-%m-%d %H:%M UTC") if self.state.next_try else "?"
        if self.state.failures:
            return (
                f"backing off until {until} after {self.state.failures} failed attempt(s)"
                f" (last: {self.state.last_error})"
            )
        return f"another run is sending to it (until {until} at the latest)"


def _state(session: Session, channel: str) -> ChannelState | None:
    row = session.get(DeliveryFailure, channel)
    if row is None:
        return None
    session.refresh(row)
    return ChannelState(
        row.channel,
        row.channel_label,
        row.failures,
        row.last_error,
        aware(row.next_try),
        row.holder,
        tuple(int(i) for i in row.in_flight or ()),
    )


def channel_state(engine: Engine, channel: str) -> ChannelState | None:
    with guard("reading a channel's state"), Session(engine) as session:
        return _state(session, channel)


def claim_channel(engine: Engine, channel: str, label: str, now: datetime) -> Claim:
    """Claim `channel` for this process; at most one run holds it at a time (see the module doc)."""
    moment, me = aware(now), this_process()
    with guard("claiming a channel"), Session(engine) as session:
        session.execute(
            insert_for(engine, DeliveryFailure)
            .values(channel=channel, channel_label=label, failures=0, last_error="", next_try=None)
            .on_conflict_do_nothing(index_elements=["channel"])
        )
        session.commit()
        before = _state(session, channel)
        free = (col(DeliveryFailure.next_try).is_(None)) | (col(DeliveryFailure.next_try) <= moment)
        if before is not None and before.holder and is_gone(before.holder):
            free = free | (col(DeliveryFailure.holder) == before.holder)  # a killed run's claim
        result = session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel, free)
            .values(next_try=moment + LEASE, channel_label=label, holder=me)
        )
        session.commit()
        claimed = getattr(result, "rowcount", 0) == 1
        state = _state(session, channel)
    if state is None:  # the row was inserted above; only a concurrent DELETE could remove it
        raise StorageError(f"channel {label} vanished while being claimed")
    return Claim(claimed, state)


def start_sending(engine: Engine, channel: str, story_ids: Sequence[int]) -> bool:
    """Write down the stories about to be handed to `channel`, if this process still holds its
    claim; False when it does not (the lease ran out and another run took it: send nothing)."""
    with guard("recording a send"), Session(engine) as session:
        result = session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel, col(DeliveryFailure.holder) == this_process())
            .values(in_flight=list(story_ids))
        )
        session.commit()
    return getattr(result, "rowcount", 0) == 1


def release_delivered(
    engine: Engine,
    channel: str,
    label: str,
    story_ids: Sequence[int],
    now: datetime,
    *,
    keep_claim: bool = False,
) -> int:
    """Record `story_ids` delivered to `channel`, clear what was in flight and free the channel
    (unless `keep_claim`: more is to be sent); returns the records written.

    The unique (story_id, channel) constraint makes a second record of the same delivery impossible.
    """
    written = 0
    with guard("recording deliveries"), Session(engine) as session:
        for story_id in story_ids:
            stmt = (
                insert_for(engine, Delivery)
                .values(
                    story_id=story_id,
                    channel=channel,
                    channel_label=label,
                    delivered_at=aware(now),
                )
                .on_conflict_do_nothing(index_elements=["story_id", "channel"])
                .returning(col(Delivery.id))
            )
            written += len(session.execute(stmt).all())
        freed = {} if keep_claim else {"next_try": None, "holder": None}
        session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel)
            .values(failures=0, last_error="", in_flight=None, **freed)
        )
        session.commit()
    return written


def release_idle(engine: Engine, channel: str, *, in_flight: bool = True) -> None:
    """Free a claimed channel that had nothing (more) to send; its failure count stays as it was,
    and what is in flight to it too (`in_flight=False`: nothing is, every message was recorded)."""
    cleared: dict[str, Any] = {} if in_flight else {"in_flight": None}
    with guard("releasing a channel"), Session(engine) as session:
        session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel)
            .values(next_try=None, holder=None, **cleared)
        )
        session.commit()


def release_failed(
    engine: Engine,
    channel: str,
    label: str,
    error: str,
    now: datetime,
    *,
    keep_in_flight: bool = False,
) -> ChannelState:
    """Count a failed send and set when the channel may be tried again; nothing is marked delivered.
    `keep_in_flight` when the channel may have accepted the message after all (an uncertain send,
    or a resend of one): the next run resends those stories; otherwise they are pending as before."""
    with guard("recording a failed delivery"), Session(engine) as session:
        row = session.get(DeliveryFailure, channel)
        failures = (row.failures if row else 0) + 1
        next_try = aware(now) + backoff(failures)
        kept = {} if keep_in_flight else {"in_flight": None}
        session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel)
            .values(
                failures=failures,
                last_error=error[:500],
                next_try=next_try,
                channel_label=label,
                holder=None,
                **kept,
            )
        )
        session.commit()
        state = _state(session, channel)
    return state or ChannelState(channel, label, failures, error[:500], aware(next_try))


def delivered_story_ids(engine: Engine, channel: str) -> list[int]:
    with guard("reading deliveries"), Session(engine) as session:
        rows = session.execute(
            select(col(Delivery.story_id))
            .where(col(Delivery.channel) == channel)
            .order_by(col(Delivery.story_id))
        ).all()
    return [int(row[0]) for row in rows]
