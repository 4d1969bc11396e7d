"""Two workers polling at the same moment against one fresh database (schema creation included)
both succeed, the database keeps every item once, and grouping gives the stories of one poll."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from flows.pipeline import poll_all
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.fetch import FetchLimits
from storage import store
from tests.conftest import MIGWATCH, ROOT
from tests.support.feedserver import feed_server
from tests.support.newsroom import EVENTS, newsroom

FEEDS = [
    "guardian_us_2018.rss",
    "bbc_urdu.rss",
    "google_alerts.atom",
    "daringfireball_jsonfeed_1.0.json",
    "ctvnews_top_stories.rss",
    "breakingnews_ie_business.rss",
]


def _identities(database_url: str) -> list[str]:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT identity FROM items")]


def test_two_polls_started_at_once_on_an_empty_database_store_each_item_once(
    postgres_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    with feed_server() as base:
        feeds_file = tmp_path / "feeds.txt"
        feeds_file.write_text("".join(f"{base}/corpus/{name}\n" for name in FEEDS), encoding="utf-8")
        processes = []
        for number in (1, 2):
            # Each process its own Prefect home, so their temporary APIs do not share a SQLite file.
            env = {**cli_env, "PREFECT_HOME": str(tmp_path / f"prefect-{number}")}
            processes.append(
                subprocess.Popen(
                    [
                        str(MIGWATCH),
                        "poll",
                        "--feeds",
                        str(feeds_file),
                        "--db",
                        postgres_url,
                        "--format",
                        "json",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        results = []
        try:
            for process in processes:
                out, err = process.communicate(timeout=180)
                results.append((process.returncode, out, err))
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    for returncode, _out, err in results:
        assert returncode == 0, err
        assert "Traceback" not in err
    identities = _identities(postgres_url)
    assert len(identities) > 30  # the six feeds carry well over thirty items
    assert len(identities) == len(set(identities))
    # Each item was new to exactly one of the two processes: none was stored (or alerted) twice.
    assert sum(json.loads(out)["new_items"] for _code, out, _err in results) == len(identities)
    with psycopg.connect(
        make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    ) as conn:
        per_feed = conn.execute("SELECT count(*) FROM sources WHERE kind = 'feed'").fetchone()
        revisions = conn.execute("SELECT count(*) FROM alembic_version").fetchone()
    assert per_feed == (len(FEEDS),)
    assert revisions == (1,)


def _stories(engine: Engine) -> list[list[str]]:
    """Each story's items by identity, sorted: what grouping decided, whatever the ids."""
    members: dict[int, list[str]] = {}
    identities = {row.id: row.url or "" for row in store.list_items(engine)}
    for row in store.list_items(engine):
        if row.story_id is not None:
            members.setdefault(row.story_id, []).append(identities[row.id])
    return sorted(sorted(urls) for urls in members.values())


def test_two_polls_at_once_on_one_database_give_the_stories_of_one_poll(
    database_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    feeds = 60
    with newsroom() as room:
        feed_list = room.write_feed_list(tmp_path / "feeds.txt", feeds)
        reference = store.open_engine(f"sqlite:///{tmp_path / 'reference.db'}")
        sources = [FeedSource(url, None) for url in room.feed_urls(feeds)]
        poll_all(reference, sources, FetchLimits(), load_topic())  # one poll, alone
        expected = _stories(reference)
        reference.dispose()
        assert len(expected) == len(EVENTS)  # every event its own story, told by several feeds

        room.held_from = 0  # both polls wait in their fetch until each has asked for 10 feeds
        processes = [
            subprocess.Popen(
                [str(MIGWATCH), "poll", "--feeds", str(feed_list), "--db", database_url, "--format", "json"],
                env={**cli_env, "PREFECT_HOME": str(tmp_path / f"prefect-{number}")},
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in (1, 2)
        ]
        try:
            assert room.wait_for_requests(20, timeout=240)
            room.release.set()
            results = [(p.wait(timeout=240), p.stderr.read() if p.stderr else "") for p in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                process.communicate()
    assert [code for code, _ in results] == [0, 0], results
    engine = store.open_engine(database_url)
    try:
        assert _stories(engine) == expected
        assert all(row.story_id is not None for row in store.list_items(engine) if row.relevant)
    finally:
        engine.dispose()
