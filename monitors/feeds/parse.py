"""Feed bytes -> items. RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed, and RSS written as JSON.

The stages, one module each under monitors/feeds/:
- sniff: gzip undone, JSON told from XML, HTML pages and bodies that are no feed refused;
- charset: the bytes settled as UTF-8 (UTF-16/32 included) before any parser sees them;
- formats/xmlfeed: feedparser-rs first, feedparser when formats/fallback finds it would read more;
- formats/jsonfeed: JSON Feed and RSS as JSON;
- text, dates, urls: the fields of an entry to plain text, aware datetimes and safe links.
Measured against ../shared/corpus/feeds and the peer suites under ../shared/corpus/peers
(tests/feeds/test_parse_peers.py) and on synthetic feeds (bench/poll.py).
"""

from __future__ import annotations

from monitors.feeds.charset import from_wide, to_utf8
from monitors.feeds.formats import is_empty
from monitors.feeds.formats.jsonfeed import parse_json
from monitors.feeds.formats.xmlfeed import parse_xml_entries
from monitors.feeds.sniff import MAX_DECOMPRESSED_BYTES, FeedParseError, gunzip, looks_like_feed, sniff
from monitors.models import FeedItem


def parse_entries(
    body: bytes,
    *,
    source: str | None = None,
    charset: str | None = None,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> list[FeedItem]:
    """Every entry of a feed body in document order, those that carry nothing (no title, text,
    link or id) included. `source` is the feed's URL: relative links are resolved against it.
    Raises FeedParseError when the body is not a feed."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_decompressed_bytes)
    body = from_wide(body)
    if sniff(body) == "json":
        return parse_json(body, source)
    entries = parse_xml_entries(to_utf8(body, charset), source)
    if all(is_empty(entry) for entry in entries) and not looks_like_feed(body):
        raise FeedParseError("not a feed: no RSS, Atom or RDF element")
    return entries


def parse_feed(
    body: bytes,
    *,
    source: str | None = None,
    charset: str | None = None,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> list[FeedItem]:
    """Every item of a feed body that carries a title, text, a link or an id. Raises
    FeedParseError when the body is not a feed."""
    entries = parse_entries(
        body, source=source, charset=charset, max_decompressed_bytes=max_decompressed_bytes
    )
    return [entry for entry in entries if not is_empty(entry)]


__all__ = ["MAX_DECOMPRESSED_BYTES", "FeedParseError", "parse_entries", "parse_feed"]
