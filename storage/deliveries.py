"""Delivery bookkeeping: who sends to a channel now, what it has had, and when a failed one retries.

Exactly once rests on two things the database enforces:

- a channel is *claimed* before anything is sent to it: one conditional UPDATE of the channel's row in
  `delivery_failures` sets `next_try` to a lease (now + LEASE) only where `next_try` is empty or past.
  PostgreSQL row locks and SQLite's single writer make that UPDATE succeed for one run only; the
  other run sees rowcount 0 and skips the channel. No transaction stays open while a message is sent.
- a story is recorded delivered to a channel only after the channel accepted it, under the unique
  (story_id, channel) constraint, in the same transaction that releases the claim.

A failed send keeps no delivery and sets `next_try` to an exponential back-off, so the next run after
it retries the same stories. A run that dies mid-send leaves the lease, which expires like a back-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from monitors.errors import StorageError
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
    return ChannelState(row.channel, row.channel_label, row.failures, row.last_error, aware(row.next_try))


def channel_state(engine: Engine, channel: str) -> ChannelState | None:
    with guard("reading a channel's state"), Session(engine) as session:
        return _state(session, channel)


def claim_channel(engine: Engine, channel: str, label: str, now: datetime) -> Claim:
    """Claim `channel` for one run; at most one run holds it at a time (see the module doc)."""
    moment = aware(now)
    with guard("claiming a channel"), Session(engine) as session:
        session.execute(
            insert_for(engine, DeliveryFailure)
            .values(channel=channel, channel_label=label, failures=0, last_error="", next_try=None)
            .on_conflict_do_nothing(index_elements=["channel"])
        )
        session.commit()
        result = session.execute(
            update(DeliveryFailure)
            .where(
                col(DeliveryFailure.channel) == channel,
                (col(DeliveryFailure.next_try).is_(None)) | (col(DeliveryFailure.next_try) <= moment),
            )
            .values(next_try=moment + LEASE, channel_label=label)
        )
        session.commit()
        claimed = getattr(result, "rowcount", 0) == 1
        state = _state(session, channel)
    if state is None:  # the row was inserted above; only a concurrent DELETE could remove it
        raise StorageError(f"channel {label} vanished while being claimed")
    return Claim(claimed, state)


def release_delivered(
    engine: Engine, channel: str, label: str, story_ids: Sequence[int], now: datetime
) -> int:
    """Record `story_ids` delivered to `channel` and free the channel; returns the records written.

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
        session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel)
            .values(failures=0, last_error="", next_try=None)
        )
        session.commit()
    return written


def release_idle(engine: Engine, channel: str) -> None:
    """Free a claimed channel that had nothing to send; its failure count stays as it was."""
    with guard("releasing a channel"), Session(engine) as session:
        session.execute(
            update(DeliveryFailure).where(col(DeliveryFailure.channel) == channel).values(next_try=None)
        )
        session.commit()


def release_failed(engine: Engine, channel: str, label: str, error: str, now: datetime) -> ChannelState:
    """Count a failed send and set when the channel may be tried again; nothing is marked delivered."""
    with guard("recording a failed delivery"), Session(engine) as session:
        row = session.get(DeliveryFailure, channel)
        failures = (row.failures if row else 0) + 1
        next_try = aware(now) + backoff(failures)
        session.execute(
            update(DeliveryFailure)
            .where(col(DeliveryFailure.channel) == channel)
            .values(failures=failures, last_error=error[:500], next_try=next_try, channel_label=label)
        )
        session.commit()
        return ChannelState(channel, label, failures, error[:500], aware(next_try))


def delivered_story_ids(engine: Engine, channel: str) -> list[int]:
    with guard("reading deliveries"), Session(engine) as session:
        rows = session.execute(
            select(col(Delivery.story_id))
            .where(col(Delivery.channel) == channel)
            .order_by(col(Delivery.story_id))
        ).all()
    return [int(row[0]) for row in rows]
