"""A whole poll cycle against the real corpus and hostile servers on 127.0.0.1, with a real SQLite
database: every bad feed is one row with a reason, the good feeds beside them are stored."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flows import parallel, pipeline
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.limits import FetchLimits
from monitors.models import FeedItem
from storage.store import ensure_feeds, feed_health, list_items, open_engine, store_items
from tests.support.feedserver import HOSTILE, closed_port, corpus_files, feed_server

# Long enough that a real feed of the corpus answers on a loaded 2-core machine (with 2 s, one of
# them timed out under two busy loops), short of the 30 s the hanging and trickling servers last.
LIMITS = FetchLimits(
    connect_timeout=10,
    read_timeout=6,
    feed_timeout=12,
    max_body_bytes=5 * 1024 * 1024,
    max_redirects=3,
    concurrency=32,
    user_agent="migwatch-test/1.0",
)
NOT_FEEDS = {"not_a_feed_html_document_moved.rss"}


def test_poll_reports_each_hostile_feed_and_stores_the_good_ones(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'migwatch.db'}")
    topic = load_topic()
    lines: list[str] = []
    with feed_server() as base:
        corpus = {f"{base}/corpus/{p.name}": p.name for p in corpus_files()}
        hostile = {f"{base}{path}": reason for path, reason in HOSTILE.items()}
        hostile[f"http://127.0.0.1:{closed_port()}/feed.xml"] = "cannot connect"
        scripts = f"{base}/scripts"
        feeds = [FeedSource(url) for url in [*corpus, *hostile, scripts]]

        first = pipeline.poll_all(engine, feeds, LIMITS, topic, batch_size=40, progress=lines.append)
        by_url = {f.url: f for f in first.feeds}
        assert [f.url for f in first.feeds] == [f.url for f in feeds]
        assert len(lines) == len(feeds)  # one progress line per feed

        for url, reason in hostile.items():
            assert by_url[url].status == "error", url
            assert reason in by_url[url].error, (url, by_url[url].error)
        for url, name in corpus.items():
            report = by_url[url]
            if name in NOT_FEEDS:
                assert report.status == "error" and "not a feed" in report.error
            else:
                assert report.status == "ok", (name, report.error)
        assert by_url[f"{base}/corpus/guardian_us_2018.rss"].new_items == 55
        assert first.new_items == len(list_items(engine)) > 1000

        # hostile titles and links are stored as text, never as markup or script links
        stored = {row.title: row for row in list_items(engine) if row.feed_url == scripts}
        assert set(stored) == {"Piantedosi meets Cooper", "Second"}
        assert all("<" not in title and "alert" not in title for title in stored)
        assert "steal" not in stored["Piantedosi meets Cooper"].title
        assert stored["Piantedosi meets Cooper"].url is None
        assert stored["Second"].url == "https://example.org/second?utm_source=rss&id=2"

        # a second cycle: the corpus answers 304, the failing feeds are left alone while backing off
        second = pipeline.poll_all(engine, feeds, LIMITS, topic, batch_size=40)
        again = {f.url: f for f in second.feeds}
        assert second.new_items == 0
        assert {again[url].status for url in corpus if corpus[url] not in NOT_FEEDS} == {"not_modified"}
        assert all("backing off" in again[url].error for url in hostile)

    health = {h.url: h for h in feed_health(engine)}
    assert health[f"{base}/status429"].failures == 1
    assert health[f"{base}/status429"].last_error == "HTTP 429 Too Many Requests"
    retry = health[f"{base}/status429"]
    assert retry.next_try is not None and retry.last_error_at is not None
    assert (retry.next_try - retry.last_error_at).total_seconds() >= 300
    far = health[f"{base}/unavailable"]
    assert far.next_try is not None and far.next_try.year >= 2026
    ok = health[f"{base}/corpus/guardian_us_2018.rss"]
    assert ok.failures == 0 and ok.last_success is not None and ok.last_error is None


def test_a_likely_relevant_short_item_is_completed_from_its_article_page(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'migwatch.db'}")
    topic = load_topic()
    with feed_server() as base:
        short = FeedItem(
            id="https://example.org/article-1",
            title="Piantedosi and Cooper agree on small boats plan",
            summary="Home Secretary in Rome.",
            url=f"{base}/article",
        )
        dull = FeedItem(id="https://example.org/2", title="Football results", url=f"{base}/article")
        entries = parallel.classify_items(topic, base, [short, dull])
        # the article server on 127.0.0.1 stands for a public site (tests/feeds: when it is refused)
        public = replace(LIMITS, allow_private_networks=True)
        completed, read = pipeline.complete_short_items(engine, topic, entries, public)
    richer, untouched = completed
    assert read == 1
    assert richer.content.startswith("Cooper in Rome\nThe Home Secretary Yvette Cooper met")
    assert "Copyright" not in richer.content and "News" not in richer.content
    assert richer.relevant and richer.score > entries[0].score
    assert untouched == entries[1]  # not likely relevant: its page is not fetched
    assert untouched.feed_item().title == dull.title


def test_a_changed_item_is_updated_not_duplicated(database_url: str) -> None:
    engine = open_engine(database_url)
    topic = load_topic()
    states = ensure_feeds(engine, [("https://a.example/rss", "A")])
    source_id = states["https://a.example/rss"].source_id
    first = FeedItem(
        id="https://a.example/1", title="Piantedosi and Cooper meet in Rome", url="https://a.example/1"
    )
    other = FeedItem(id="", title="Weather", url="https://a.example/2?utm_source=rss")
    entries = [
        (source_id, entry)
        for entry in parallel.classify_items(topic, "https://a.example/rss", [first, other])
    ]
    stored = store_items(engine, entries, topic_version=topic.version)
    assert stored.new_by_source == {source_id: 2}
    again = store_items(engine, entries, topic_version=topic.version)
    assert again.new == [] and again.to_group == [] and again.unchanged == 2

    edited = FeedItem(
        id="https://a.example/1",
        title="Piantedosi and Cooper meet in Rome on small boats",
        url="https://a.example/1?utm_medium=feed",
    )
    [entry] = parallel.classify_items(topic, "https://a.example/rss", [edited])
    changed = store_items(engine, [(source_id, entry)], topic_version=topic.version)
    assert changed.new == [] and len(changed.updated) == 1
    rows = list_items(engine)
    assert len(rows) == 2
    assert [r.title for r in rows if r.url and r.url.startswith("https://a.example/1")] == [edited.title]
