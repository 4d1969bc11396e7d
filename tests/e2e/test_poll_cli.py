"""`migwatch poll` and `migwatch feeds` as a user runs them, against feeds on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.support.feedserver import feed_server


def test_poll_stores_good_feeds_reports_bad_ones_and_feeds_shows_health(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.opml"
    with feed_server() as base:
        good = [f"{base}/corpus/guardian_us_2018.rss", f"{base}/corpus/daringfireball_jsonfeed_1.0.json"]
        bad = [f"{base}/status500", f"{base}/html"]
        outlines = "".join(f'<outline text="f{i}" xmlUrl="{url}"/>' for i, url in enumerate(good + bad))
        feeds_file.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        result = run_cli(
            ["poll", "--feeds", str(feeds_file), "--db", sqlite_url, "--format", "json"], cli_env
        )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    rows = {row["url"]: row for row in report["feeds"]}
    assert [row["url"] for row in report["feeds"]] == good + bad
    assert rows[good[0]] == {
        "url": good[0],
        "status": "ok",
        "kind": None,
        "error": "",
        "new_items": 55,
        "links_refused": [],
    }
    assert rows[good[1]]["new_items"] == 48
    assert rows[bad[0]]["status"] == "error" and rows[bad[0]]["error"].startswith("HTTP 500")
    assert rows[bad[0]]["kind"] == "http_status"
    assert rows[bad[1]]["error"] == "not a feed: an HTML page" and rows[bad[1]]["kind"] == "not_a_feed"
    assert report["new_items"] == 103 and isinstance(report["relevant"], int)

    items = run_cli(["items", "--db", sqlite_url, "--format", "json"], cli_env)
    assert len(json.loads(items.stdout)) == 103

    health = run_cli(["feeds", "--db", sqlite_url, "--format", "json"], cli_env)
    assert health.returncode == 0, health.stderr
    by_url = {row["url"]: row for row in json.loads(health.stdout)}
    assert by_url[good[0]]["failures"] == 0 and by_url[good[0]]["last_success"]
    assert by_url[bad[0]]["failures"] == 1 and by_url[bad[0]]["next_try"]
    assert by_url[bad[0]]["last_error"].startswith("HTTP 500")
    table = run_cli(["feeds", "--db", sqlite_url], cli_env)
    assert "LAST SUCCESS" in table.stdout and "HTTP 500" in table.stdout


def test_poll_mistakes_are_one_line_before_prefect_starts(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.opml"
    broken.write_text('<?xml version="1.0"?><opml><body><outline xmlUrl="https://a.example/x"')
    listed = tmp_path / "feeds.txt"
    listed.write_text("https://a.example/rss\n")
    cases = [
        (["poll", "--feeds", str(tmp_path / "missing.txt"), "--db", sqlite_url], "cannot read"),
        (["poll", "--feeds", str(broken), "--db", sqlite_url], "malformed OPML"),
        (["poll", "--feeds", str(listed), "--db", "mysql+nodriver://x/y"], "unsupported database URL"),
    ]
    for args, message in cases:
        result = run_cli(args, cli_env, timeout=60)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and lines[0].startswith("migwatch: error:"), (
            result.stderr
        )
