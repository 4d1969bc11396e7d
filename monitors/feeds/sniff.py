"""What a body is before any parser reads it: gzip undone, JSON told from XML, HTML pages and
bodies that are no feed refused, entry tags counted (so the XML reader knows when the fast parser
missed some)."""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Literal

MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024

ENTRY_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s>/]")
_ROOT_TAG = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF|channel)\b")


class FeedParseError(ValueError):
    """The body is not a feed any parser can read."""


def gunzip(body: bytes, limit: int) -> bytes:
    """A gzip body served without Content-Encoding, decompressed up to `limit` bytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise FeedParseError(f"broken gzip body: {exc}") from exc
    if len(data) > limit:
        raise FeedParseError(f"gzip body decompresses to more than {limit} bytes")
    return data


def sniff(body: bytes) -> Literal["json", "xml"]:
    """Which reader the body is for; FeedParseError when it is neither, or an HTML page."""
    head = body[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    if not head:
        raise FeedParseError("empty body")
    if head[:1] in (b"{", b"["):
        return "json"
    if not head.startswith(b"<"):
        raise FeedParseError("not a feed: the body is neither XML nor JSON")
    lowered = head[:512].lower()
    if (b"<html" in lowered or b"<!doctype html" in lowered) and not looks_like_feed(body):
        raise FeedParseError("not a feed: an HTML page")
    return "xml"


def looks_like_feed(body: bytes) -> bool:
    """The body has an entry tag, or a feed's root element near its start."""
    return bool(ENTRY_TAG.search(body) or _ROOT_TAG.search(body[:4096]))


def entry_tags(body: bytes) -> int:
    """How many entries the document has, counted by their opening tags."""
    plain = sum(body.count(tag) for tag in (b"<item>", b"<item ", b"<entry>", b"<entry "))
    return plain or len(ENTRY_TAG.findall(body))  # prefixed (<rss:item>) or unusual spacing
