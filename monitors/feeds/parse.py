"""Feed bytes -> items. RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed, and RSS written as JSON.

Parsers, measured on ../shared/corpus/feeds and on synthetic feeds (see the note in bench/poll.py):
feedparser-rs (Rust, feedparser's API, ~35x faster than feedparser) reads XML first; feedparser
reads it again only when the fast parser raised or found fewer entries than the document has
entry tags (illegally nested items, an unescaped ampersand: feedparser's loose parser recovers
more). JSON is read here, since neither reads every JSON shape. Before any parser sees the
bytes, the charset is settled here: a body that is valid UTF-8 is UTF-8 whatever its prolog says,
one that is not is read in its declared charset (else Windows-1252, the superset of Latin-1),
and UTF-8 that was encoded twice is repaired.
"""

from __future__ import annotations

import codecs
import html
import ipaddress
import json
import re
import time
import zlib
from calendar import timegm
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import feedparser_rs

from monitors.models import FeedItem

MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024
UNTITLED = "(untitled)"

_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s>/]")
_PROLOG = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([A-Za-z0-9._:-]+)\2", re.DOTALL)
# A UTF-8 lead byte then continuation bytes, as they look once decoded as Windows-1252/Latin-1.
_CONTINUATION = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00c5\u00ce-\u00d1][{_CONTINUATION}]|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)
# The same, as UTF-8 bytes: a literal \xc3 anchors the search, so clean documents are ruled out fast.
_MOJIBAKE_BYTES = re.compile(
    rb"\xc3[\x82-\x85\x8e-\x91\xa0-\xb4](?:\xc2[\x80-\xbf]|\xe2[\x80-\x84]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c])"
)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)


class FeedParseError(ValueError):
    """The body is not a feed any parser can read."""


# ------------------------------------------------------------------ bytes
def _gunzip(body: bytes, limit: int) -> bytes:
    """A gzip body served without Content-Encoding, decompressed up to `limit` bytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise FeedParseError(f"broken gzip body: {exc}") from exc
    if len(data) > limit:
        raise FeedParseError(f"gzip body decompresses to more than {limit} bytes")
    return data


def _as_byte(char: str) -> bytes:
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        return char.encode("latin-1")


def _undo(match: re.Match[str]) -> str:
    try:
        return b"".join(_as_byte(c) for c in match.group()).decode("utf-8")
    except UnicodeError:
        return match.group()


def _repair_double_utf8(text: str) -> str:
    """UTF-8 that was decoded as Windows-1252 and encoded again ("Ã©" for "é") is undone, one
    character at a time, so a document that mixes both is repaired too."""
    if not _MOJIBAKE.search(text):
        return text
    return _MOJIBAKE.sub(_undo, text)


def _declared_charset(head: bytes) -> str | None:
    match = _PROLOG.match(head)
    if match is None:
        return None
    name = match.group(3).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def to_utf8(body: bytes, http_charset: str | None = None) -> bytes:
    """The document as UTF-8 bytes with a prolog that says so."""
    body = body.removeprefix(codecs.BOM_UTF8).lstrip()
    try:
        text = body.decode("utf-8")
        if not _MOJIBAKE_BYTES.search(body) or not _MOJIBAKE.search(
            text
        ):  # the common case: already right, only the prolog may lie
            return _PROLOG.sub(rb"\1\2utf-8\2", body, count=1)
    except UnicodeDecodeError:
        if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = body.decode("utf-16", errors="replace")
        else:
            charset = _declared_charset(body[:300]) or http_charset
            if charset in (None, "utf-8", "ascii"):
                charset = "cp1252"  # a feed that claims UTF-8 and is not is nearly always Latin-1
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("cp1252", errors="replace")
    text = _repair_double_utf8(text)
    data = text.lstrip("\ufeff").lstrip().encode("utf-8")
    return _PROLOG.sub(rb"\1\2utf-8\2", data, count=1)


# ------------------------------------------------------------------ text
def plain_text(value: str | None) -> str:
    """Markup to one line of text: tags dropped, entities decoded, whitespace folded."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    if "<" in value:
        value = _TAG.sub(" ", _BLOCK_END.sub(" ", _SCRIPT.sub(" ", value)))
    if "&" in value:
        value = html.unescape(html.unescape(value))  # some feeds escape their entities twice
        if "<" in value:
            value = _TAG.sub(" ", _SCRIPT.sub(" ", value))
    return " ".join(value.split())


_PUBLIC_NAME = re.compile(r"https?://(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::\d{1,5})?(?:[/?#]|$)", re.IGNORECASE)


def _private_host(url: str) -> bool:
    if _PUBLIC_NAME.match(url) and "localhost" not in url[:40].lower():
        return False  # a dotted name ending in letters: not an IP literal, not localhost
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return True
    if host == "localhost" or host.endswith(".localhost") or not host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def safe_url(value: Any) -> str | None:
    """Only http(s) links to public hosts are kept: never javascript:, data: or file:, nor a link
    into a private network that fetching the article would reach (feedparser-rs drops those too)."""
    if not isinstance(value, str):
        return None
    url = html.unescape(value.strip())
    if not url.lower().startswith(("http://", "https://")) or " " in url or "<" in url:
        return None
    return None if _private_host(url) else url


def _when(parsed: Any) -> datetime | None:
    if isinstance(parsed, time.struct_time | tuple) and len(parsed) >= 6:
        try:
            return datetime.fromtimestamp(timegm(tuple(parsed)[:9]), UTC)
        except (OverflowError, ValueError, TypeError):
            return None
    return None


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rfc822(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------ XML
def _content_value(entry: Any) -> str:
    content = entry.get("content")
    if isinstance(content, list | tuple) and content:
        first = content[0]
        value = first.get("value") if isinstance(first, Mapping) else getattr(first, "value", None)
        return value if isinstance(value, str) else ""
    return ""


def _xml_items(parsed: Any, source: str | None) -> list[FeedItem]:
    items = []
    for entry in parsed.entries:
        title = plain_text(entry.get("title"))
        summary = plain_text(entry.get("summary"))
        content = plain_text(_content_value(entry))
        url = safe_url(entry.get("link"))
        guid = entry.get("id")
        if not (title or summary or content or url or guid):
            continue  # an empty shell, e.g. an illegally nested <item>
        published = _when(entry.get("published_parsed")) or _when(entry.get("updated_parsed"))
        items.append(
            FeedItem(
                id=str(guid).strip() if guid else "",
                title=title or summary[:120] or url or UNTITLED,
                summary=summary if summary != content else "",
                content=content,
                url=url,
                published=published,
                source=source,
            )
        )
    return items


def _entry_tags(body: bytes) -> int:
    plain = sum(body.count(tag) for tag in (b"<item>", b"<item ", b"<entry>", b"<entry "))
    return plain or len(_ENTRY_TAG.findall(body))  # prefixed (<rss:item>) or unusual spacing


def _parse_xml(body: bytes, source: str | None) -> list[FeedItem]:
    expected = _entry_tags(body)
    fast: list[FeedItem] = []
    try:
        fast = _xml_items(feedparser_rs.parse(body), source)
    except Exception:  # a Rust parser error of any kind means: ask feedparser
        fast = []
    if fast and len(fast) >= expected:
        return fast
    slow = _xml_items(feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False), source)
    return slow if len(slow) > len(fast) else fast


# ------------------------------------------------------------------ JSON
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
                published=_iso(entry.get("date_published")) or _iso(entry.get("date_modified")),
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
        published = _rfc822(entry.get("pubDate"))
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


def _parse_json(body: bytes, source: str | None) -> list[FeedItem]:
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


# ------------------------------------------------------------------ entry point
def parse_feed(
    body: bytes,
    *,
    source: str | None = None,
    charset: str | None = None,
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES,
) -> list[FeedItem]:
    """Every item of a feed body. Raises FeedParseError when the body is not a feed."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, max_decompressed_bytes)
    head = body[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    if not head:
        raise FeedParseError("empty body")
    if head[:1] in (b"{", b"["):
        return _parse_json(body, source)
    if not head.startswith(b"<"):
        raise FeedParseError("not a feed: the body is neither XML nor JSON")
    lowered = head[:512].lower()
    if (b"<html" in lowered or b"<!doctype html" in lowered) and not _ENTRY_TAG.search(body):
        raise FeedParseError("not a feed: an HTML page")
    items = _parse_xml(to_utf8(body, charset), source)
    if (
        not items
        and not _ENTRY_TAG.search(body)
        and not re.search(rb"<(?:\w+:)?(?:rss|feed|RDF|channel)\b", body[:4096])
    ):
        raise FeedParseError("not a feed: no RSS, Atom or RDF element")
    return items


__all__ = ["FeedParseError", "parse_feed", "plain_text", "safe_url", "to_utf8"]
