"""The helper process parses and classifies exactly as this process does (real spawned process)."""

from __future__ import annotations

import json
import os
import signal

from flows import parallel
from monitors.classify.topic import load_topic
from monitors.feeds.parse import FeedParseError
from storage.rows import StorableItem

TITLES = [
    "More than 1,200 migrants crossed the Channel on Saturday, Home Office says",
    "Piantedosi and Cooper agree plan on small boats in Rome",
    "Council approves budget item after debate",
]


def _feed(number: int) -> bytes:
    items = "".join(
        f"<item><title>{TITLES[(number + i) % 3]} ({number}-{i})</title>"
        f"<link>https://news{number}.example.com/{i}</link><guid>https://news{number}.example.com/{i}</guid>"
        f"<pubDate>Mon, 02 Jun 2025 {i:02d}:00:00 +0000</pubDate>"
        f"<description>Item {i} of feed {number}, said officials in London and Rome.</description></item>"
        for i in range(3)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()
    )


def _jobs() -> list[parallel.Job]:
    jobs: list[parallel.Job] = [(f"https://news{n}.example.com/rss", _feed(n), None) for n in range(60)]
    jobs[40] = ("https://broken.example.com/rss", b"<html><body>not a feed</body></html>", None)
    return jobs


def _flatten(chunks: list[list[parallel.Parsed]]) -> list[object]:
    return [str(r) if isinstance(r, FeedParseError) else r for chunk in chunks for r in chunk]


def test_helper_process_gives_the_same_entries_and_errors_as_this_process() -> None:
    topic = load_topic(None)
    here = _flatten(list(parallel.parse_chunks(_jobs(), topic, 10**7, use_helper=False)))
    helped = _flatten(list(parallel.parse_chunks(_jobs(), topic, 10**7, use_helper=True)))
    assert parallel._helper is not None  # the second chunk on really went to the helper
    assert helped == here
    assert helped[40] == "not a feed: an HTML page"
    entries = [entry for feed in here if isinstance(feed, list) for entry in feed]
    assert all(isinstance(entry, StorableItem) for feed in helped if isinstance(feed, list) for entry in feed)
    assert any(json.loads(e.crossing_figures) for e in entries)
    assert any(json.loads(e.rules) and e.relevant for e in entries)
    assert len(entries) == 59 * 3


def test_chunks_added_in_any_order_come_back_in_index_order_with_the_same_results() -> None:
    """poll_batch adds a chunk when its last feed is fetched, so chunks arrive out of order."""
    topic = load_topic(None)
    jobs = _jobs()
    chunks = [jobs[i : i + 10] for i in range(0, len(jobs), 10)]
    parallel.warm_up(len(jobs))  # the helper is running: every chunk goes to it
    queue = parallel.ParseQueue(topic, 10**7)
    for index in [3, 0, 5, 1, 4, 2]:
        queue.add(index, chunks[index])
    indices, results = zip(*queue.results(), strict=True)
    assert list(indices) == [0, 1, 2, 3, 4, 5]
    here = _flatten(list(parallel.parse_chunks(jobs, topic, 10**7, use_helper=False)))
    assert _flatten(list(results)) == here


def test_a_dead_helper_costs_nothing_but_time() -> None:
    topic = load_topic(None)
    jobs = _jobs()
    chunks = [jobs[i : i + 10] for i in range(0, len(jobs), 10)]
    parallel.warm_up(len(jobs))
    helper = parallel._helper
    assert helper is not None
    for process in list(helper._processes.values()):  # e.g. the OOM killer
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
    queue = parallel.ParseQueue(topic, 10**7)
    for index, chunk in enumerate(chunks):
        queue.add(index, chunk)
    results = [parsed for _, parsed in queue.results()]
    here = _flatten(list(parallel.parse_chunks(jobs, topic, 10**7, use_helper=False)))
    assert _flatten(results) == here
    parallel.warm_up(len(jobs))  # the next batch starts a new helper
    assert parallel._helper is not None and parallel._helper is not helper


def test_a_json_feed_with_wrongly_typed_fields_is_items_not_an_exception_in_the_helper() -> None:
    """`"content_html": true`, `"title": 1000` and `"title": ["x"]` once raised TypeError out of
    parse_one, in the helper as here (issue 14)."""
    bad = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": ["x"],
            "items": [
                {"id": "1", "title": 1000, "content_html": True, "url": "https://news.example.com/1"},
                {
                    "id": "2",
                    "title": ["x"],
                    "content_text": "Piantedosi and Cooper agree plan on small boats",
                },
            ],
        }
    ).encode()
    topic = load_topic(None)
    jobs = _jobs()
    jobs[45] = ("https://json.example.com/feed.json", bad, None)
    parallel.warm_up(len(jobs))  # the helper is running: the chunk holding the bad feed goes to it
    helped = _flatten(list(parallel.parse_chunks(jobs, topic, 10**7, use_helper=True)))
    here = _flatten(list(parallel.parse_chunks(jobs, topic, 10**7, use_helper=False)))
    assert helped == here
    feed = helped[45]
    assert isinstance(feed, list) and len(feed) == 2
    assert [entry.url for entry in feed] == ["https://news.example.com/1", None]
