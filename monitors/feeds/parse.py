"""Feed bytes -> items. RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed, and RSS written as JSON.

The stages, one module each under monitors/feeds/:
- sniff: gzip undone, JSON told from XML, HTML pages and bodies that are no feed refused;
- charset: the bytes settled as UTF-8 before any XML parser sees them;
- formats/xmlfeed: feedparser-rs first, feedparser when the fast parser missed entries;
- formats/jsonfeed: JSON Feed and RSS as JSON;
- text, dates, urls: the fields of an entry to plain text, aware datetimes and safe links.
Parsers measured on ../shared/corpus/feeds and on synthetic feeds (see the note in bench/poll.py).
"""

from __future__ import annotations

from monitors.feeds.charset import to_utf8
from monitors.feeds.formats.jsonfeed import parse_json
from monitors.feeds.formats.xmlfeed import parse_xml
from monitors.feeds.sniff import MAX_DECOMPRESSED_BYTES, FeedParseError, gunzip, looks_like_feed, sniff
from monitors.models import FeedItem


def parse_feed(
    body: bytes,
    *,
    source: str | None = None,
    charset: str | None = None,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> list[FeedItem]:
    """Every item of a feed body. Raises FeedParseError when the body is not a feed."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_decompressed_bytes)
    if sniff(body) == "json":
        return parse_json(body, source)
    items = parse_xml(to_utf8(body, charset), source)
    if not items and not looks_like_feed(body):
        raise FeedParseError("not a feed: no RSS, Atom or RDF element")
    return items


__all__ = ["MAX_DECOMPRESSED_BYTES", "FeedParseError", "parse_feed"]
