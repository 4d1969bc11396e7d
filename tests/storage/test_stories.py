"""Stories on SQLite and PostgreSQL: grouping's loads and writes, and what a channel has not had."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from flows.pipeline import classify_fixtures, group_stories, store_and_group
from monitors.classify.topic import load_topic
from monitors.digest.stories import Assignment, NewStory, signature
from storage import store
from tests.conftest import SEEDS


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = store.open_engine(database_url)
    yield engine
    engine.dispose()


def test_seeds_group_into_three_stories_with_explanations_stored(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    report = store_and_group(engine, "file:seeds", entries, 1)
    assert len(report.new) == 5
    rows = store.list_items(engine)
    assert len({row.story_id for row in rows}) == 3
    assert all(row.rules for row in rows)  # the explanation is stored with each item
    stories = store.undelivered_stories(engine, ["terminal"])
    assert sorted(len(s.articles) for s in stories) == [1, 2, 2]


def test_a_batch_loads_what_it_wrote(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    ids = store_and_group(engine, "file:seeds", entries[:1], 1).new  # one item, in one story
    now = datetime.now(UTC)
    with store.grouping(engine) as batch:
        [item], members = batch.load([*ids, *ids, 10**6], since=now - timedelta(days=1))
    assert item.item_id == ids[0] and item.story_id is not None and item.relevant
    assert [m.item_id for m in members] == ids
    with store.grouping(engine) as batch:
        assert batch.load(ids, since=now + timedelta(days=1))[1] == []  # no story seen since then

    others = store_and_group(engine, "file:more", entries[1:2], 1).new
    sig = signature("A headline", None, [], [])
    with store.grouping(engine) as batch:
        touched = batch.write(Assignment({}, [NewStory("A headline", sig, others)]), now)
    assert len(touched) == 1 and {r.story_id for r in store.list_items(engine) if r.id in others} == set(
        touched
    )


def test_a_delivery_is_recorded_once_per_story_and_channel(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    store_and_group(engine, "file:seeds", entries, 1)
    ids = [s.id for s in store.undelivered_stories(engine, ["ch-a"])]
    now = datetime.now(UTC)
    assert store.release_delivered(engine, "ch-a", "a", ids, now) == 3
    assert store.release_delivered(engine, "ch-a", "a", ids, now) == 0
    assert store.undelivered_stories(engine, ["ch-a"]) == []
    assert len(store.undelivered_stories(engine, ["ch-b"])) == 3


def test_two_workers_grouping_one_event_at_once_open_one_story(postgres_url: str) -> None:
    engines = [store.open_engine(postgres_url) for _ in range(2)]
    entries = classify_fixtures(
        load_topic(),
        [SEEDS / "000_766cb3b35703788d.txt", SEEDS / "001_a5af32987e694b65.txt"],
        progress=lambda _: None,
    )
    source = store.ensure_sources(engines[0], [("file:seeds", None)], kind="fixture")["file:seeds"]
    rows = [(source.source_id, store.storable(identity, item, c)) for identity, item, c in entries]
    ids = store.store_items(engines[0], rows).new
    assert len(ids) == 2
    barrier = threading.Barrier(2)

    def group(engine: Engine, item_id: int) -> None:
        barrier.wait()
        group_stories(engine, [item_id])

    threads = [threading.Thread(target=group, args=(e, i)) for e, i in zip(engines, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows_after = store.list_items(engines[0])
    assert len({row.story_id for row in rows_after}) == 1
    for engine in engines:
        engine.dispose()
