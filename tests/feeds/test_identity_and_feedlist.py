"""Item identity, canonical links, the feeds file, and the back-off schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from monitors.errors import ConfigError
from monitors.feeds.feedlist import load_feed_list, parse_feed_list
from monitors.feeds.identity import canonical_url, identity
from monitors.models import FeedItem
from storage.feeds import backoff

FEED = "https://news.example/feed"


def test_canonical_url_drops_tracking_parameters_and_fragment_noise() -> None:
    url = "HTTPS://Example.org:443/a/b?id=7&utm_source=rss&utm_medium=feed&fbclid=x#xtor=RSS-1"
    assert canonical_url(url) == "https://example.org/a/b?id=7"


def test_identity_prefers_guid_then_canonical_link_then_hash() -> None:
    with_guid = FeedItem(id="tag:example.org,2025:1", title="A", url="https://e.org/x")
    assert identity(with_guid, FEED) == "guid:tag:example.org,2025:1"
    local_guid = FeedItem(id="1234", title="A")
    assert identity(local_guid, FEED) == f"guid:{FEED}#1234"
    linked = FeedItem(id="", title="A", url="https://e.org/x?utm_campaign=z")
    assert identity(linked, FEED) == "url:https://e.org/x"
    bare = FeedItem(id="", title="A", summary="text")
    assert identity(bare, FEED).startswith("hash:")
    # the identity survives an edit of the text, so the stored item is updated, not duplicated
    assert identity(FeedItem(id="", title="A", url="https://e.org/x", summary="new"), FEED) == identity(
        linked, FEED
    )


def test_feed_list_reads_opml_and_text_files(tmp_path: Path) -> None:
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="g">'
        '<outline text="One" xmlUrl="https://a.example/rss"/>'
        '<outline text="Two" xmlUrl="http://b.example/atom"/></outline></body></opml>'
    )
    feeds = parse_feed_list(opml)
    assert [(f.url, f.title) for f in feeds] == [
        ("https://a.example/rss", "One"),
        ("http://b.example/atom", "Two"),
    ]
    text = tmp_path / "feeds.txt"
    text.write_text("# my feeds\nhttps://a.example/rss\n\nhttps://a.example/rss\nhttps://c.example/x\n")
    assert [f.url for f in load_feed_list(text)] == ["https://a.example/rss", "https://c.example/x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<opml><body><outline", "malformed OPML"),
        ("# nothing\n", "no feed URLs"),
        ("file:///etc/passwd\n", "line 1: not an http(s) feed URL"),
    ],
)
def test_malformed_feed_lists_are_config_errors(content: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_feed_list(content, "feeds.txt")


def test_builtin_feed_list_has_government_outlets_in_two_languages_and_name_searches() -> None:
    urls = [f.url for f in load_feed_list()]
    assert any("gov.uk" in u and "home-office" in u for u in urls)
    assert any("hl=it" in u for u in urls) and any("hl=en" in u for u in urls)
    assert any(".it/" in u for u in urls) and any("theguardian.com" in u for u in urls)


def test_backoff_doubles_per_failure_and_honours_a_longer_retry_after() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert backoff(50) == timedelta(hours=12)
    assert backoff(1, retry_after=7200) == timedelta(hours=2)
