"""JSON Feed 1.0/1.1 and RSS 2.0 written as JSON, read here: neither XML parser reads every JSON shape.

A JSON document is whatever its author typed, so every field is checked for its type before it is
used: a `title` of 1000 or ["x"], a `content_html` of true, a `date_published` of {} are read as
absent, as lemon24/reader reads them, and the rest of the item is kept. A document that is not a
JSON object with a list of items (or an RSS channel) is not a feed: FeedParseError, one reason for
the whole feed. Nothing in a feed's JSON raises anything else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from monitors.feeds.dates import any_date
from monitors.feeds.formats import UNTITLED
from monitors.feeds.sniff import FeedParseError
from monitors.feeds.text import plain_text
from monitors.feeds.urls import safe_url
from monitors.models import FeedItem


def _text(entry: Mapping[str, Any], *keys: str) -> str:
    """The first of `keys` whose value is a non-empty string, as plain text."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return plain_text(value)
    return ""


def _ident(value: Any) -> str:
    """An id as JSON Feed 1.0 allowed it: a string, or a number written as one."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _link(value: Any, feed_url: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    if feed_url and "://" not in value[:12]:
        value = urljoin(feed_url, value.strip())
    return safe_url(value)


def _item(entry: Mapping[str, Any], source: str | None) -> FeedItem:
    url = _link(entry.get("url"), source) or _link(entry.get("external_url"), source)
    content = _text(entry, "content_html", "content_text")
    summary = _text(entry, "summary")
    title = _text(entry, "title")
    return FeedItem(
        id=_ident(entry.get("id")),
        title=title or (summary or content)[:120] or url or UNTITLED,
        summary=summary if summary != content else "",
        content=content,
        url=url,
        published=any_date(entry.get("date_published")) or any_date(entry.get("date_modified")),
        source=source,
    )


def _rss_item(entry: Mapping[str, Any], source: str | None) -> FeedItem:
    guid = entry.get("guid")
    if isinstance(guid, Mapping):
        guid = guid.get("#value") or guid.get("value") or guid.get("#text")
    guid = _ident(guid)
    description = _text(entry, "description")
    url = _link(entry.get("link"), source) or safe_url(guid)
    return FeedItem(
        id=guid,
        title=_text(entry, "title") or description[:120] or url or UNTITLED,
        summary=description,
        url=url,
        published=any_date(entry.get("pubDate")),
        source=source,
    )


def parse_json(body: bytes, source: str | None) -> list[FeedItem]:
    """Every entry of a JSON Feed or of RSS written as JSON, in document order (empty ones too)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not JSON: {exc}") from exc
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        return [_item(e, source) for e in data["items"] if isinstance(e, Mapping)]
    rss = data.get("rss") if isinstance(data, Mapping) else None
    if isinstance(rss, Mapping) and isinstance(rss.get("channel"), Mapping):
        raw = rss["channel"].get("item") or []
        entries = raw if isinstance(raw, list) else [raw]
        return [_rss_item(e, source) for e in entries if isinstance(e, Mapping)]
    raise FeedParseError("JSON that is neither a JSON Feed nor RSS as JSON")
