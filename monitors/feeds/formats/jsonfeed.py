"""JSON Feed 1.0/1.1 and RSS 2.0 written as JSON, read here: neither XML parser reads every JSON shape.

A JSON document is whatever its author typed, so every field is checked for its type before it is
used: a `title` of 1000 or ["x"], a `content_html` of true, a `date_published` of {} are read as
absent, as lemon24/reader reads them, and the rest of the item is kept; the item says so in its
`ignored` reason (`migwatch poll` lists them per feed). A document that is not a
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


# The fields of a JSON Feed item that migwatch reads, and the JSON types each may have.
_TEXT: tuple[type, ...] = (str,)
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str, int, float),
    "url": _TEXT,
    "external_url": _TEXT,
    "title": _TEXT,
    "summary": _TEXT,
    "content_html": _TEXT,
    "content_text": _TEXT,
    "date_published": _TEXT,
    "date_modified": _TEXT,
}
_JSON_NAMES = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "an object",
}


def ignored_fields(
    entry: Mapping[str, Any], types: Mapping[str, tuple[type, ...]] = _FIELD_TYPES
) -> str | None:
    """Which of an item's fields have a JSON type they may not have, e.g. `title (a number)`:
    the item's reason for reading them as absent. None when every field it has is of its type."""
    wrong = []
    for key, allowed in types.items():
        value = entry.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, allowed):
            wrong.append(f"{key} ({_JSON_NAMES.get(type(value), type(value).__name__)})")
    if not wrong:
        return None
    return "read as absent, of the wrong JSON type: " + ", ".join(wrong)


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
        ignored=ignored_fields(entry),
    )


_RSS_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "link": _TEXT,
    "title": _TEXT,
    "description": _TEXT,
    "pubDate": _TEXT,
}


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
        ignored=ignored_fields(entry, _RSS_FIELD_TYPES),
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
