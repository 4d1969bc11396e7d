"""A poll stores rows prepared in its parse step (storage/rows.py); they must read back exactly as
the rows the one-item path (repository.store_items) writes, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from flows import polling
from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.models import FeedItem
from storage.engine import open_engine
from storage.feeds import ensure_feeds, store_feed_items
from storage.repository import ensure_source, list_items, store_items

ITEM = FeedItem(
    id="https://news.example.org/1",
    title="609 people crossed the Channel on Thursday, Home Office says",
    summary=(
        "The Home Secretary met Matteo Piantedosi in Rome on Friday to discuss small boats; "
        "609 people crossed the Channel in small boats on Thursday."
    ),
    url="https://news.example.org/1?utm_source=rss",
    published=datetime(2025, 6, 5, 9, 30, tzinfo=UTC),
)


def test_a_polled_row_reads_back_as_the_one_item_path_stores_it(database_url: str) -> None:
    engine = open_engine(database_url)
    topic = load_topic()
    classification = classify(topic, ITEM)
    assert classification.crossing_figures and classification.ministerial_visits and classification.rules

    polled_source = ensure_feeds(engine, [("https://polled.example/rss", None)])["https://polled.example/rss"]
    [entry] = polling.classify_items(topic, "https://polled.example/rss", [ITEM])
    report = store_feed_items(engine, [(polled_source.source_id, entry)], topic_version=topic.version)
    assert report.new == {polled_source.source_id: 1}

    other_source = ensure_source(engine, "https://other.example/rss")
    store_items(engine, other_source, [("fixture:1", ITEM, classification)], topic_version=topic.version)

    polled, direct = list_items(engine)
    expected = classification.to_dict()
    for row in (polled, direct):
        assert row.title == ITEM.title and row.url == ITEM.url and row.published is not None
        assert row.relevant is True and abs(row.score - classification.score) < 1e-9
        assert row.crossing_figures == expected["crossing_figures"]
        assert row.ministerial_visits == expected["ministerial_visits"]
        assert row.rules == [hit.to_dict() for hit in classification.rules]
    assert polled.crossing_figures[0]["count"] == 609
