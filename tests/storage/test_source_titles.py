"""A source's title: the feeds file's when it gives one, else the feed's own, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from storage import store


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = store.open_engine(database_url)
    yield engine
    engine.dispose()


def _titles(engine: Engine) -> dict[str, str | None]:
    return {h.url: h.title for h in store.feed_health(engine)}


def test_the_feeds_file_title_wins_and_the_feed_own_title_fills_a_gap(engine: Engine) -> None:
    named, bare = "https://a.example/rss", "https://b.example/atom"
    states = store.ensure_feeds(engine, [(named, "From the OPML"), (bare, None)])
    outcomes = [
        store.FeedOutcome(states[named].source_id, "ok", title="A's own title"),
        store.FeedOutcome(states[bare].source_id, "ok", title="B's own title"),
    ]
    store.record_outcomes(engine, outcomes)
    assert _titles(engine) == {named: "From the OPML", bare: "B's own title"}

    # the file renames one feed and names the other: both follow the file; one left untitled keeps its title
    again = store.ensure_feeds(engine, [(named, "Renamed"), (bare, "Named in the file")])
    assert again[named].title == "Renamed" and again[bare].title == "Named in the file"
    store.ensure_feeds(engine, [(named, None)])
    store.record_outcomes(engine, [store.FeedOutcome(states[named].source_id, "ok", title="A's own title")])
    assert _titles(engine) == {named: "Renamed", bare: "Named in the file"}


def test_a_failed_fetch_sets_no_title(engine: Engine) -> None:
    url = "https://c.example/feed"
    state = store.ensure_feeds(engine, [(url, None)])[url]
    store.record_outcomes(engine, [store.FeedOutcome(state.source_id, "error", error="HTTP 500", title="x")])
    assert _titles(engine) == {url: None}


def test_the_digest_names_each_source_by_its_feed_title_with_its_link_in_date_order(engine: Engine) -> None:
    from flows.pipeline import group_stories, pending_digest
    from monitors.classify.classifier import classify
    from monitors.classify.topic import load_topic
    from tests.support.digest import EVIL_ITEM, LINKED_ITEM

    topic = load_topic()
    own, named = "https://own.example/rss", "https://named.example/rss"
    states = store.ensure_feeds(engine, [(own, None), (named, "Named in the OPML")])
    store.record_outcomes(engine, [store.FeedOutcome(states[own].source_id, "ok", title="Own Title")])
    later, earlier = LINKED_ITEM, EVIL_ITEM  # published 3 and 2 June: stored later first
    rows = [
        (states[own].source_id, store.storable("later", later, classify(topic, later))),
        (states[named].source_id, store.storable("earlier", earlier, classify(topic, earlier))),
    ]
    store.store_items(engine, rows)
    group_stories(engine)
    digest, _ = pending_digest(engine, ["json://127.0.0.1:9/hook"])
    [story] = digest.stories
    assert [a.source for a in story.articles] == ["Named in the OPML", "Own Title"]
    assert [a.published.date() if a.published else None for a in story.articles] == [
        date(2025, 6, 2),
        date(2025, 6, 3),
    ]
    assert story.articles[1].url == later.url
