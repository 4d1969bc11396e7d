"""Every query migwatch makes. Only this module and engine.py talk to the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlmodel import Session, col

from monitors.classify.dates import as_date
from monitors.digest.stories import StorySignature, same_story, signature
from monitors.errors import StorageError
from monitors.models import Classification, FeedItem
from storage.rows import content_hash, evidence_dicts, rule_dicts
from storage.sql import aware, guard, insert_for
from storage.tables import Delivery, Item, ItemClassification, Source, Story, utcnow

# Held while grouping so concurrent workers do not open two stories for one event.
GROUPING_LOCK = 0x6D6967_01

# A new item is compared with the stories seen in this window.
STORY_LOOKBACK = timedelta(days=60)


@dataclass(slots=True)
class StoreReport:
    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    relevant_new: int = 0

    def merge(self, other: StoreReport) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.relevant_new += other.relevant_new


@dataclass(frozen=True, slots=True)
class StoredArticle:
    item_id: int
    title: str
    source: str | None
    url: str | None
    published: datetime | None
    first_seen: datetime
    relevant: bool
    score: float
    crossing_figures: list[dict[str, Any]]
    ministerial_visits: list[dict[str, Any]]
    rules: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class StoredStory:
    id: int
    headline: str
    first_seen: datetime
    last_seen: datetime
    articles: list[StoredArticle]


def _id(value: int | None) -> int:
    if value is None:
        raise StorageError("a row has no id; was it saved?")
    return int(value)


def ensure_source(engine: Engine, url: str, *, kind: str = "feed", title: str | None = None) -> int:
    with guard("registering a source"), Session(engine) as session:
        stmt = insert_for(engine, Source).values(
            url=url, kind=kind, title=title, failures=0, created_at=utcnow()
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=["url"]))
        session.commit()
        source_id = session.scalar(select(col(Source.id)).where(col(Source.url) == url))
        return int(source_id or 0)


def classification_row(
    item_id: int, classification: Classification, topic_version: int, now: datetime | None = None
) -> dict[str, Any]:
    """The classifications row of an item."""
    figures, visits = evidence_dicts(classification)
    return {
        "item_id": item_id,
        "relevant": classification.relevant,
        "score": float(classification.score),
        "language": classification.language,
        "topic_version": topic_version,
        "rules": rule_dicts(classification),
        "crossing_figures": figures,
        "ministerial_visits": visits,
        "classified_at": now or utcnow(),
    }


def store_items(
    engine: Engine,
    source_id: int,
    entries: Sequence[tuple[str, FeedItem, Classification]],
    *,
    topic_version: int = 1,
) -> StoreReport:
    """Store (identity, item, classification) triples. New items are inserted once, even when
    another process stores the same item at the same moment; changed items are updated."""
    report = StoreReport()
    with guard("storing items"), Session(engine) as session:
        for identity, item, classification in entries:
            digest = content_hash(item)
            values = {
                "identity": identity,
                "source_id": source_id,
                "guid": item.id if not item.id.startswith("fixture:") else None,
                "url": item.url,
                "title": item.title,
                "summary": item.summary,
                "content": item.content,
                "published": aware(item.published),
                "content_hash": digest,
                "first_seen": utcnow(),
                "updated_at": utcnow(),
            }
            stmt = (
                insert_for(engine, Item)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["identity"])
                .returning(Item.id)
            )
            inserted = session.execute(stmt).first()
            if inserted is not None:
                item_id = int(inserted[0])
                session.execute(
                    insert(ItemClassification).values(
                        **classification_row(item_id, classification, topic_version)
                    )
                )
                report.new.append(item_id)
                report.relevant_new += int(classification.relevant)
                continue
            existing = session.scalars(select(Item).where(col(Item.identity) == identity)).one()
            if existing.content_hash == digest:
                report.unchanged += 1
                continue
            for key in ("title", "summary", "content", "url", "published", "content_hash"):
                setattr(existing, key, values[key])
            existing.updated_at = utcnow()
            session.add(existing)
            row = session.get(ItemClassification, existing.id)
            fresh = classification_row(_id(existing.id), classification, topic_version)
            if row is None:
                session.add(ItemClassification(**fresh))
            else:
                for key, value in fresh.items():
                    setattr(row, key, value)
                session.add(row)
            report.updated.append(_id(existing.id))
        session.commit()
    return report


def _signature_of(item: Item, classification: ItemClassification) -> StorySignature:
    visits = frozenset(
        (str(v["minister"]), str(v["destination"]))
        for v in classification.ministerial_visits
        if v.get("destination") not in ("Italy", "United Kingdom")
    )
    figures = frozenset(int(f["count"]) for f in classification.crossing_figures if int(f["count"]) >= 1000)
    return StorySignature(item.title, as_date(item.published), visits, figures)


def assign_stories(engine: Engine, item_ids: Iterable[int]) -> list[int]:
    """Put each relevant item into the story it belongs to, starting a story when none fits.
    Returns the ids of the stories touched."""
    touched: list[int] = []
    with guard("grouping stories"), Session(engine) as session:
        if engine.dialect.name == "postgresql":
            # Two workers grouping at once would each open a story for one event; one at a time.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": GROUPING_LOCK})
        since = utcnow() - STORY_LOOKBACK
        members: list[tuple[int, StorySignature]] = []
        rows = session.execute(
            select(Item, ItemClassification)
            .join(ItemClassification, col(ItemClassification.item_id) == col(Item.id))
            .where(col(Item.story_id).is_not(None), col(ItemClassification.relevant))
            .join(Story, col(Story.id) == col(Item.story_id))
            .where(col(Story.last_seen) >= since)
        ).all()
        for item, classification in rows:
            members.append((_id(item.story_id), _signature_of(item, classification)))
        wanted = list(dict.fromkeys(item_ids))
        found: dict[int, tuple[Item, ItemClassification]] = {}
        for start in range(0, len(wanted), 500):  # one query per 500 items, not one per item
            found.update(
                (_id(item.id), (item, classification))
                for item, classification in session.execute(
                    select(Item, ItemClassification)
                    .join(ItemClassification, col(ItemClassification.item_id) == col(Item.id))
                    .where(col(Item.id).in_(wanted[start : start + 500]))
                )
            )
        for item_id in wanted:
            if item_id not in found:
                continue
            item, classification = found[item_id]
            if not classification.relevant or item.story_id is not None:
                continue
            sig = _signature_of(item, classification)
            story_id = next((sid for sid, other in members if same_story(sig, other)), None)
            if story_id is None:
                story = Story(headline=item.title, signature=sig.to_dict())
                session.add(story)
                session.flush()
                story_id = int(story.id or 0)
            else:
                known = session.get(Story, story_id)
                if known is not None:
                    known.last_seen = utcnow()
                    session.add(known)
            item.story_id = story_id
            session.add(item)
            members.append((story_id, sig))
            if story_id not in touched:
                touched.append(story_id)
        session.commit()
    return touched


def _articles(session: Session, story_ids: list[int]) -> dict[int, list[StoredArticle]]:
    rows = session.execute(
        select(Item, ItemClassification, Source)
        .join(ItemClassification, col(ItemClassification.item_id) == col(Item.id))
        .outerjoin(Source, col(Source.id) == col(Item.source_id))
        .where(col(Item.story_id).in_(story_ids))
        .order_by(col(Item.published).asc().nulls_last(), col(Item.id))
    ).all()
    grouped: dict[int, list[StoredArticle]] = {}
    for item, classification, source in rows:
        grouped.setdefault(_id(item.story_id), []).append(
            StoredArticle(
                item_id=_id(item.id),
                title=item.title,
                source=(source.title or source.url) if source else None,
                url=item.url,
                published=item.published,
                first_seen=item.first_seen,
                relevant=classification.relevant,
                score=classification.score,
                crossing_figures=classification.crossing_figures,
                ministerial_visits=classification.ministerial_visits,
                rules=classification.rules,
            )
        )
    return grouped


def undelivered_stories(engine: Engine, channels: Sequence[str]) -> list[StoredStory]:
    """Stories with an alert signal that at least one of `channels` has not received yet."""
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
        pending = [s for s in stories if not set(channels) <= done.get(_id(s.id), set())]
        articles = _articles(session, [_id(s.id) for s in pending])
        result = []
        for story in pending:
            items = articles.get(_id(story.id), [])
            if not any(a.relevant and (a.crossing_figures or a.ministerial_visits) for a in items):
                continue
            result.append(
                StoredStory(_id(story.id), story.headline, story.first_seen, story.last_seen, items)
            )
        return result


def delivered_channels(engine: Engine, story_ids: Sequence[int]) -> dict[int, set[str]]:
    with guard("reading deliveries"), Session(engine) as session:
        rows = session.execute(
            select(col(Delivery.story_id), col(Delivery.channel)).where(
                col(Delivery.story_id).in_(list(story_ids))
            )
        ).all()
    result: dict[int, set[str]] = {}
    for story_id, channel in rows:
        result.setdefault(int(story_id), set()).add(str(channel))
    return result


def record_deliveries(engine: Engine, story_ids: Sequence[int], channel: str, label: str) -> int:
    """Mark stories delivered to a channel. The unique (story, channel) constraint makes a second
    record impossible; returns how many records this call wrote."""
    written = 0
    with guard("recording deliveries"), Session(engine) as session:
        for story_id in story_ids:
            stmt = (
                insert_for(engine, Delivery)
                .values(story_id=story_id, channel=channel, channel_label=label, delivered_at=utcnow())
                .on_conflict_do_nothing(index_elements=["story_id", "channel"])
                .returning(Delivery.id)
            )
            written += len(session.execute(stmt).all())
        session.commit()
    return written


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    title: str
    source: str | None
    url: str | None
    published: datetime | None
    first_seen: datetime
    relevant: bool
    score: float
    story_id: int | None
    crossing_figures: list[dict[str, Any]]
    ministerial_visits: list[dict[str, Any]]
    rules: list[dict[str, Any]]


def list_items(engine: Engine, *, relevant_only: bool = False, limit: int | None = None) -> list[ItemRow]:
    with guard("listing items"), Session(engine) as session:
        query = (
            select(Item, ItemClassification, Source)
            .join(ItemClassification, col(ItemClassification.item_id) == col(Item.id))
            .outerjoin(Source, col(Source.id) == col(Item.source_id))
            .order_by(col(Item.id))
        )
        if relevant_only:
            query = query.where(col(ItemClassification.relevant))
        if limit:
            query = query.limit(limit)
        rows = session.execute(query).all()
        return [
            ItemRow(
                id=_id(item.id),
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
            )
            for item, classification, source in rows
        ]


def count_items(engine: Engine) -> int:
    with guard("counting items"), Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Item)).scalar_one())


def story_signature(title: str, published: datetime | None, classification: Classification) -> StorySignature:
    return signature(title, as_date(published), classification)
