"""Two workers polling at the same moment against one fresh PostgreSQL database (schema creation
included) both succeed, and the database keeps every item once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.conftest import MIGWATCH, ROOT
from tests.support.feedserver import feed_server

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
