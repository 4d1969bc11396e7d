"""A feed's own title (the channel's or the feed's <title>, or a JSON Feed's "title"), read from the
head of its body.

Only feeds that the feeds file names without a title need it, and only once (it is stored with the
feed), so it is read here, in the process that stores, from the first HEAD_BYTES of an XML body
(a JSON body is read whole), rather than carried back from the parser process with every item.
"""

from __future__ import annotations

import json
import re
import zlib

from monitors.feeds.charset import to_utf8
from monitors.feeds.sniff import ENTRY_TAG, MAX_DECOMPRESSED_BYTES
from monitors.feeds.text import plain_text

HEAD_BYTES = 16 * 1024
MAX_TITLE = 200
# The first <title> before the first item or entry: the channel's (RSS, RDF) or the feed's (Atom).
_TITLE = re.compile(
    rb"<(?:[A-Za-z][\w.-]*:)?title\b[^>]*>(.*?)</(?:[A-Za-z][\w.-]*:)?title\s*>", re.DOTALL | re.IGNORECASE
)
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _head(body: bytes, size: int = HEAD_BYTES) -> bytes:
    if body[:2] == b"\x1f\x8b":  # gzip served without Content-Encoding
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, size)
        except zlib.error:
            return b""
    return body[:size]


def _tidy(text: str) -> str | None:
    title = plain_text(text)
    if not title:
        return None
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def _json_title(body: bytes) -> str | None:
    """A JSON Feed's "title", or RSS-as-JSON's channel title: JSON is read whole (it is small
    next to parsing it for its items, and read once per feed)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("title")
    if value is None and isinstance(data.get("rss"), dict):
        channel = data["rss"].get("channel")
        value = channel.get("title") if isinstance(channel, dict) else None
    return _tidy(value) if isinstance(value, str) else None


def feed_title(body: bytes, charset: str | None = None) -> str | None:
    """The feed's own title as one line of plain text, or None when it has none (or is no feed)."""
    head = _head(body)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        whole = _head(body, MAX_DECOMPRESSED_BYTES) if body[:2] == b"\x1f\x8b" else body
        return _json_title(whole.removeprefix(b"\xef\xbb\xbf"))
    if len(head) < len(body):
        head = head[: head.rfind(b">") + 1]  # never cut a multibyte character in two
    head = to_utf8(head, charset)
    entry = ENTRY_TAG.search(head)
    match = _TITLE.search(head, 0, entry.start() if entry else len(head))
    if match is None:
        return None
    raw = _CDATA.sub(lambda m: m.group(1).replace(b"&", b"&amp;").replace(b"<", b"&lt;"), match.group(1))
    return _tidy(raw.decode("utf-8", errors="replace"))
