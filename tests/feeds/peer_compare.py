"""migwatch's reading of a peer-suite file against the suite's expectation and feedparser's reading.

Text on both sides is normalised the same way before comparing: markup read by the standard
library's HTML parser (not by migwatch's), script and style dropped, entities decoded, whitespace
folded. Dates compare as instants. A mismatch is a (field, detail) pair; `compare` returns all of
a file's.
"""

from __future__ import annotations

import datetime as dt
import warnings
from html.parser import HTMLParser
from typing import Any

import feedparser

from monitors.feeds.formats import UNTITLED, is_empty
from monitors.feeds.parse import FeedParseError, parse_entries
from monitors.models import FeedItem
from tests.feeds.peer_expectations import Case, Fields

Mismatch = tuple[str, str]  # (field, what differs)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip += tag in ("script", "style")
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def normal(value: Any) -> str:
    if not isinstance(value, str):
        return "" if value is None else str(value)
    reader = _Text()
    reader.feed(value)
    reader.close()
    return " ".join("".join(reader.parts).split())


def meaningful(entry: Any) -> bool:
    """An entry a reader would see: it has a title, text, a link or an id."""
    if entry.get("link") or entry.get("id"):
        return True
    content = entry.get("content")
    if isinstance(content, list):  # feedparser's entries: a list of content objects
        content = content[0].get("value") if content else None
    return any(normal(v) for v in (entry.get("title"), entry.get("summary"), content))


def feedparser_reading(case: Case) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return feedparser.parse(case.path.read_bytes(), response_headers=case.headers or None)


def _http_charset(headers: dict[str, str]) -> str | None:
    _, _, rest = headers.get("content-type", "").partition("charset")
    value = rest.strip().lstrip("=").strip().strip("\"'").split(";")[0].strip()
    return value or None


def read(case: Case) -> list[FeedItem] | str:
    """migwatch's entries of the file (empty ones included), or the reason it is not a feed."""
    try:
        return parse_entries(
            case.path.read_bytes(), source=case.feed_url, charset=_http_charset(case.headers)
        )
    except FeedParseError as exc:
        return f"not a feed: {exc}"


def expected_entries(case: Case, parsed: Any) -> list[Fields]:
    """The suite's expected entries in document order, empty ones included; for feedparser's
    suite, its Expect: clauses placed on the entries feedparser reads."""
    if case.suite != "feedparser":
        return list(case.entries or [])
    entries = []
    for index, entry in enumerate(parsed.entries):
        stated = dict(case.by_feedparser_index.get(index, {}))
        updated = stated.pop("updated", None)
        if "published" not in stated and not entry.get("published_parsed") and updated:
            stated["published"] = updated
        entries.append(stated)
    return entries


def _same_text(ours: str, theirs: Any) -> bool:
    return normal(ours) == normal(theirs)


def _seconds(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(microsecond=0) if moment else None


def _compare_entry(item: FeedItem, stated: Fields) -> list[Mismatch]:
    ours: dict[str, Any] = {
        "title": "" if item.title == UNTITLED else item.title,
        "link": item.url,
        "id": item.id,
        "summary": item.summary or item.content,
        "content": item.content or item.summary,
        "published": item.published,
    }
    out = []
    for name, value in stated.items():
        if value is None or value == "":
            continue
        if name == "published":
            if isinstance(value, dt.datetime) and _seconds(ours[name]) != _seconds(value):
                out.append((name, f"{ours[name]} != {value.isoformat()}"))
        elif not _same_text(ours[name] or "", value):
            out.append((name, f"{normal(ours[name])[:80]!r} != {normal(value)[:80]!r}"))
    return out


def _refusal_counts(case: Case, parsed: Any) -> bool:
    """A refusal is wrong when feedparser reads entries, or a version in a suite whose every
    file is a feed (the W3C validator's cases include service documents, KML and OPML)."""
    if any(meaningful(e) for e in parsed.entries):
        return True
    return bool(parsed.get("version")) and case.suite != "feedvalidator" and "invalid" not in case.name


def compare(case: Case) -> list[Mismatch]:
    """Every way migwatch's reading of the file differs from the suite's and feedparser's."""
    with warnings.catch_warnings():  # feedparser's warnings on reading its own result's `updated`
        warnings.simplefilter("ignore", DeprecationWarning)
        return _compare(case)


def _compare(case: Case) -> list[Mismatch]:
    try:
        entries = read(case)
    except Exception as exc:  # the first thing the test asserts: no exception escapes
        return [("crash", f"{type(exc).__name__}: {exc}")]
    parsed = feedparser_reading(case)
    if isinstance(entries, str):
        return (
            [("entries", f"feedparser reads a {parsed.version} feed; {entries}")]
            if _refusal_counts(case, parsed)
            else []
        )
    expected = expected_entries(case, parsed)
    items = [e for e in entries if not is_empty(e)]
    wanted = max(sum(map(meaningful, expected)), sum(map(meaningful, parsed.entries)))
    out: list[Mismatch] = []
    if len(items) < wanted:
        out.append(("entries", f"{len(items)} < {wanted}"))
    if len(expected) == len(entries):
        pairs = zip(entries, expected, strict=True)
    else:  # the parsers disagree on empty shells: compare the entries that carry anything
        pairs = zip(items, [e for e in expected if meaningful(e)], strict=False)
    for item, stated in pairs:
        out.extend(_compare_entry(item, stated))
    return out
