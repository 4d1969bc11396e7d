"""The storage face: everything the flows ask of the database, by domain, from one module.

    from storage import store
    engine = store.open_engine(url)
    store.store_items(engine, rows, topic_version=...)

One module per domain stands behind it: items (the one item writer), feeds (sources, their fetch
state and health), stories (grouping's loads and writes, pending stories), deliveries (exactly
once per channel). Storage persists what the pipeline decided; it decides nothing. This module is
imported by the flows, not by the parse helper process, which needs only storage/rows.py.
"""

from __future__ import annotations

from storage.deliveries import (
    ChannelState,
    Claim,
    channel_state,
    claim_channel,
    delivered_story_ids,
    release_delivered,
    release_failed,
    release_idle,
    start_sending,
)
from storage.engine import open_engine
from storage.feeds import (
    FeedHealth,
    FeedOutcome,
    FeedState,
    OutcomeStatus,
    ensure_feeds,
    ensure_sources,
    feed_health,
    record_outcomes,
)
from storage.items import (
    ItemFilter,
    StoredItem,
    StoreReport,
    count_items,
    known_identities,
    list_items,
    store_items,
)
from storage.rows import StorableItem, storable
from storage.stories import StoredStory, StoryBatch, grouping, undelivered_stories

__all__ = [
    "ChannelState",
    "Claim",
    "FeedHealth",
    "FeedOutcome",
    "FeedState",
    "ItemFilter",
    "OutcomeStatus",
    "StorableItem",
    "StoreReport",
    "StoredItem",
    "StoredStory",
    "StoryBatch",
    "channel_state",
    "claim_channel",
    "count_items",
    "delivered_story_ids",
    "ensure_feeds",
    "ensure_sources",
    "feed_health",
    "grouping",
    "known_identities",
    "list_items",
    "open_engine",
    "record_outcomes",
    "release_delivered",
    "release_failed",
    "release_idle",
    "start_sending",
    "storable",
    "store_items",
    "undelivered_stories",
]
