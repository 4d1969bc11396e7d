"""With no PREFECT_API_URL, a one-shot command uses a Prefect server already running on this
machine's Prefect port (issue 12, item 4): nothing to start, and the run shows in that server's UI."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.conftest import SEEDS, run_cli


def _replay_runs(api: str) -> int:
    body = {"flows": {"name": {"any_": ["migwatch-replay"]}}}
    response = httpx.post(f"{api}/flow_runs/count", json=body, timeout=10)
    response.raise_for_status()
    return int(response.json())


def test_replay_without_an_api_url_runs_on_the_server_running_at_prefects_port(
    ephemeral_cli_env: dict[str, str], prefect_api: str, sqlite_url: str
) -> None:
    port = urlsplit(prefect_api).port
    env = {**ephemeral_cli_env, "PREFECT_SERVER_API_PORT": str(port)}
    before = _replay_runs(prefect_api)
    result = run_cli(["replay", "--db", sqlite_url, str(SEEDS)], env)
    assert result.returncode == 0, result.stderr
    assert f"Using the Prefect server running at http://127.0.0.1:{port}/api" in result.stderr
    assert "temporary local API" not in result.stderr
    assert _replay_runs(prefect_api) == before + 1


def test_with_nothing_running_there_a_command_says_it_starts_a_temporary_api(
    ephemeral_cli_env: dict[str, str], sqlite_url: str
) -> None:
    result = run_cli(["replay", "--db", sqlite_url, str(SEEDS)], ephemeral_cli_env)
    assert result.returncode == 0, result.stderr
    assert "Starting Prefect's temporary local API (no PREFECT_API_URL set" in result.stderr
