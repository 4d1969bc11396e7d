"""No Prefect API to run on (issue 12, item 4): `replay`, `poll` and `digest` pointed at a server
that is down say so in one `migwatch: error:` line and exit 6, store nothing half-way and lose
nothing pending; `digest` with nothing pending answers without asking Prefect at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli
from tests.support.feedserver import closed_port, feed_server


@pytest.fixture
def down_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The CLI's environment with PREFECT_API_URL at a closed loopback port, with a password in it."""
    return {**cli_env, "PREFECT_API_URL": f"http://user:hunter2@127.0.0.1:{closed_port()}/api"}


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    errors = [line for line in lines if line.startswith("migwatch: error:")]
    assert len(errors) == 1, stderr
    assert "hunter2" not in stderr
    return errors[0]


def test_replay_and_poll_against_a_server_that_is_down_exit_6_in_one_line(
    down_env: dict[str, str], sqlite_url: str, tmp_path: Path
) -> None:
    replay = run_cli(["replay", "--db", sqlite_url, str(SEEDS)], down_env)
    assert replay.returncode == 6, replay.stderr
    assert "no Prefect API answers at http://127.0.0.1:" in _one_error_line(replay.stderr)

    with feed_server() as base:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{base}/corpus/guardian_us_2018.rss\n")
        poll = run_cli(["poll", "--feeds", str(feeds), "--db", sqlite_url], down_env)
    assert poll.returncode == 6, poll.stderr
    assert "unset PREFECT_API_URL" in _one_error_line(poll.stderr)


def test_digest_against_a_server_that_is_down_keeps_its_stories_pending(
    cli_env: dict[str, str], down_env: dict[str, str], sqlite_url: str
) -> None:
    stored = run_cli(["replay", "--db", sqlite_url, str(SEEDS)], cli_env)
    assert stored.returncode == 0, stored.stderr
    pending = run_cli(["digest", "--dry-run", "--format", "json", "--db", sqlite_url], cli_env)
    assert pending.returncode == 0 and '"stories"' in pending.stdout, pending.stderr

    digest = run_cli(["digest", "--db", sqlite_url], down_env)
    assert digest.returncode == 6, digest.stderr
    _one_error_line(digest.stderr)
    after = run_cli(["digest", "--dry-run", "--format", "json", "--db", sqlite_url], cli_env)
    # nothing marked delivered: the same stories are still pending
    assert json.loads(after.stdout)["stories"] == json.loads(pending.stdout)["stories"]

    delivered = run_cli(["digest", "--db", sqlite_url], cli_env)
    assert delivered.returncode == 0 and delivered.stdout.strip(), delivered.stderr
    # Nothing pending now: the answer comes without Prefect, so a server that is down does not matter.
    empty = run_cli(["digest", "--db", sqlite_url], down_env)
    assert (empty.returncode, empty.stderr.strip()) == (0, "No new stories to deliver."), empty.stderr
