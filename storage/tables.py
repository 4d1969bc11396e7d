"""The tables. The same definitions serve SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Source(SQLModel, table=True):
    """A feed (or the fixture folder a replay read) with its fetch state and health."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, index=True)
    title: str | None = None
    kind: str = "feed"
    etag: str | None = None
    last_modified: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failures: int = 0
    next_try: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Story(SQLModel, table=True):
    """Several items reporting one event."""

    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    headline: str
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    signature: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Item(SQLModel, table=True):
    """One article, stored once under a stable identity (guid, else canonical URL, else a hash)."""

    __tablename__ = "items"

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(unique=True, index=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    guid: str | None = None
    url: str | None = None
    title: str
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    published: datetime | None = Field(default=None, index=True)
    content_hash: str
    first_seen: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    story_id: int | None = Field(default=None, foreign_key="stories.id", index=True)
    # why the address policy refused to fetch the item's link (monitors/feeds/urls.py), if it did
    link_refused: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ItemClassification(SQLModel, table=True):
    """What the classifier said of an item, with the rules that fired (the explanation)."""

    __tablename__ = "classifications"

    item_id: int = Field(foreign_key="items.id", primary_key=True)
    relevant: bool = Field(index=True)
    score: float
    language: str = "en"
    topic_version: int = 1
    rules: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    crossing_figures: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    ministerial_visits: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    classified_at: datetime = Field(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """A story sent to a channel. The unique constraint is what makes delivery exactly-once."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("story_id", "channel", name="uq_delivery_story_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="stories.id", index=True)
    channel: str  # a stable key of the channel URL (a hash, so no secret is stored)
    channel_label: str  # the URL with its secrets masked, for people
    delivered_at: datetime = Field(default_factory=utcnow)


class DeliveryFailure(SQLModel, table=True):
    """A channel's delivery state, one row per channel (storage/deliveries.py): `next_try` is the
    claim of the run sending to it now (a lease, held by `holder`) or, after `failures`, the end of
    its back-off; `in_flight` the story ids of a message handed to the channel whose acceptance is
    not recorded (being sent, or sent with an uncertain outcome: the next run resends it)."""

    __tablename__ = "delivery_failures"

    channel: str = Field(primary_key=True)
    channel_label: str
    failures: int = 0
    last_error: str = ""
    next_try: datetime | None = None
    holder: str | None = None
    in_flight: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
