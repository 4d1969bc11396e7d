"""`migwatch poll` and `migwatch feeds` as a user runs them, against feeds on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_cli
from tests.support.feedserver import closed_port, feed_server


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
        "title": "f0",
        "status": "ok",
        "kind": None,
        "error": "",
        "new_items": 55,
        "links_refused": [],
        "fields_ignored": [],
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


def test_a_text_poll_names_feeds_by_title_and_says_each_failure_once(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.opml"
    with feed_server() as base:
        titled, untitled = f"{base}/corpus/guardian_us_2018.rss", f"{base}/corpus/nytimes_home_page.rss"
        broken = f"{base}/status500"
        outlines = (
            f'<outline title="Guardian (from my reader)" xmlUrl="{titled}"/>'
            f'<outline xmlUrl="{untitled}"/><outline xmlUrl="{broken}"/>'
        )
        feeds_file.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        result = run_cli(["poll", "--feeds", str(feeds_file), "--db", sqlite_url], cli_env)
        health = run_cli(["feeds", "--db", sqlite_url], cli_env)

    assert result.returncode == 0, result.stderr  # one feed failing fails no cycle
    both = result.stdout + result.stderr
    assert both.count("HTTP 500") == 1, both
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert sorted(re.sub(r"\d+ KB", "N KB", line.split("] ", 1)[1]) for line in progress) == sorted(
        [
            "Guardian (from my reader): fetched, N KB",
            f"{untitled}: fetched, N KB",  # its own title is known once its body is read
            f"{broken}: failed (HTTP error)",
        ]
    )
    table = [re.split(r"\s{2,}", line) for line in result.stdout.splitlines()]
    assert table[1][:2] == ["Guardian (from my reader)", "ok"] and table[1][-1] == titled
    assert table[2][:2] == ["NYT > Home Page", "ok"] and table[2][-1] == untitled
    assert "EventsWorker" not in result.stderr
    assert result.stdout.splitlines()[-2:] == ["Failed:", f"  {broken}: HTTP 500 Internal Server Error"]
    listed = health.stdout.splitlines()
    assert [line.split("  ")[0] for line in listed[1:3]] == ["Guardian (from my reader)", "NYT > Home Page"]


def test_a_poll_where_every_feed_failed_says_so_once_and_exits_5(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    urls = [f"http://127.0.0.1:{closed_port()}/feed.xml", f"http://127.0.0.1:{closed_port()}/rss"]
    feeds_file = tmp_path / "feeds.txt"
    feeds_file.write_text("\n".join(urls) + "\n")
    for fmt in ("text", "json"):
        db = f"sqlite:///{tmp_path / f'{fmt}.db'}"
        result = run_cli(["poll", "--feeds", str(feeds_file), "--db", db, "--format", fmt], cli_env)
        assert result.returncode == 5, result.stdout + result.stderr
        said = (
            "migwatch: error: all 2 feed(s) failed; no feed host accepts a connection: "
            "no network, or a firewall or proxy in the way"
        )
        assert result.stderr.splitlines().count(said) == 1, result.stderr
        assert (result.stdout + result.stderr).count("cannot connect:") == 2  # each reason once
        # nor does the temporary Prefect server, stopped as the command exits, log its shutdown
        assert "Traceback" not in result.stderr and "Error flushing" not in result.stderr
    again = run_cli(["poll", "--feeds", str(feeds_file), "--db", db], cli_env)
    assert again.returncode == 5
    assert "every feed is backing off after earlier failures" in again.stderr
