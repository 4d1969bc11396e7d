"""The list of feeds to poll: an OPML export of a feed reader, or one URL per line (# comments)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from monitors.errors import ConfigError
from monitors.feeds.urls import http_url


@dataclass(frozen=True, slots=True)
class FeedSource:
    url: str
    title: str | None = None


def _check_url(url: str, where: str) -> str:
    if http_url(url) is None or any(c.isspace() for c in url):
        raise ConfigError(f"{where}: not an http(s) feed URL: {url!r}")
    return url


def _from_opml(text: str, name: str) -> list[FeedSource]:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ConfigError(f"{name}: malformed OPML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise ConfigError(f"{name}: expected an <opml> document, found <{root.tag}>")
    feeds = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            title = outline.get("title") or outline.get("text")
            feeds.append(FeedSource(_check_url(url.strip(), name), title))
    return feeds


def _from_lines(text: str, name: str) -> list[FeedSource]:
    feeds = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if url:
            feeds.append(FeedSource(_check_url(url, f"{name}, line {number}")))
    return feeds


def parse_feed_list(text: str, name: str = "feeds file") -> list[FeedSource]:
    """Feeds in file order, each URL once."""
    text = text.lstrip("\ufeff")
    start = text.lstrip()[:200].lower()
    is_opml = start.startswith("<?xml") or start.startswith("<opml")
    feeds = _from_opml(text, name) if is_opml else _from_lines(text, name)
    if not feeds:
        raise ConfigError(f"{name}: no feed URLs found")
    unique: dict[str, FeedSource] = {}
    for feed in feeds:
        unique.setdefault(feed.url, feed)
    return list(unique.values())


def load_feed_list(path: Path | None = None) -> list[FeedSource]:
    """The feeds in `path`, or the monitor's own list of real sources when `path` is None."""
    if path is None:
        default = resources.files("monitors.feeds") / "sources" / "default.opml"
        return parse_feed_list(default.read_text(encoding="utf-8"), "built-in feed list")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"feeds file {path}: cannot read: {exc.strerror}") from exc
    return parse_feed_list(text, str(path))
