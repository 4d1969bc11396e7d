"""Two workers polling at the same moment against one fresh database (schema creation included),
on SQLite and on PostgreSQL: both succeed, the database keeps every item once, and grouping gives
the stories of one poll alone."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from flows.pipeline import poll_all
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.limits import FetchLimits
from storage import store
from storage.tables import Item, Source
from tests.conftest import MIGWATCH, ROOT
from tests.support.newsroom import EVENTS, ITEMS_PER_FEED, newsroom

FEEDS = 60


def stories(engine: Engine) -> list[list[str]]:
    """Each story's items by identity, sorted: what grouping decided, whatever the ids."""
    members: dict[int, list[str]] = {}
    with Session(engine) as session:
        for story_id, identity in session.execute(select(Item.story_id, Item.identity)):
            if story_id is not None:
                members.setdefault(story_id, []).append(identity)
    return sorted(sorted(identities) for identities in members.values())


def test_two_polls_at_once_on_one_database_store_each_item_once_and_give_one_polls_stories(
    database_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    with newsroom() as room:
        feed_list = room.write_feed_list(tmp_path / "feeds.txt", FEEDS)
        reference = store.open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
        poll_all(reference, [FeedSource(u, None) for u in room.feed_urls(FEEDS)], FetchLimits(), load_topic())
        expected = stories(reference)
        reference.dispose()
        assert len(expected) == len(EVENTS)  # each event one story, told by several feeds

        room.held_from = 0  # every answer waits until both polls are fetching (10 requests each)
        processes = [
            subprocess.Popen(
                [str(MIGWATCH), "poll", "--feeds", str(feed_list), "--db", database_url, "--format", "json"],
                # each process its own Prefect home, so their temporary APIs share no SQLite file
                env={**cli_env, "PREFECT_HOME": str(tmp_path / f"prefect-{number}")},
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in (1, 2)
        ]
        try:
            both_fetching = room.wait_for_requests(20, timeout=240)
            room.release.set()
            results = [(p.wait(timeout=240), *p.communicate()) for p in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.communicate()
    assert both_fetching
    for code, _out, err in results:
        assert code == 0 and "Traceback" not in err, err
    engine = store.open_engine(database_url)
    try:
        assert stories(engine) == expected
        with Session(engine) as session:
            identities = list(session.scalars(select(Item.identity)))
            feeds = session.execute(select(func.count()).select_from(Source)).scalar_one()
            revisions = session.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    assert len(identities) == FEEDS * ITEMS_PER_FEED == len(set(identities))
    # each item was new to exactly one of the two processes: none was stored (or alerted) twice
    assert sum(json.loads(out)["new_items"] for _code, out, _err in results) == len(identities)
    assert (feeds, revisions) == (FEEDS, 1)
