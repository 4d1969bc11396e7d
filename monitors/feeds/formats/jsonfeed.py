"""JSON Feed 1.0/1.1 and RSS 2.0 written as JSON, read here: neither XML parser reads every JSON shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from monitors.feeds.dates import iso8601, rfc822
from monitors.feeds.sniff import FeedParseError
from monitors.feeds.text import plain_text
from monitors.feeds.urls import safe_url
from monitors.models import FeedItem


def _json_feed_items(data: Mapping[str, Any], source: str | None) -> list[FeedItem]:
    items = []
    for entry in data.get("items") or []:
        if not isinstance(entry, Mapping):
            continue
        url = safe_url(entry.get("url")) or safe_url(entry.get("external_url"))
        content = plain_text(entry.get("content_html") or entry.get("content_text") or "")
        summary = plain_text(entry.get("summary") or "")
        title = plain_text(entry.get("title") or "") or (summary or content)[:120]
        if not (title or url):
            continue
        items.append(
            FeedItem(
                id=str(entry.get("id") or ""),
                title=title or (url or ""),
                summary=summary,
                content=content,
                url=url,
                published=iso8601(entry.get("date_published")) or iso8601(entry.get("date_modified")),
                source=source,
            )
        )
    return items


def _rss_json_items(channel: Mapping[str, Any], source: str | None) -> list[FeedItem]:
    """RSS 2.0 written as JSON (scripting.com's rss.json): channel.item is a list of RSS items."""
    raw = channel.get("item") or []
    entries = raw if isinstance(raw, list) else [raw]
    items = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        guid = entry.get("guid")
        if isinstance(guid, Mapping):
            guid = guid.get("#value") or guid.get("value") or guid.get("#text")
        description = plain_text(str(entry.get("description") or ""))
        url = safe_url(entry.get("link")) or (safe_url(guid) if isinstance(guid, str) else None)
        title = plain_text(str(entry.get("title") or "")) or description[:120]
        if not (title or url):
            continue
        published = rfc822(entry.get("pubDate"))
        items.append(
            FeedItem(
                id=str(guid or ""),
                title=title or (url or ""),
                summary=description,
                url=url,
                published=published,
                source=source,
            )
        )
    return items


def parse_json(body: bytes, source: str | None) -> list[FeedItem]:
    """Every item of a JSON Feed or of RSS written as JSON."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise FeedParseError(f"not JSON: {exc}") from exc
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        return _json_feed_items(data, source)
    rss = data.get("rss") if isinstance(data, Mapping) else None
    if isinstance(rss, Mapping) and isinstance(rss.get("channel"), Mapping):
        return _rss_json_items(rss["channel"], source)
    raise FeedParseError("JSON that is neither a JSON Feed nor RSS as JSON")
