"""Stories: what grouping needs, loaded in bulk; what it decided, written; what a channel has not had.

Grouping itself is decided in monitors/digest/stories.py (`assign`); this module only loads the
items to place (every relevant item without a story, so a run killed before it grouped leaves
nothing behind for good) with the members of recent stories, and writes the decisions, in one
serialised transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, Table, bindparam, insert, select, true, update
from sqlmodel import Session, col

from monitors.digest.stories import Assignment, StoryItem
from storage.items import StoredItem, stored_items, stored_items_query
from storage.sql import chunks, guard, row_id
from storage.tables import Delivery, Item, ItemClassification, Story

# Held while grouping on PostgreSQL, so concurrent workers do not open two stories for one event.
GROUPING_LOCK = 0x6D6967_01


def _tables() -> tuple[Table, Table, Table]:
    return Item.__table__, ItemClassification.__table__, Story.__table__  # type: ignore[attr-defined]


def _story_items() -> Select[Any]:
    items, classifications, _ = _tables()
    return select(
        items.c.id, items.c.story_id, classifications.c.relevant, items.c.title, items.c.published,
        classifications.c.ministerial_visits, classifications.c.crossing_figures,
    ).join(classifications, classifications.c.item_id == items.c.id)  # fmt: skip


def _story_item(row: Any) -> StoryItem:
    return StoryItem(
        item_id=int(row[0]),
        story_id=None if row[1] is None else int(row[1]),
        relevant=bool(row[2]),
        title=row[3],
        published=row[4],
        visits=tuple((str(v.get("minister", "")), str(v.get("destination", ""))) for v in row[5]),
        figures=tuple(int(f["count"]) for f in row[6]),
    )


class StoryBatch:
    """One grouping transaction, opened by `grouping`."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def load(self, since: datetime) -> tuple[list[StoryItem], list[StoryItem]]:
        """Every relevant item not in a story yet, whichever run stored it (in the order they were
        stored), and every item of the stories last seen at or after `since` (likewise)."""
        items, classifications, stories = _tables()
        ungrouped = (
            _story_items()
            .where(items.c.story_id.is_(None), classifications.c.relevant == true())
            .order_by(items.c.id)
        )
        recent = (
            _story_items()
            .join(stories, stories.c.id == items.c.story_id)
            .where(stories.c.last_seen >= since)
            .order_by(items.c.id)
        )
        placed = [_story_item(row) for row in self._connection.execute(ungrouped)]
        members = [_story_item(row) for row in self._connection.execute(recent)]
        return placed, members

    def write(self, assignment: Assignment, now: datetime) -> list[int]:
        """Open the new stories, point each item at its story, and mark the joined stories seen
        `now`; the ids of the stories touched (joined ones first)."""
        items, _, stories = _tables()
        placed = [{"iid": i, "sid": s} for i, s in assignment.joined.items()]
        opened: list[int] = []
        for story in assignment.opened:
            values = {"headline": story.headline, "signature": story.signature.to_dict()}
            result = self._connection.execute(insert(stories).values(**values, first_seen=now, last_seen=now))
            story_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            opened.append(story_id)
            placed += [{"iid": i, "sid": story_id} for i in story.item_ids]
        if placed:
            self._connection.execute(
                update(items).where(items.c.id == bindparam("iid")).values(story_id=bindparam("sid")), placed
            )
        joined = list(dict.fromkeys(assignment.joined.values()))
        for chunk in chunks(joined):
            self._connection.execute(update(stories).where(stories.c.id.in_(chunk)).values(last_seen=now))
        return joined + opened


@contextmanager
def grouping(engine: Engine) -> Iterator[StoryBatch]:
    """A transaction to load, then write, one grouping; committed when the block ends.

    Groupings take turns, so two processes never both open a story for one event: PostgreSQL
    holds an advisory lock for the transaction; SQLite starts it with BEGIN IMMEDIATE, which takes
    the database's write lock before the first read (another writer waits up to busy_timeout).
    """
    with guard("grouping stories"), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({GROUPING_LOCK})")
        elif engine.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a write; this one begins it now, so the
            # reads below see what every earlier grouping wrote and no grouping writes meanwhile
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield StoryBatch(connection)


@dataclass(frozen=True, slots=True)
class StoredStory:
    id: int
    headline: str
    first_seen: datetime
    last_seen: datetime
    articles: list[StoredItem]


def _articles(session: Session, story_ids: list[int]) -> dict[int, list[StoredItem]]:
    query = (
        stored_items_query()
        .where(col(Item.story_id).in_(story_ids))
        .order_by(col(Item.published).asc().nulls_last(), col(Item.id))
    )
    grouped: dict[int, list[StoredItem]] = {}
    for article in stored_items(session, query):
        grouped.setdefault(row_id(article.story_id), []).append(article)
    return grouped


def undelivered_stories(engine: Engine, channels: Sequence[str]) -> list[StoredStory]:
    """Stories that at least one of `channels` has not received yet, with their articles (which of
    them alert is the digest's decision: monitors/digest/build.py)."""
    with guard("reading stories"), Session(engine) as session:
        stories = list(session.scalars(select(Story).order_by(col(Story.id))).all())
        if not stories:
            return []
        delivered = session.execute(
            select(col(Delivery.story_id), col(Delivery.channel)).where(
                col(Delivery.channel).in_(list(channels))
            )
        ).all()
        done: dict[int, set[str]] = {}
        for story_id, channel in delivered:
            done.setdefault(int(story_id), set()).add(str(channel))
        pending = [s for s in stories if not set(channels) <= done.get(row_id(s.id), set())]
        articles = _articles(session, [row_id(s.id) for s in pending])
        return [
            StoredStory(row_id(s.id), s.headline, s.first_seen, s.last_seen, articles.get(row_id(s.id), []))
            for s in pending
        ]
