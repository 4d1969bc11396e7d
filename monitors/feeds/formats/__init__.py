"""The readers of each feed format: XML (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) and JSON (JSON Feed, RSS as JSON)."""

from __future__ import annotations

from monitors.models import FeedItem

UNTITLED = "(untitled)"


def is_empty(item: FeedItem) -> bool:
    """An entry with no title, text, link or id: an empty shell, e.g. an illegally nested <item>."""
    return item.title == UNTITLED and not (item.summary or item.content or item.url or item.id)
