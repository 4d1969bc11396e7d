"""An item and its classification as the values the items and classifications tables keep.

A poll computes these where it parses (the helper process of flows/parallel.py, or this one),
so the process that stores a batch only binds and executes: hashing the content and writing the
evidence as JSON cost as much as the INSERTs themselves. Pure functions, no database.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from monitors.classify.dates import aware
from monitors.feeds.fixtures import FIXTURE_ID_PREFIX
from monitors.models import Classification, FeedItem


def encode_json(value: Any) -> str:
    """The JSON columns' serializer, engine-wide (storage/engine.py): orjson, about ten times
    json.dumps, so a value is written the same whichever path stored it."""
    return orjson.dumps(value).decode()


EMPTY_JSON = encode_json([])


def content_hash(item: FeedItem) -> str:
    """What decides whether a known item changed."""
    text = "\x1f".join([item.title, item.summary, item.content, item.url or ""])
    return hashlib.sha256(text.encode()).hexdigest()


def rule_dicts(classification: Classification) -> list[dict[str, Any]]:
    """The rule hits as stored. Written out by hand: nearly every item has some, and
    dataclasses.asdict cost more than storing the row."""
    return [
        {"rule": h.rule, "match": h.match, "where": h.where, "weight": h.weight} for h in classification.rules
    ]


def evidence_dicts(classification: Classification) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The crossing figures and ministerial visits as stored."""
    return (
        [f.to_dict() for f in classification.crossing_figures],
        [v.to_dict() for v in classification.ministerial_visits],
    )


class StorableItem(NamedTuple):
    """One feed item, identified and classified, as stored. The JSON fields are encoded text."""

    identity: str
    guid: str | None
    url: str | None
    title: str
    summary: str
    content: str
    published: datetime | None  # UTC
    content_hash: str
    relevant: bool
    score: float
    language: str
    rules: str
    crossing_figures: str
    ministerial_visits: str
    link_refused: str | None = None  # why fetching `url` was refused (monitors/feeds/urls.py)
    ignored: str | None = None  # fields of the wrong type read as absent: reported, not stored

    @property
    def text_length(self) -> int:
        """The length of the body text the item came with (its content, else its summary)."""
        return len(self.content or self.summary)

    def feed_item(self, source: str | None = None) -> FeedItem:
        """The item again, to read its article or classify it anew."""
        return FeedItem(
            self.guid or "", self.title, self.summary, self.content, self.url, self.published, source
        )


def published_guid(item: FeedItem) -> str | None:
    """The guid the item's publisher gave it, if any: a fixture's id is ours, not a guid."""
    if not item.id or item.id.startswith(FIXTURE_ID_PREFIX):
        return None
    return item.id


def storable(identity: str, item: FeedItem, classification: Classification) -> StorableItem:
    """The one write shape of an item, whichever command stores it (poll or replay)."""
    figures, visits = evidence_dicts(classification)  # most items have neither
    return StorableItem(
        identity,
        published_guid(item),
        item.url,
        item.title,
        item.summary,
        item.content,
        aware(item.published),
        content_hash(item),
        classification.relevant,
        float(classification.score),
        classification.language,
        encode_json(rule_dicts(classification)),
        encode_json(figures) if figures else EMPTY_JSON,
        encode_json(visits) if visits else EMPTY_JSON,
        item.link_refused,
        item.ignored,
    )
