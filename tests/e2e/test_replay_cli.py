"""Issue 3 acceptance, through the CLI as a user runs it: replay the seeds, read the digest."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEEDS, run_cli

STORIES = [
    {"000_766cb3b35703788d.txt", "001_a5af32987e694b65.txt"},  # Cooper in Rome, Dec 2024
    {"002_2468cf893746d965.txt", "004_2bff7de6a06d0a7a.txt"},  # Cleverly in Rome and Lampedusa
    {"003_7fab28ad57755d52.txt"},  # Cooper at the G7 in Avellino
]


def _items(db: str, env: dict[str, str]) -> list[dict[str, object]]:
    result = run_cli(["items", "--db", db, "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    items: list[dict[str, object]] = json.loads(result.stdout)
    return items


def test_replay_stores_groups_previews_and_a_second_replay_changes_nothing(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    first = run_cli(["replay", str(SEEDS), "--db", sqlite_url], cli_env)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr and "ERROR" not in first.stderr
    assert "Stored 5 new item(s) (5 relevant)" in first.stdout
    assert "3 stories" in first.stdout
    assert "[5/5]" in first.stderr  # progress, one line per document
    html_line = next(line for line in first.stdout.splitlines() if line.startswith("HTML digest written to"))
    html_path = Path(html_line.removeprefix("HTML digest written to ").strip())
    assert html_path.is_file() and str(html_path).startswith(str(tmp_path))
    assert "Piantedosi" in html_path.read_text(encoding="utf-8")

    items = _items(sqlite_url, cli_env)
    assert len(items) == 5 and all(item["relevant"] for item in items)
    groups: dict[object, set[str]] = {}
    for item in items:
        groups.setdefault(item["story_id"], set()).add(str(item["source"]))
    assert sorted(groups.values(), key=sorted) == sorted(STORIES, key=sorted)

    preview = run_cli(["digest", "--db", sqlite_url, "--dry-run", "--format", "json"], cli_env)
    assert preview.returncode == 0, preview.stderr
    stories = json.loads(preview.stdout)["stories"]
    assert len(stories) == 3
    assert {len(s["articles"]) for s in stories} == {1, 2}
    for story in stories:
        for key in ("headline", "articles", "crossing_figures", "ministerial_visits"):
            assert key in story
        for article in story["articles"]:
            assert set(article) >= {"title", "source", "url", "published"}

    second = run_cli(["replay", str(SEEDS), "--db", sqlite_url], cli_env)
    assert second.returncode == 0, second.stderr
    assert "Stored 0 new item(s)" in second.stdout
    assert "5 already stored" in second.stdout
    assert len(_items(sqlite_url, cli_env)) == 5

    # replay delivered nothing: the digest still has the three stories to send, once
    sent = run_cli(["digest", "--db", sqlite_url], cli_env)
    assert sent.returncode == 0, sent.stderr
    assert "3 stories" in sent.stdout
    assert "Traceback" not in sent.stderr
    again = run_cli(["digest", "--db", sqlite_url], cli_env)
    assert again.returncode == 0, again.stderr
    assert "3 stories" not in again.stdout
    assert "No new stories to deliver" in again.stderr
    after = run_cli(["digest", "--db", sqlite_url, "--dry-run", "--format", "json"], cli_env)
    assert json.loads(after.stdout)["stories"] == []
