"""What each peer suite under ../shared/corpus/peers expects of a feed file, read from the suite's
own files: feedparser's `Expect:` lines, lemon24/reader's `NAME.py`, gofeed's and feed-rs's JSON
beside the input. The W3C validator's cases name validator messages only, so for them (and for
every file) feedparser's own reading says which entries exist.

An expectation is a list of entries in document order, each with the fields the suite states among
title, link, id, published, summary and content (None: the suite states the field is absent).
"""

from __future__ import annotations

import ast
import codecs
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PEERS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "peers"
FEED_URL = "http://example.com/peers/"  # the URL each file is "fetched" from; relative links resolve to it
INPUT_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json")
Fields = dict[str, Any]


@dataclass
class Case:
    path: Path
    headers: dict[str, str] = field(default_factory=dict)
    entries: list[Fields] | None = None  # in document order; None: the suite states no entries
    by_feedparser_index: dict[int, Fields] = field(default_factory=dict)  # feedparser: entries[i]

    @property
    def name(self) -> str:
        return self.path.relative_to(PEERS).as_posix()

    @property
    def suite(self) -> str:
        return self.path.relative_to(PEERS).parts[0]

    @property
    def feed_url(self) -> str:
        return self.headers.get("content-location") or FEED_URL + self.name


# ------------------------------------------------------------------ which files are inputs
def input_files() -> list[Path]:
    files = []
    for path in sorted(PEERS.rglob("*")):
        if not path.is_file() or not path.name.endswith(INPUT_SUFFIXES):
            continue
        suite = path.relative_to(PEERS).parts[0]
        if suite == "feed-rs" and path.name.endswith(".serde.json"):
            continue
        expectation = path.name.endswith("_expected.json") or path.with_suffix(".xml").exists()
        if suite == "gofeed" and path.suffix == ".json" and expectation:
            continue  # an expectation beside its input
        if suite == "reader" and path.suffix == ".json" and not path.with_name(path.name + ".py").exists():
            continue
        files.append(path)
    return files


def load(path: Path) -> Case:
    suite = path.relative_to(PEERS).parts[0]
    case = Case(path)
    if suite == "feedparser":
        _feedparser(case)
    elif suite == "reader":
        case.entries = _reader(path)
    elif suite == "gofeed":
        case.entries = _gofeed(path)
    elif suite == "feed-rs":
        case.entries = _feed_rs(path)
    return case


# ------------------------------------------------------------------ feedparser: Expect: lines
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_FIELD_PATHS = {
    ("title",): "title",
    ("title_detail", "value"): "title",
    ("link",): "link",
    ("id",): "id",
    ("guid",): "id",
    ("description",): "summary",
    ("summary",): "summary",
    ("summary_detail", "value"): "summary",
    ("content", 0, "value"): "content",
    ("published_parsed",): "published",
    ("updated_parsed",): "updated",
}


def _head_text(body: bytes) -> str:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    for name in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):  # no BOM: '<' tells the width
        width = 4 if "32" in name else 2
        probe = "<".encode(name)
        if body[:width] == probe:
            return body.decode(name, errors="replace")
    return body.decode("utf-8", errors="replace")


def _subscripts(node: ast.expr) -> tuple[str, tuple[Any, ...]] | None:
    keys: list[Any] = []
    while isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant):
            return None
        keys.append(node.slice.value)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, tuple(reversed(keys))


def _clauses(expression: ast.expr) -> list[ast.expr]:
    if isinstance(expression, ast.BoolOp) and isinstance(expression.op, ast.And):
        return [c for value in expression.values for c in _clauses(value)]
    return [expression]


def _feedparser(case: Case) -> None:
    text = _head_text(case.path.read_bytes())
    comment = _COMMENT.search(text)
    if comment is None:
        return
    expect = ""
    for line in comment.group(1).splitlines():
        name, _, value = line.strip().partition(":")
        if name == "Header":
            key, _, header = value.strip().partition(":")
            case.headers[key.strip().lower()] = header.strip()
        elif name == "Expect":
            expect = value.strip()
    try:
        tree = ast.parse(expect, mode="eval").body
    except SyntaxError:
        return
    for clause in _clauses(tree):
        if not (
            isinstance(clause, ast.Compare) and len(clause.ops) == 1 and isinstance(clause.ops[0], ast.Eq)
        ):
            continue
        target = _subscripts(clause.left)
        if target is None or target[0] != "entries" or len(target[1]) < 2:
            continue
        index, *rest = target[1]
        name = _FIELD_PATHS.get(tuple(rest))
        if name is None or not isinstance(index, int):
            continue
        try:
            value = ast.literal_eval(clause.comparators[0])
        except ValueError:
            continue
        if name in ("published", "updated"):
            value = dt.datetime(*value[:6], tzinfo=dt.UTC) if isinstance(value, tuple) else None
        case.by_feedparser_index.setdefault(index, {})[name] = value


# ------------------------------------------------------------------ lemon24/reader: NAME.py
class _Record(dict[str, Any]):
    """Stands in for reader's record types: keyword arguments kept, read as keys or attributes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def _reader(path: Path) -> list[Fields] | None:
    expected = path.with_name(path.name + ".py")
    if not expected.exists():
        return None
    module = ast.parse(expected.read_text())
    module.body = [n for n in module.body if not isinstance(n, ast.Import | ast.ImportFrom)]
    names: dict[str, Any] = {
        "datetime": dt,
        "url_base": FEED_URL + "reader/",
        "rel_base": FEED_URL + "reader/",
    }
    for record in ("FeedData", "EntryData", "Content", "Enclosure", "EntrySource", "Author"):
        names[record] = type(record, (_Record,), {})
    exec(compile(module, str(expected), "exec"), names)
    entries = []
    for entry in names.get("entries") or []:
        contents = [c for c in entry.get("content") or () if c.get("type") != "text/plain"]
        entries.append(
            {
                "title": entry.get("title"),
                "link": entry.get("link"),
                "id": entry.get("id"),
                "published": entry.get("published") or entry.get("updated"),
                "summary": entry.get("summary"),
                "content": contents[0]["value"] if contents else None,
            }
        )
    return entries


# ------------------------------------------------------------------ gofeed: NAME.json beside NAME.xml
def _gofeed_link(links: Any) -> str | None:
    for link in links or []:
        if isinstance(link, dict) and link.get("rel") in (None, "", "alternate"):
            return str(link.get("href")) if link.get("href") else None
    return None


def _gofeed(path: Path) -> list[Fields] | None:
    parts = path.relative_to(PEERS).parts
    if path.suffix == ".json":
        expected = path.with_name(path.stem + "_expected.json")
    else:
        expected = path.with_suffix(".json")
    if not expected.exists():
        return None
    data = json.loads(expected.read_text())
    kind = parts[2] if parts[1] == "parser" else "universal"
    if kind == "rss":
        return [
            {
                "title": i.get("title"),
                "link": i.get("link"),
                "id": (i.get("guid") or {}).get("value"),
                "published": _when(i.get("pubDate")),
                "summary": i.get("description"),
                "content": i.get("content"),
            }
            for i in data.get("items") or []
        ]
    if kind == "atom":
        return [
            {
                "title": e.get("title"),
                "link": _gofeed_link(e.get("links")),
                "id": e.get("id"),
                "published": _when(e.get("published") or e.get("updated")),
                "summary": e.get("summary"),
                "content": (e.get("content") or {}).get("value"),
            }
            for e in data.get("entries") or []
        ]
    if kind == "json":
        return [
            {
                "title": i.get("title"),
                "link": i.get("url") or i.get("external_url"),
                "id": i.get("id"),
                "published": _when(i.get("date_published") or i.get("date_modified")),
                "summary": i.get("summary"),
                "content": i.get("content_html") or i.get("content_text"),
            }
            for i in data.get("items") or []
        ]
    return [
        {
            "title": i.get("title"),
            "link": i.get("link"),
            "id": i.get("guid"),
            "published": _when(i.get("publishedParsed") or i.get("updatedParsed")),
            "summary": i.get("description"),
            "content": i.get("content"),
        }
        for i in data.get("items") or []
    ]


# ------------------------------------------------------------------ feed-rs: NAME.serde.json
def _feed_rs(path: Path) -> list[Fields] | None:
    expected = path.with_name(path.stem + ".serde.json")
    if not expected.exists():
        return None
    data = json.loads(expected.read_text())
    entries = []
    for entry in data.get("entries") or []:
        links = entry.get("links") or []
        entries.append(
            {
                "title": (entry.get("title") or {}).get("content"),
                "link": links[0].get("href") if links else None,
                "id": entry.get("id"),
                "published": _when(entry.get("published") or entry.get("updated")),
                "summary": (entry.get("summary") or {}).get("content"),
                "content": (entry.get("content") or {}).get("body"),
            }
        )
    return entries


def _when(value: Any) -> dt.datetime | None:
    """An expected date as the suites write them (ISO 8601, or RFC 822 in gofeed's raw fields)."""
    if not isinstance(value, str) or not value.strip():
        return None
    from dateutil import parser as dateparser

    try:
        moment = dateparser.parse(value)
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
