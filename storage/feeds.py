"""Per-feed fetch state and health, kept on the `sources` table.

ETag and Last-Modified make the next request conditional; failures in a row and `next_try` make a
failing feed back off exponentially (or as long as its Retry-After asked).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Table, bindparam, select, update
from sqlmodel import Session, col

from storage.rows import StorableItem
from storage.sql import aware, guard, insert_for
from storage.tables import Item, ItemClassification, Source, utcnow

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)
# Bound parameters one SQLite statement may take (999 before SQLite 3.32).
_SQLITE_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


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
    """Register each (url, title) as a feed source once; the state of every one, by URL.

    Known feeds are read first and only the others inserted: compiling a 500-row INSERT costs more
    than the SELECT, and after the first poll every feed is known."""
    table = Source.__table__  # type: ignore[attr-defined]
    columns = (table.c.id, table.c.url, table.c.title, table.c.etag, table.c.last_modified)
    query = select(*columns, table.c.failures, table.c.next_try)  # plain rows: no ORM objects
    states: dict[str, FeedState] = {}

    def read(session: Session, urls: list[str]) -> None:
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            for row in session.execute(query.where(table.c.url.in_(chunk))):
                states[row.url] = FeedState(
                    source_id=int(row.id or 0),
                    url=row.url,
                    title=row.title,
                    etag=row.etag,
                    last_modified=row.last_modified,
                    failures=int(row.failures or 0),
                    next_try=aware(row.next_try),
                )

    with guard("registering feeds"), Session(engine) as session:
        read(session, list(dict.fromkeys(url for url, _ in feeds)))
        missing = [(url, title) for url, title in feeds if url not in states]
        if not missing:
            return states
        for start in range(0, len(missing), 500):
            rows = [
                {"url": url, "title": title, "kind": "feed", "failures": 0, "created_at": utcnow()}
                for url, title in missing[start : start + 500]
            ]
            session.execute(
                insert_for(engine, Source).values(rows).on_conflict_do_nothing(index_elements=["url"])
            )
        session.commit()
        read(session, list(dict.fromkeys(url for url, _ in missing)))
        return states


def record_outcomes(engine: Engine, outcomes: Sequence[FeedOutcome], now: datetime | None = None) -> None:
    """Write back what a batch of fetches did, in one transaction."""
    moment = now or utcnow()
    table = Source.__table__  # type: ignore[attr-defined]
    ok = [o.source_id for o in outcomes if o.status in ("ok", "not_modified")]
    validators = [
        {"sid": o.source_id, "etag": o.etag, "last_modified": o.last_modified}
        for o in outcomes
        if o.status == "ok"
    ]
    failed = [o for o in outcomes if o.status not in ("ok", "not_modified")]
    with guard("recording feed health"), engine.begin() as connection:
        for start in range(0, len(ok), 500):
            connection.execute(
                update(table)
                .where(table.c.id.in_(ok[start : start + 500]))
                .values(last_attempt=moment, last_success=moment, failures=0, next_try=None)
            )
        if validators:
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("sid"))
                .values(etag=bindparam("etag"), last_modified=bindparam("last_modified")),
                validators,
            )
        for outcome in failed:
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
    """Every feed source, in the order they were first registered."""
    with guard("reading feed health"), Session(engine) as session:
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
    with guard("looking up items"), Session(engine) as session:
        for start in range(0, len(identities), 500):
            chunk = list(identities[start : start + 500])
            found.update(session.scalars(select(col(Item.identity)).where(col(Item.identity).in_(chunk))))
    return found


@dataclass(slots=True)
class BulkStoreReport:
    new: dict[int, int]  # source id -> items inserted
    relevant_new: dict[int, int]  # source id -> relevant items inserted
    to_group: list[int]  # relevant items inserted or changed, for story grouping


ITEM_COLUMNS = (
    "identity", "source_id", "guid", "url", "title", "summary", "content", "published",
    "content_hash", "first_seen", "updated_at",
)  # fmt: skip
CLASSIFICATION_COLUMNS = (
    "item_id", "relevant", "score", "language", "topic_version", "rules", "crossing_figures",
    "ministerial_visits", "classified_at",
)  # fmt: skip
# Classification columns whose values come already encoded as JSON (storage/rows.py).
_ENCODED = frozenset({"rules", "crossing_figures", "ministerial_visits"})


def _item_values(source_id: int, s: StorableItem, now: datetime) -> tuple[Any, ...]:
    return (s.identity, source_id, s.guid, s.url, s.title, s.summary, s.content, s.published,
            s.content_hash, now, now)  # fmt: skip


def _classification_values(
    item_id: int, s: StorableItem, topic_version: int, now: datetime
) -> tuple[Any, ...]:
    return (item_id, s.relevant, s.score, s.language, topic_version, s.rules, s.crossing_figures,
            s.ministerial_visits, now)  # fmt: skip


def store_feed_items(
    engine: Engine,
    entries: Sequence[tuple[int, StorableItem]],
    *,
    topic_version: int = 1,
) -> BulkStoreReport:
    """Store a batch's (source id, item) entries in one transaction with a few set-based
    statements (repository.store_items does one round trip per item; a poll stores tens of
    thousands). Same semantics: a new identity is inserted once, even when another process races
    us; a known identity whose content changed is updated; an unchanged one is left alone."""
    report = BulkStoreReport(new={}, relevant_new={}, to_group=[])
    unique: dict[str, tuple[int, StorableItem]] = {}
    for source_id, entry in entries:
        unique.setdefault(entry.identity, (source_id, entry))
    if not unique:
        return report
    items_table, classifications_table = Item.__table__, ItemClassification.__table__  # type: ignore[attr-defined]
    with guard("storing items"), engine.begin() as connection:
        keys = list(unique)
        existing = _stored_hashes(connection, items_table, keys)
        fresh = [key for key in keys if key not in existing]
        now = utcnow()
        if fresh:
            # only the rows this statement inserted come back, not a racing process's
            inserted = _insert_new(
                connection,
                items_table,
                ITEM_COLUMNS,
                [_item_values(*unique[key], now) for key in fresh],
                "identity",
            )
            if inserted:
                _insert_new(
                    connection,
                    classifications_table,
                    CLASSIFICATION_COLUMNS,
                    [
                        _classification_values(item_id, unique[key][1], topic_version, now)
                        for key, item_id in inserted.items()
                    ],
                    "item_id",
                    returning=False,
                )
            for key, item_id in inserted.items():
                source_id, entry = unique[key]
                report.new[source_id] = report.new.get(source_id, 0) + 1
                if entry.relevant:
                    report.relevant_new[source_id] = report.relevant_new.get(source_id, 0) + 1
                    report.to_group.append(item_id)
        for key, (item_id, stored_hash) in existing.items():
            source_id, entry = unique[key]
            if entry.content_hash == stored_hash:
                continue
            values = dict(zip(ITEM_COLUMNS, _item_values(source_id, entry, now), strict=True))
            for column in ("identity", "source_id", "guid", "first_seen"):
                values.pop(column)
            connection.execute(update(items_table).where(items_table.c.id == item_id).values(**values))
            classified = _classification_values(item_id, entry, topic_version, now)
            row = _decoded(dict(zip(CLASSIFICATION_COLUMNS, classified, strict=True)))
            connection.execute(
                insert_for(engine, classifications_table)
                .values(**row)
                .on_conflict_do_update(
                    index_elements=["item_id"], set_={k: v for k, v in row.items() if k != "item_id"}
                )
            )
            if entry.relevant:
                report.to_group.append(item_id)
    return report


def _stored_hashes(connection: Connection, items_table: Table, keys: list[str]) -> dict[str, tuple[int, str]]:
    """identity -> (id, content hash) of those of `keys` already stored. On SQLite the statement is
    written out: compiling a 500-value IN list cost SQLAlchemy more than SQLite's lookups."""
    found: dict[str, tuple[int, str]] = {}
    sqlite = connection.dialect.name == "sqlite"
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        if sqlite:
            marks = ", ".join("?" * len(chunk))
            rows: Any = connection.exec_driver_sql(
                f"SELECT identity, id, content_hash FROM {items_table.name} WHERE identity IN ({marks})",
                tuple(chunk),
            )
        else:
            rows = connection.execute(
                select(items_table.c.identity, items_table.c.id, items_table.c.content_hash).where(
                    items_table.c.identity.in_(chunk)
                )
            )
        found.update({row[0]: (int(row[1]), str(row[2])) for row in rows})
    return found


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A row for SQLAlchemy Core, whose JSON columns encode their values themselves."""
    return {k: orjson.loads(v) if k in _ENCODED else v for k, v in row.items()}


def _insert_new(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: str,
    *,
    returning: bool = True,
) -> dict[str, int]:
    """Insert `rows` (values in the order of `names`), skipping those whose `conflict` column is
    already taken; with `returning`, the identity -> id of each row this statement inserted (a
    racing process's rows excluded)."""
    if connection.dialect.name == "sqlite":
        return _sqlite_insert_new(connection, table, names, rows, conflict, returning=returning)
    statement = insert_for(connection.engine, table).on_conflict_do_nothing(index_elements=[conflict])
    params = [_decoded(dict(zip(names, row, strict=True))) for row in rows]
    if not returning:
        connection.execute(statement, params)
        return {}
    result = connection.execute(statement.returning(table.c.identity, table.c.id), params)
    return {row[0]: int(row[1]) for row in result}


def _last_value_cached(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that reuses its last result for the very same object (a batch's one
    timestamp)."""
    last: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return cached


def _sqlite_insert_new(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: str,
    *,
    returning: bool,
) -> dict[str, int]:
    """The same statements as SQLAlchemy Core would send, built once per batch: Core's per-row
    parameter handling cost more than SQLite itself (~25 µs a row). Values go through the
    columns' own bind processors (JSON ones arrive encoded with the engine's serializer), so they
    are stored exactly as Core stores them."""
    dialect = connection.dialect
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(names):
        process = (
            None if name in _ENCODED else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        )
        if process is not None:
            processors.append((index, _last_value_cached(process)))
    bound: list[tuple[Any, ...]]
    if processors:
        bound = []
        for row in rows:
            values = list(row)
            for index, cached in processors:
                values[index] = cached(values[index])
            bound.append(tuple(values))
    else:
        bound = rows
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    marks = "(" + ", ".join("?" * len(names)) + ")"
    tail = f" ON CONFLICT ({quote(conflict)}) DO NOTHING"
    if not returning:
        connection.exec_driver_sql(head + marks + tail, bound)
        return {}
    inserted: dict[str, int] = {}
    per_statement = max(1, min(500, _SQLITE_MAX_VARIABLES // len(names)))
    for start in range(0, len(bound), per_statement):
        chunk = bound[start : start + per_statement]
        sql = head + ", ".join([marks] * len(chunk)) + tail + f" RETURNING {quote('identity')}, {quote('id')}"
        result = connection.exec_driver_sql(sql, tuple(value for row in chunk for value in row))
        inserted.update((str(row[0]), int(row[1])) for row in result)
    return inserted
