"""RSS and Atom: feedparser-rs (Rust, feedparser's API, ~35x faster than feedparser) reads every
document first; feedparser reads it again only when formats/fallback.py finds a sign, in the fast
reading or in the bytes, that feedparser reads it better: then feedparser's reading replaces the
fast one (`misread`) or fills the fields the fast one lacks (`gaps`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import feedparser
import feedparser_rs

from monitors.feeds.dates import entry_date
from monitors.feeds.formats import UNTITLED, is_empty
from monitors.feeds.formats.fallback import gaps, misread
from monitors.feeds.text import plain_text
from monitors.feeds.urls import safe_url
from monitors.models import FeedItem

# feedparser-rs blanks a link to a literal private or reserved address (127.0.0.1, 10.0.0.5,
# localhost) and keeps the element: such an entry has a link with an empty href. An empty <link/>
# looks the same, so the reason is given only when the document wrote some link as text.
BLANKED = "link to a private, loopback or reserved address (removed by the parser)"
_WRITTEN_LINK = re.compile(rb"<link>\s*(?:<!\[CDATA\[\s*)?https?://", re.IGNORECASE)


def _mark_blanked(body: bytes, parsed: Any, items: list[FeedItem]) -> list[FeedItem]:
    """Each item whose link the fast parser blanked, with the reason: never a silent drop."""
    blanked = [
        index
        for index, (entry, item) in enumerate(zip(parsed.entries, items, strict=True))
        if item.url is None and any(not getattr(link, "href", None) for link in entry.get("links") or ())
    ]
    if not blanked or not _WRITTEN_LINK.search(body):
        return items
    marked = list(items)
    for index in blanked:
        marked[index] = replace(items[index], link_refused=BLANKED)
    return marked


def _content_value(entry: Any) -> str:
    content = entry.get("content")
    if isinstance(content, list | tuple) and content:
        first = content[0]
        value = first.get("value") if isinstance(first, Mapping) else getattr(first, "value", None)
        return value if isinstance(value, str) else ""
    return ""


def _link(entry: Any, feed_url: str | None) -> str | None:
    """The entry's link, made absolute against the feed's URL when the feed wrote it relative
    (a link taken from a guid is never resolved: a guid is a name, not a path)."""
    link = entry.get("link")
    if not isinstance(link, str) or not link.strip():
        return None
    from_guid = entry.get("guidislink") and link == entry.get("id")
    if feed_url and not from_guid and "://" not in link[:12]:
        link = urljoin(feed_url, link.strip())
    return safe_url(link)


def _item(entry: Any, source: str | None) -> FeedItem:
    title = plain_text(entry.get("title"))
    summary = plain_text(entry.get("summary"))
    content = plain_text(_content_value(entry))
    url = _link(entry, source)
    guid = entry.get("id")
    published = entry_date(entry.get("published"), entry.get("published_parsed")) or entry_date(
        entry.get("updated"), entry.get("updated_parsed")
    )
    return FeedItem(
        id=str(guid).strip() if guid else "",
        title=title or summary[:120] or url or UNTITLED,
        summary=summary if summary != content else "",
        content=content,
        url=url,
        published=published,
        source=source,
    )


def read_entries(parsed: Any, source: str | None) -> list[FeedItem]:
    """Every entry a parser read, empty shells included, in document order."""
    return [_item(entry, source) for entry in parsed.entries]


def _slow(body: bytes, source: str | None) -> list[FeedItem]:
    with warnings.catch_warnings():  # feedparser warns about what it recovers from, and about its own
        warnings.simplefilter("ignore")  # mapping of `updated` to `published`: neither is ours to act on
        parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
        return read_entries(parsed, source)


def _fill(fast: FeedItem, slow: FeedItem) -> FeedItem:
    """The fast reading, with the fields it lacks taken from feedparser's."""
    text = {} if fast.summary or fast.content else {"summary": slow.summary, "content": slow.content}
    return replace(
        fast,
        title=slow.title if fast.title == UNTITLED else fast.title,
        url=fast.url or slow.url,
        id=fast.id or slow.id,
        published=fast.published or slow.published,
        **text,
    )


def _best(fast: list[FeedItem], slow: list[FeedItem]) -> list[FeedItem]:
    real = sum(not is_empty(i) for i in slow)
    return slow if real >= sum(not is_empty(i) for i in fast) else fast


def parse_xml_entries(body: bytes, source: str | None) -> list[FeedItem]:
    """Every entry of an XML feed already in UTF-8 (monitors.feeds.charset.to_utf8), empty
    shells included; `source` is the feed's URL, against which relative links are resolved."""
    try:
        parsed = feedparser_rs.parse(body, sanitize_html=False, resolve_relative_uris=False)
        fast = read_entries(parsed, source)
    except Exception:  # a Rust parser error of any kind means: ask feedparser
        return _slow(body, source)
    read = [(e, item) for e, item in zip(parsed.entries, fast, strict=True) if not is_empty(item)]
    if misread(body, parsed, read) is not None:
        return _best(fast, _slow(body, source))
    if gaps(body, read) is None:
        return _mark_blanked(body, parsed, fast)
    slow = _slow(body, source)
    if len(slow) != len(fast):
        return _best(fast, slow)
    return _mark_blanked(body, parsed, [_fill(f, s) for f, s in zip(fast, slow, strict=True)])
