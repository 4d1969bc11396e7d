"""Sources: the feeds polled (and the fixture files a replay read), with their fetch state and health.

A source's title is the one the feeds file gives (an OPML outline's title), kept up to date with
the file; a feed the file names by URL alone takes the feed's own title from its first good fetch.

ETag and Last-Modified make the next request conditional; failures in a row and `next_try` make a
failing feed back off exponentially (or as long as its Retry-After asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, Table, bindparam, select, update

from storage.sql import aware, chunks, guard, insert_for
from storage.tables import Source, utcnow

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)
SourceKind = Literal["feed", "fixture"]
OutcomeStatus = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the next fetch of a feed needs to know."""

    source_id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    failures: int
    next_try: datetime | None

    def is_due(self, now: datetime) -> bool:
        return self.next_try is None or self.next_try <= now


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one fetch did, to be written back: ok (with validators), not_modified or error."""

    source_id: int
    status: OutcomeStatus
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: float | None = None
    title: str | None = None  # the feed's own title, kept when the source has none


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed's health, as `migwatch feeds` and `migwatch doctor` show it."""

    url: str
    title: str | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int  # in a row; 0 = healthy
    next_try: datetime | None


def backoff(failures: int, retry_after: float | None = None) -> timedelta:
    """Wait after `failures` failures in a row: 5 min, 10, 20... up to 12 h; Retry-After if longer."""
    delay: timedelta = min(BACKOFF_BASE * (2 ** min(max(failures - 1, 0), 20)), BACKOFF_MAX)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def _sources() -> Table:
    return Source.__table__  # type: ignore[attr-defined, no-any-return]


def _read_states(connection: Connection, urls: Sequence[str], into: dict[str, FeedState]) -> None:
    table = _sources()
    query = select(
        table.c.id,
        table.c.url,
        table.c.title,
        table.c.etag,
        table.c.last_modified,
        table.c.failures,
        table.c.next_try,
    )  # plain rows: no ORM objects
    for chunk in chunks(urls):
        for row in connection.execute(query.where(table.c.url.in_(chunk))):
            into[row.url] = FeedState(
                source_id=int(row.id or 0),
                url=row.url,
                title=row.title,
                etag=row.etag,
                last_modified=row.last_modified,
                failures=int(row.failures or 0),
                next_try=aware(row.next_try),
            )


def ensure_sources(
    engine: Engine, sources: Sequence[tuple[str, str | None]], *, kind: SourceKind = "feed"
) -> dict[str, FeedState]:
    """Register each (url, title) as a source once; the state of every one, by URL.

    Known sources are read first and only the others inserted: compiling a 500-row INSERT costs
    more than the SELECT, and after the first poll every feed is known."""
    states: dict[str, FeedState] = {}
    with guard("registering sources"), engine.begin() as connection:
        _read_states(connection, list(dict.fromkeys(url for url, _ in sources)), states)
        _retitle(connection, sources, states)
        missing = list(dict.fromkeys((url, title) for url, title in sources if url not in states))
        if not missing:
            return states
        for chunk in chunks(missing):
            rows = [
                {"url": url, "title": title, "kind": kind, "failures": 0, "created_at": utcnow()}
                for url, title in chunk
            ]
            statement = insert_for(engine, _sources()).values(rows)
            connection.execute(statement.on_conflict_do_nothing(index_elements=["url"]))
        _read_states(connection, list(dict.fromkeys(url for url, _ in missing)), states)
    return states


def _retitle(
    connection: Connection, sources: Sequence[tuple[str, str | None]], states: dict[str, FeedState]
) -> None:
    """Known sources whose file now gives another title take it (a title left out keeps the old)."""
    changed = {url: title for url, title in sources if title and url in states and states[url].title != title}
    if not changed:
        return
    table = _sources()
    connection.execute(
        update(table).where(table.c.id == bindparam("sid")).values(title=bindparam("new_title")),
        [{"sid": states[url].source_id, "new_title": title} for url, title in changed.items()],
    )
    for url, title in changed.items():
        states[url] = replace(states[url], title=title)


def ensure_feeds(engine: Engine, feeds: Sequence[tuple[str, str | None]]) -> dict[str, FeedState]:
    """ensure_sources for feeds."""
    return ensure_sources(engine, feeds, kind="feed")


def record_outcomes(engine: Engine, outcomes: Sequence[FeedOutcome], now: datetime | None = None) -> None:
    """Write back what a batch of fetches did, in one transaction."""
    moment = now or utcnow()
    table = _sources()
    ok = [o.source_id for o in outcomes if o.status != "error"]
    validators = [
        {"sid": o.source_id, "etag": o.etag, "last_modified": o.last_modified}
        for o in outcomes
        if o.status == "ok"
    ]
    failed = [o for o in outcomes if o.status == "error"]
    with guard("recording feed health"), engine.begin() as connection:
        for chunk in chunks(ok):
            connection.execute(
                update(table)
                .where(table.c.id.in_(chunk))
                .values(last_attempt=moment, last_success=moment, failures=0, next_try=None)
            )
        if validators:
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("sid"))
                .values(etag=bindparam("etag"), last_modified=bindparam("last_modified")),
                validators,
            )
        titles = [{"sid": o.source_id, "own": o.title} for o in outcomes if o.status == "ok" and o.title]
        if titles:  # the feed's own title, only where the feeds file gave none
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("sid"), table.c.title.is_(None))
                .values(title=bindparam("own")),
                titles,
            )
        for outcome in failed:  # few: each reads its count of failures in a row
            where = table.c.id == outcome.source_id
            failures = int(connection.scalar(select(table.c.failures).where(where)) or 0) + 1
            connection.execute(
                update(table)
                .where(where)
                .values(
                    last_attempt=moment,
                    last_error=(outcome.error or "failed")[:500],
                    last_error_at=moment,
                    failures=failures,
                    next_try=moment + backoff(failures, outcome.retry_after),
                )
            )


def feed_health(engine: Engine) -> list[FeedHealth]:
    """Every feed source (fixture files are not feeds), in the order they were first registered."""
    table = _sources()
    query = (
        select(
            table.c.url,
            table.c.title,
            table.c.last_success,
            table.c.last_error,
            table.c.last_error_at,
            table.c.failures,
            table.c.next_try,
        )
        .where(table.c.kind == "feed")
        .order_by(table.c.id)
    )
    with guard("reading feed health"), engine.connect() as connection:
        return [
            FeedHealth(
                url=row.url,
                title=row.title,
                last_success=aware(row.last_success),
                last_error=row.last_error,
                last_error_at=aware(row.last_error_at),
                failures=int(row.failures or 0),
                next_try=aware(row.next_try),
            )
            for row in connection.execute(query)
        ]
