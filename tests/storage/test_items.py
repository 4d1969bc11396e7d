"""The one item writer, on SQLite and on PostgreSQL: replay and poll store the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from flows import parallel
from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.errors import StorageError
from monitors.feeds.fixtures import FIXTURE_ID_PREFIX
from monitors.models import FeedItem
from storage import store

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


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = store.open_engine(database_url)
    yield engine
    engine.dispose()


def _source(engine: Engine, url: str = "https://example.org/feed.xml") -> int:
    return store.ensure_feeds(engine, [(url, None)])[url].source_id


def _row(identity: str, title: str, summary: str = "") -> store.StorableItem:
    item = FeedItem(id=identity, title=title, summary=summary, url=f"https://example.org/{identity}")
    return store.storable(identity, item, classify(load_topic(), item))


def test_items_are_stored_once_under_their_identity(engine: Engine) -> None:
    source = _source(engine)
    assert _source(engine) == source
    rows = [
        (source, _row("guid-1", "Cooper meets Piantedosi in Rome on migration")),
        (source, _row("guid-2", "Weather")),
    ]
    first = store.store_items(engine, rows)
    second = store.store_items(engine, rows)
    assert len(first.new) == 2 and first.new_by_source == {source: 2}
    assert second.new == [] and second.unchanged == 2 and second.to_group == []
    assert store.count_items(engine) == 2


def test_changed_content_updates_the_item_and_its_classification(engine: Engine) -> None:
    source = _source(engine)
    draft = _row("guid-1", "Draft headline")
    store.store_items(engine, [(source, draft)])
    item = replace(
        draft.feed_item(), title="Yvette Cooper meets Matteo Piantedosi in Rome to discuss small boats"
    )
    changed = store.storable("guid-1", item, classify(load_topic(), item))
    report = store.store_items(engine, [(source, changed)])
    assert len(report.updated) == 1 and report.new == [] and report.to_group == report.updated
    [row] = store.list_items(engine)
    assert row.title.startswith("Yvette Cooper") and row.relevant


def test_a_refused_link_is_stored_and_kept_when_the_item_changes(engine: Engine) -> None:
    source = _source(engine)
    why = "address refused: 127.0.0.1 is a loopback address"
    refused = _row("guid-1", "Draft headline")._replace(link_refused=why)
    store.store_items(engine, [(source, refused)])
    assert [row.link_refused for row in store.list_items(engine)] == [why]
    item = replace(refused.feed_item(), title="Cooper meets Piantedosi in Rome")
    changed = store.storable("guid-1", item, classify(load_topic(), item))  # not fetched again: no reason
    assert len(store.store_items(engine, [(source, changed)]).updated) == 1
    [row] = store.list_items(engine)
    assert row.title == item.title and row.link_refused == why


def test_a_polled_row_reads_back_as_a_replayed_one(engine: Engine) -> None:
    topic = load_topic()
    classification = classify(topic, ITEM)
    assert classification.crossing_figures and classification.ministerial_visits and classification.rules
    polled = _source(engine, "https://polled.example/rss")
    [entry] = parallel.classify_items(topic, "https://polled.example/rss", [ITEM])
    replayed = store.ensure_sources(engine, [("file:one.txt", "one.txt")], kind="fixture")["file:one.txt"]
    fixture = replace(ITEM, id=FIXTURE_ID_PREFIX + "abc")
    store.store_items(engine, [(polled, entry)], topic_version=topic.version)
    store.store_items(engine, [(replayed.source_id, store.storable(fixture.id, fixture, classification))])

    from_poll, from_replay = store.list_items(engine)
    expected = classification.to_dict()
    for row in (from_poll, from_replay):
        assert row.title == ITEM.title and row.url == ITEM.url and row.published is not None
        assert row.relevant is True and abs(row.score - classification.score) < 1e-9
        assert row.crossing_figures == expected["crossing_figures"]
        assert row.ministerial_visits == expected["ministerial_visits"]
        assert row.rules == [hit.to_dict() for hit in classification.rules]
    assert from_poll.crossing_figures[0]["count"] == 609


def test_a_feed_guid_is_kept_and_a_fixture_id_is_not_a_guid(engine: Engine) -> None:
    source = _source(engine)
    fixture = replace(ITEM, id=FIXTURE_ID_PREFIX + "abc", url=None)
    rows = [
        (source, store.storable("guid:a", ITEM, classify(load_topic(), ITEM))),
        (source, store.storable(fixture.id, fixture, classify(load_topic(), fixture))),
    ]
    store.store_items(engine, rows)
    with engine.connect() as connection:
        guids = connection.execute(text("SELECT identity, guid FROM items ORDER BY id")).all()
    assert [tuple(g) for g in guids] == [("guid:a", ITEM.id), (fixture.id, None)]


def test_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot open database"):
        store.open_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
