"""`migwatch poll` and `migwatch digest` run their flow without Prefect's flow-run heartbeat (the
caller watches the run; the heartbeat thread only delayed its end), unless the user asks for one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.digest import seeded_engine

# Prefect 3's flow engine logs this at DEBUG when it starts the heartbeat thread of a flow run.
STARTED = "Started flow run heartbeat context"


def _commands(tmp_path: Path, sqlite_url: str) -> list[list[str]]:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/refused.xml\n")  # fails fast; the flow run still completes
    return [
        ["poll", "--feeds", str(feeds), "--db", sqlite_url, "--format", "json"],
        ["digest", "--db", sqlite_url],
    ]


@pytest.mark.parametrize("user_frequency", [None, "60"])
def test_cli_flow_runs_have_no_heartbeat_unless_the_user_sets_one(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path, user_frequency: str | None
) -> None:
    env = {**cli_env, "PREFECT_LOGGING_LEVEL": "DEBUG"}
    if user_frequency is not None:
        env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = user_frequency
    commands = _commands(tmp_path, sqlite_url)
    with seeded_engine(sqlite_url):
        pass  # stories pending: a digest with nothing pending answers without a flow run
    for command in commands if user_frequency is None else commands[:1]:
        result = run_cli(command, env)
        # the poll's only feed failed: exit 5 (every feed failed), its flow run completed all the same
        assert result.returncode == (5 if command[0] == "poll" else 0), result.stderr
        assert "Finished in state Completed" in result.stderr, result.stderr  # DEBUG logs seen
        assert (STARTED in result.stderr) is (user_frequency is not None), command[0]
