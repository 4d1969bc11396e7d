"""Stories on SQLite and PostgreSQL: grouping's loads and writes, and what a channel has not had."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from flows.pipeline import Entry, classify_fixtures, group_stories, store_and_group
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


def _store_only(engine: Engine, entries: list[Entry], source_url: str) -> list[int]:
    """Store entries as a poll does before it groups (a run killed here groups nothing)."""
    source = store.ensure_sources(engine, [(source_url, None)], kind="fixture")[source_url]
    rows = [(source.source_id, store.storable(identity, item, c)) for identity, item, c in entries]
    return store.store_items(engine, rows).new


def test_a_batch_loads_every_ungrouped_relevant_item_and_recent_stories(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    ids = store_and_group(engine, "file:seeds", entries[:1], 1).new  # one item, in one story
    now = datetime.now(UTC)
    with store.grouping(engine) as batch:
        placed, members = batch.load(since=now - timedelta(days=1))
    assert placed == []  # nothing left to group
    assert [m.item_id for m in members] == ids and members[0].story_id is not None
    with store.grouping(engine) as batch:
        assert batch.load(since=now + timedelta(days=1))[1] == []  # no story seen since then

    # stored by a run that died before grouping: the next batch places them, whoever stored them
    others = _store_only(engine, entries[1:3], "file:more")
    assert len(others) == 2
    with store.grouping(engine) as batch:
        placed, _ = batch.load(since=now - timedelta(days=1))
        assert [p.item_id for p in placed] == others and all(p.story_id is None for p in placed)
        sig = signature("A headline", None, [], [])
        touched = batch.write(Assignment({}, [NewStory("A headline", sig, others)]), now)
    assert len(touched) == 1
    assert {r.story_id for r in store.list_items(engine) if r.id in others} == set(touched)


def _membership(engine: Engine) -> list[list[str]]:
    """Each story's items, by title: what grouping decided, whatever the ids."""
    stories: dict[int, list[str]] = {}
    for row in store.list_items(engine):
        if row.story_id is not None:
            stories.setdefault(row.story_id, []).append(row.title)
    return sorted(sorted(titles) for titles in stories.values())


def test_items_a_killed_run_never_grouped_are_grouped_next_time_as_in_one_run(
    database_url: str, tmp_path: Path
) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    reference = store.open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    store_and_group(reference, "file:seeds", entries, 1)  # never interrupted
    engine = store.open_engine(database_url)
    try:
        _store_only(engine, entries[:3], "file:seeds")  # the run that died before grouping
        assert all(row.story_id is None for row in store.list_items(engine))
        store_and_group(engine, "file:seeds", entries, 1)  # the next run: two new, three known
        assert _membership(engine) == _membership(reference)
        assert all(row.story_id is not None for row in store.list_items(engine) if row.relevant)
        stories = sorted((s.id, len(s.articles)) for s in store.undelivered_stories(engine, ["t"]))
        assert group_stories(engine) == []  # grouping again changes nothing
        assert sorted((s.id, len(s.articles)) for s in store.undelivered_stories(engine, ["t"])) == stories
    finally:
        engine.dispose()
        reference.dispose()


def test_a_delivery_is_recorded_once_per_story_and_channel(engine: Engine) -> None:
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    store_and_group(engine, "file:seeds", entries, 1)
    ids = [s.id for s in store.undelivered_stories(engine, ["ch-a"])]
    now = datetime.now(UTC)
    assert store.release_delivered(engine, "ch-a", "a", ids, now) == 3
    assert store.release_delivered(engine, "ch-a", "a", ids, now) == 0
    assert store.undelivered_stories(engine, ["ch-a"]) == []
    assert len(store.undelivered_stories(engine, ["ch-b"])) == 3


def test_two_workers_grouping_one_event_at_once_open_one_story(database_url: str) -> None:
    """PostgreSQL's advisory lock and SQLite's BEGIN IMMEDIATE make groupings take turns."""
    engines = [store.open_engine(database_url) for _ in range(2)]
    entries = classify_fixtures(
        load_topic(),
        [SEEDS / "000_766cb3b35703788d.txt", SEEDS / "001_a5af32987e694b65.txt"],
        progress=lambda _: None,
    )
    ids = _store_only(engines[0], entries, "file:seeds")
    assert len(ids) == 2
    barrier = threading.Barrier(2)
    touched: list[list[int]] = []

    def group(engine: Engine) -> None:
        barrier.wait()
        touched.append(group_stories(engine))

    threads = [threading.Thread(target=group, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows_after = store.list_items(engines[0])
    assert len({row.story_id for row in rows_after}) == 1 and rows_after[0].story_id is not None
    assert sorted(len(t) for t in touched) == [0, 1]  # one grouped both items, the other found none
    for engine in engines:
        engine.dispose()
