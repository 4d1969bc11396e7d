"""Items and their classifications: the one writer every command stores through, and the reads.

`store_items` takes rows in the one write shape (storage/rows.py) and stores a batch with a few
set-based statements in one transaction: a new identity is inserted once, even when another
process stores it at the same moment; a known identity whose content changed is updated, with its
classification; an unchanged one is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, func, select, update
from sqlmodel import Session, col

from storage.bulk import decoded, insert_new, stored_hashes
from storage.rows import StorableItem
from storage.sql import chunks, guard, insert_for, row_id
from storage.tables import Item, ItemClassification, Source, utcnow

ITEM_COLUMNS = (
    "identity", "source_id", "guid", "url", "title", "summary", "content", "published",
    "content_hash", "first_seen", "updated_at", "link_refused",
)  # fmt: skip
CLASSIFICATION_COLUMNS = (
    "item_id", "relevant", "score", "language", "topic_version", "rules", "crossing_figures",
    "ministerial_visits", "classified_at",
)  # fmt: skip
# Columns an update leaves as first stored.
_KEPT_ON_UPDATE = frozenset({"identity", "source_id", "guid", "first_seen"})


@dataclass(slots=True)
class StoreReport:
    """What one call of store_items did."""

    new: list[int] = field(default_factory=list)  # ids of the items inserted
    updated: list[int] = field(default_factory=list)  # ids of known items whose content changed
    unchanged: int = 0  # known (or stored meanwhile by another process) and the same
    new_by_source: dict[int, int] = field(default_factory=dict)  # source id -> items inserted
    relevant_by_source: dict[int, int] = field(default_factory=dict)  # source id -> relevant inserted
    to_group: list[int] = field(default_factory=list)  # relevant items inserted or changed

    @property
    def relevant_new(self) -> int:
        return sum(self.relevant_by_source.values())


def _item_values(source_id: int, s: StorableItem, now: datetime) -> tuple[Any, ...]:
    return (s.identity, source_id, s.guid, s.url, s.title, s.summary, s.content, s.published,
            s.content_hash, now, now, s.link_refused)  # fmt: skip


def _classification_values(
    item_id: int, s: StorableItem, topic_version: int, now: datetime
) -> tuple[Any, ...]:
    return (item_id, s.relevant, s.score, s.language, topic_version, s.rules, s.crossing_figures,
            s.ministerial_visits, now)  # fmt: skip


def _tables() -> tuple[Table, Table]:
    return Item.__table__, ItemClassification.__table__  # type: ignore[attr-defined]


def store_items(
    engine: Engine, entries: Sequence[tuple[int, StorableItem]], *, topic_version: int = 1
) -> StoreReport:
    """Store a batch's (source id, item) entries in one transaction (see the module doc); of
    entries sharing an identity, the first counts."""
    report = StoreReport()
    unique: dict[str, tuple[int, StorableItem]] = {}
    for source_id, entry in entries:
        unique.setdefault(entry.identity, (source_id, entry))
    if not unique:
        return report
    with guard("storing items"), engine.begin() as connection:
        existing = stored_hashes(connection, _tables()[0], list(unique))
        now = utcnow()
        fresh = [unique[key] for key in unique if key not in existing]
        for item_id, (source_id, entry) in _insert(connection, fresh, topic_version, now).items():
            report.new.append(item_id)
            report.new_by_source[source_id] = report.new_by_source.get(source_id, 0) + 1
            if entry.relevant:
                report.relevant_by_source[source_id] = report.relevant_by_source.get(source_id, 0) + 1
                report.to_group.append(item_id)
        for key, (item_id, stored_hash) in existing.items():
            source_id, entry = unique[key]
            if entry.content_hash == stored_hash:
                continue
            _update(connection, item_id, source_id, entry, topic_version, now)
            report.updated.append(item_id)
            if entry.relevant:
                report.to_group.append(item_id)
    report.unchanged = len(unique) - len(report.new) - len(report.updated)
    return report


def _insert(
    connection: Connection, fresh: list[tuple[int, StorableItem]], topic_version: int, now: datetime
) -> dict[int, tuple[int, StorableItem]]:
    """Insert new items and their classifications; item id -> entry of each row this call inserted
    (not a racing process's)."""
    if not fresh:
        return {}
    items_table, classifications_table = _tables()
    inserted = insert_new(
        connection, items_table, ITEM_COLUMNS, [_item_values(s, e, now) for s, e in fresh], "identity"
    )
    by_identity = {entry.identity: (source_id, entry) for source_id, entry in fresh}
    written = {item_id: by_identity[key] for key, item_id in inserted.items()}
    if written:
        rows = [_classification_values(i, e, topic_version, now) for i, (_, e) in written.items()]
        insert_new(
            connection, classifications_table, CLASSIFICATION_COLUMNS, rows, "item_id", returning=False
        )
    return written


def _update(
    connection: Connection,
    item_id: int,
    source_id: int,
    entry: StorableItem,
    topic_version: int,
    now: datetime,
) -> None:
    """A known item whose content changed: its text and its classification anew."""
    items_table, classifications_table = _tables()
    values = dict(zip(ITEM_COLUMNS, _item_values(source_id, entry, now), strict=True))
    changed = {k: v for k, v in values.items() if k not in _KEPT_ON_UPDATE}
    if entry.link_refused is None:
        del changed["link_refused"]  # a known item's link is not fetched again: its reason stays
    connection.execute(update(items_table).where(items_table.c.id == item_id).values(**changed))
    classified = _classification_values(item_id, entry, topic_version, now)
    row = decoded(dict(zip(CLASSIFICATION_COLUMNS, classified, strict=True)))
    connection.execute(
        insert_for(connection.engine, classifications_table)
        .values(**row)
        .on_conflict_do_update(
            index_elements=["item_id"], set_={k: v for k, v in row.items() if k != "item_id"}
        )
    )


def known_identities(engine: Engine, identities: Sequence[str]) -> set[str]:
    """Those of `identities` already stored as items."""
    found: set[str] = set()
    with guard("looking up items"), Session(engine) as session:
        for chunk in chunks(identities):
            found.update(session.scalars(select(col(Item.identity)).where(col(Item.identity).in_(chunk))))
    return found


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as stored, with its classification: what `items` lists and what a story holds."""

    id: int
    title: str
    source: str | None  # the outlet: the feed's title, else its URL (or the fixture's file name)
    url: str | None
    published: datetime | None
    first_seen: datetime
    relevant: bool
    score: float
    story_id: int | None
    crossing_figures: list[dict[str, Any]]
    ministerial_visits: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    link_refused: str | None = None
    feed_url: str | None = None  # the feed (or fixture) it came from
    summary: str = ""
    content: str = ""


def stored_items_query() -> Select[tuple[Item, ItemClassification, Source]]:
    """Items with their classification and feed; callers add where and order by."""
    return (
        select(Item, ItemClassification, Source)
        .join(ItemClassification, col(ItemClassification.item_id) == col(Item.id))
        .outerjoin(Source, col(Source.id) == col(Item.source_id))
    )


def stored_items(
    session: Session, query: Select[tuple[Item, ItemClassification, Source]]
) -> list[StoredItem]:
    return [
        StoredItem(
            id=row_id(item.id),
            title=item.title,
            source=(source.title or source.url) if source else None,
            url=item.url,
            published=item.published,
            first_seen=item.first_seen,
            relevant=classification.relevant,
            score=classification.score,
            story_id=item.story_id,
            crossing_figures=classification.crossing_figures,
            ministerial_visits=classification.ministerial_visits,
            rules=classification.rules,
            link_refused=item.link_refused,
            feed_url=source.url if source else None,
            summary=item.summary,
            content=item.content,
        )
        for item, classification, source in session.execute(query).all()
    ]


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items `list_items` returns; every field left as is keeps all of them."""

    relevant_only: bool = False
    since: datetime | None = None  # dated (published, else first seen) at or after this UTC moment
    text: str | None = None  # in the title, summary or text, whatever the case
    item_id: int | None = None
    limit: int | None = None
    newest_first: bool = False  # by date (published, else first seen); else in the order stored


def list_items(
    engine: Engine,
    *,
    relevant_only: bool = False,
    limit: int | None = None,
    where: ItemFilter | None = None,
) -> list[StoredItem]:
    """Stored items with their classification, filtered by `where` (`relevant_only` and `limit`
    are its shorthands)."""
    where = where or ItemFilter(relevant_only=relevant_only, limit=limit)
    dated = func.coalesce(col(Item.published), col(Item.first_seen))
    with guard("listing items"), Session(engine) as session:
        query = stored_items_query()
        if where.relevant_only:
            query = query.where(col(ItemClassification.relevant))
        if where.since is not None:
            query = query.where(dated >= where.since.astimezone(UTC))
        if where.text:
            pattern = "%" + where.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                col(Item.title).ilike(pattern, escape="\\")
                | col(Item.summary).ilike(pattern, escape="\\")
                | col(Item.content).ilike(pattern, escape="\\")
            )
        if where.item_id is not None:
            query = query.where(col(Item.id) == where.item_id)
        if where.newest_first:
            query = query.order_by(dated.desc(), col(Item.id).desc())
        else:
            query = query.order_by(col(Item.id))
        if where.limit:
            query = query.limit(where.limit)
        return stored_items(session, query)


def count_items(engine: Engine) -> int:
    with guard("counting items"), Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Item)).scalar_one())
