"""A JSON Feed field of a type it may not have (lemon24/reader's and feedparser's fixtures have
`"title": 1000`, `"title": ["x"]`, `"content_html": true`) is read as absent, the rest of the item
kept, and the item says why (issue 14): never an exception, never a silent change."""

from __future__ import annotations

import json
from pathlib import Path

from flows import pipeline
from flows.reports import render_table
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.limits import FetchLimits
from monitors.feeds.parse import parse_feed
from storage.store import list_items, open_engine
from tests.feeds.servers import logging_server, page

LIMITS = FetchLimits(connect_timeout=3, read_timeout=3, feed_timeout=6, concurrency=2)
ITEMS = [
    {"id": "a", "title": 1000, "content_text": "Arrivals at Lampedusa rose to 1,200 on Monday."},
    {"id": "b", "title": ["x"], "content_html": True, "summary": "Channel crossings resumed."},
    {"id": 7, "title": "Numbers as ids are fine", "date_published": {}, "content_text": "Body."},
    {"id": "d", "title": "All well typed", "content_text": "Nothing wrong here."},
]
FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Typed", "items": ITEMS}).encode()


def test_each_wrongly_typed_field_is_named_and_the_rest_of_the_item_kept() -> None:
    items = parse_feed(FEED)
    assert [item.ignored for item in items] == [
        "read as absent, of the wrong JSON type: title (a number)",
        "read as absent, of the wrong JSON type: title (a list), content_html (true/false)",
        "read as absent, of the wrong JSON type: date_published (an object)",
        None,
    ]
    assert items[0].content == "Arrivals at Lampedusa rose to 1,200 on Monday."
    assert items[0].title.startswith("Arrivals at Lampedusa")  # the text stands in for the title
    assert items[1].summary == "Channel crossings resumed." and items[2].id == "7"


def test_a_poll_reports_them_per_feed_and_stores_every_item(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'migwatch.db'}")
    with logging_server("127.0.0.1", {"/feed.json": page(FEED, "application/feed+json")}) as server:
        report = pipeline.poll_all(engine, [FeedSource(f"{server.base}/feed.json")], LIMITS, load_topic())
    [feed] = report.feeds
    assert feed.status == "ok" and feed.new_items == len(ITEMS)
    assert [item for item, _ in feed.fields_ignored] == ["a", "b", "7"]
    assert feed.to_dict()["fields_ignored"][1] == {
        "item": "b",
        "reason": "read as absent, of the wrong JSON type: title (a list), content_html (true/false)",
    }
    assert "Fields of the wrong type, read as absent" in render_table(report)
    assert len(list_items(engine)) == len(ITEMS)
