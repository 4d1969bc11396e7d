"""Per-feed fetch state and health, kept on the `sources` table.

ETag and Last-Modified make the next request conditional; failures in a row and `next_try` make a
failing feed back off exponentially (or as long as its Retry-After asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from storage.repository import _guard, _insert, aware
from storage.tables import Item, Source, utcnow

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class FeedState:
    source_id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    failures: int
    next_try: datetime | None


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one fetch did, to be written back: ok (with validators), not_modified or error."""

    source_id: int
    status: str
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    url: str
    title: str | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_try: datetime | None


def backoff(failures: int, retry_after: float | None = None) -> timedelta:
    """Wait after `failures` failures in a row: 5 min, 10, 20... up to 12 h; Retry-After if longer."""
    delay: timedelta = min(BACKOFF_BASE * (2 ** min(max(failures - 1, 0), 20)), BACKOFF_MAX)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def ensure_feeds(engine: Engine, feeds: Sequence[tuple[str, str | None]]) -> dict[str, FeedState]:
    """Register each (url, title) as a feed source once; the state of every one, by URL."""
    urls = [url for url, _ in feeds]
    with _guard("registering feeds"), Session(engine) as session:
        for start in range(0, len(feeds), 500):
            rows = [
                {"url": url, "title": title, "kind": "feed", "failures": 0, "created_at": utcnow()}
                for url, title in feeds[start : start + 500]
            ]
            session.execute(
                _insert(engine, Source).values(rows).on_conflict_do_nothing(index_elements=["url"])
            )
        session.commit()
        states: dict[str, FeedState] = {}
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            for source in session.scalars(select(Source).where(col(Source.url).in_(chunk))):
                states[source.url] = FeedState(
                    source_id=int(source.id or 0),
                    url=source.url,
                    title=source.title,
                    etag=source.etag,
                    last_modified=source.last_modified,
                    failures=source.failures,
                    next_try=aware(source.next_try),
                )
        return states


def record_outcomes(engine: Engine, outcomes: Sequence[FeedOutcome], now: datetime | None = None) -> None:
    """Write back what a batch of fetches did, in one transaction."""
    moment = now or utcnow()
    with _guard("recording feed health"), Session(engine) as session:
        for outcome in outcomes:
            where = col(Source.id) == outcome.source_id
            if outcome.status == "ok":
                values: dict[str, object] = {
                    "etag": outcome.etag,
                    "last_modified": outcome.last_modified,
                    "last_attempt": moment,
                    "last_success": moment,
                    "failures": 0,
                    "next_try": None,
                }
                session.execute(update(Source).where(where).values(**values))
            elif outcome.status == "not_modified":
                values = {"last_attempt": moment, "last_success": moment, "failures": 0, "next_try": None}
                session.execute(update(Source).where(where).values(**values))
            else:
                failures = int(session.scalar(select(col(Source.failures)).where(where)) or 0) + 1
                values = {
                    "last_attempt": moment,
                    "last_error": (outcome.error or "failed")[:500],
                    "last_error_at": moment,
                    "failures": failures,
                    "next_try": moment + backoff(failures, outcome.retry_after),
                }
                session.execute(update(Source).where(where).values(**values))
        session.commit()


def feed_health(engine: Engine) -> list[FeedHealth]:
    """Every feed source, in the order they were first registered."""
    with _guard("reading feed health"), Session(engine) as session:
        rows = session.scalars(select(Source).where(col(Source.kind) == "feed").order_by(col(Source.id)))
        return [
            FeedHealth(
                url=row.url,
                title=row.title,
                last_success=aware(row.last_success),
                last_error=row.last_error,
                last_error_at=aware(row.last_error_at),
                failures=row.failures,
                next_try=aware(row.next_try),
            )
            for row in rows
        ]


def known_identities(engine: Engine, identities: Sequence[str]) -> set[str]:
    """Those of `identities` already stored as items."""
    found: set[str] = set()
    with _guard("looking up items"), Session(engine) as session:
        for start in range(0, len(identities), 500):
            chunk = list(identities[start : start + 500])
            found.update(session.scalars(select(col(Item.identity)).where(col(Item.identity).in_(chunk))))
    return found
