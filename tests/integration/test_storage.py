"""The storage suite, run on SQLite and on PostgreSQL: the same code, the same behaviour."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from flows.pipeline import classify_fixtures, store_and_group
from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.errors import StorageError
from monitors.models import FeedItem
from storage import repository
from storage.engine import open_engine
from tests.conftest import SEEDS


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = open_engine(database_url)
    yield engine  # type: ignore[misc]
    engine.dispose()


def _item(identity: str, title: str, summary: str = "") -> tuple[str, FeedItem, object]:
    item = FeedItem(
        id=identity,
        title=title,
        summary=summary,
        url=f"https://example.org/{identity}",
        published=datetime(2024, 12, 14, tzinfo=UTC),
    )
    return identity, item, classify(load_topic(), item)


def test_items_are_stored_once_under_their_identity(engine: Engine) -> None:
    source = repository.ensure_source(engine, "https://example.org/feed.xml")
    assert repository.ensure_source(engine, "https://example.org/feed.xml") == source
    entries = [_item("guid-1", "Cooper meets Piantedosi in Rome on migration"), _item("guid-2", "Weather")]
    first = repository.store_items(engine, source, entries)  # type: ignore[arg-type]
    second = repository.store_items(engine, source, entries)  # type: ignore[arg-type]
    assert len(first.new) == 2 and second.new == [] and second.unchanged == 2
    assert repository.count_items(engine) == 2


def test_changed_content_updates_the_item_instead_of_duplicating_it(engine: Engine) -> None:
    source = repository.ensure_source(engine, "https://example.org/feed.xml")
    identity, item, classification = _item("guid-1", "Draft headline")
    repository.store_items(engine, source, [(identity, item, classification)])  # type: ignore[list-item]
    changed = replace(item, title="Yvette Cooper meets Matteo Piantedosi in Rome to discuss small boats")
    report = repository.store_items(engine, source, [(identity, changed, classify(load_topic(), changed))])
    assert len(report.updated) == 1 and report.new == []
    rows = repository.list_items(engine)
    assert len(rows) == 1 and rows[0].title.startswith("Yvette Cooper") and rows[0].relevant


def test_seeds_group_into_three_stories_with_explanations_stored(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    report = store_and_group(engine, "file:seeds", entries, 1)
    assert len(report.new) == 5
    rows = repository.list_items(engine)
    assert len({row.story_id for row in rows}) == 3
    assert all(row.rules for row in rows)  # the explanation is stored with each item
    stories = repository.undelivered_stories(engine, ["terminal"])
    assert sorted(len(s.articles) for s in stories) == [1, 2, 2]


def test_a_delivery_is_recorded_once_per_story_and_channel(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    store_and_group(engine, "file:seeds", entries, 1)
    ids = [s.id for s in repository.undelivered_stories(engine, ["ch-a"])]
    assert repository.record_deliveries(engine, ids, "ch-a", "a") == 3
    assert repository.record_deliveries(engine, ids, "ch-a", "a") == 0
    assert repository.undelivered_stories(engine, ["ch-a"]) == []
    assert len(repository.undelivered_stories(engine, ["ch-b"])) == 3


def test_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot open database"):
        open_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")


def test_two_workers_grouping_one_event_at_once_open_one_story(postgres_url: str) -> None:
    import threading

    engines = [open_engine(postgres_url) for _ in range(2)]
    entries = classify_fixtures(
        load_topic(),
        [SEEDS / "000_766cb3b35703788d.txt", SEEDS / "001_a5af32987e694b65.txt"],
        progress=lambda _: None,
    )
    source = repository.ensure_source(engines[0], "file:seeds", kind="fixture")
    ids = repository.store_items(engines[0], source, entries).new
    assert len(ids) == 2
    barrier = threading.Barrier(2)

    def group(engine: Engine, item_id: int) -> None:
        barrier.wait()
        repository.assign_stories(engine, [item_id])

    threads = [threading.Thread(target=group, args=(e, i)) for e, i in zip(engines, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = repository.list_items(engines[0])
    assert len({row.story_id for row in rows}) == 1
    for engine in engines:
        engine.dispose()
