"""migwatch on a self-hosted Prefect: `prefect server` on loopback with PostgreSQL as its database,
deploy/prefect.yaml deployed into a process work pool, a worker running the poll; and
`migwatch serve` registering its schedules and stopping on SIGTERM. Every process is stopped by
its PID afterwards."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from flows.local_server import stop_process
from tests.conftest import MIGWATCH, ROOT, scratch_postgres
from tests.support.feedserver import feed_server
from tests.support.prefect_server import prefect_server as start_prefect_server
from tests.support.processes import start_logged, wait_for

PREFECT = Path(sys.executable).parent / "prefect"
FEEDS = ["guardian_us_2018.rss", "google_alerts.atom", "daringfireball_jsonfeed_1.0.json"]
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _psycopg(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A Prefect server on 127.0.0.1 backed by a scratch PostgreSQL database; (API URL, env)."""
    database = scratch_postgres()
    prefect_db = next(database).replace("postgresql+psycopg://", "postgresql+asyncpg://")
    try:
        with start_prefect_server(
            tmp_path_factory.mktemp("prefect-server"), database_url=prefect_db
        ) as server:
            yield server.api, server.env
    finally:
        next(database, None)  # drops the scratch database


def _prefect(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(PREFECT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _flow_run(api: str, run_id: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
    return data


def test_a_worker_runs_the_deployed_poll_once_at_a_time_and_stores_the_items(
    prefect_server: tuple[str, dict[str, str]], postgres_url: str, tmp_path: Path
) -> None:
    api, env = prefect_server
    _prefect(["work-pool", "create", "migwatch", "--type", "process", "--overwrite"], env)
    _prefect(["--no-prompt", "deploy", "--all"], env, cwd=ROOT / "deploy")
    deployment = httpx.get(f"{api}/deployments/name/migwatch-scheduled-poll/poll", timeout=5).json()
    assert deployment["global_concurrency_limit"]["limit"] == 1
    assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    assert deployment["schedules"][0]["schedule"]["interval"] == 900

    with feed_server() as base:
        feeds_file = tmp_path / "feeds.txt"
        # One feed that never answers keeps a run busy for its read timeout, so the two runs overlap.
        urls = [f"{base}/corpus/{name}" for name in FEEDS] + [f"{base}/no-headers"]
        feeds_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        # Two runs requested at once, before any worker is up: the worker picks both up together.
        run_ids = []
        for _ in range(2):
            out = _prefect(["deployment", "run", "migwatch-scheduled-poll/poll"], env)
            match = re.search(r"UUID: ([0-9a-f-]{36})", out)
            assert match, out
            run_ids.append(match.group(1))
        worker_env = {
            **env,
            "MIGWATCH_DATABASE_URL": postgres_url,
            "MIGWATCH_FEEDS_FILE": str(feeds_file),
            "MIGWATCH_READ_TIMEOUT": "4",
        }
        log = tmp_path / "worker.log"
        worker = start_logged(
            [str(PREFECT), "worker", "start", "--pool", "migwatch", "--type", "process"], worker_env, log
        )
        try:

            def finished() -> list[str] | None:
                found = [_flow_run(api, run_id)["state_type"] for run_id in run_ids]
                return found if all(state in TERMINAL for state in found) else None

            states: list[str] = wait_for("both flow runs finished", finished, 150, log)
        finally:
            stop_process(worker, grace=15)
    assert sorted(states) == ["CANCELLED", "COMPLETED"], log.read_text(errors="replace")[-3000:]
    completed = run_ids[states.index("COMPLETED")]

    with psycopg.connect(_psycopg(postgres_url)) as conn:
        stored = conn.execute("SELECT count(*) FROM items").fetchone()
        failing = conn.execute("SELECT url FROM sources WHERE failures > 0").fetchall()
    assert stored is not None and stored[0] > 20
    assert [row[0] for row in failing] == [urls[-1]]

    artifacts = httpx.post(
        f"{api}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [completed]}}},
        timeout=5,
    ).json()
    by_key = {a["key"]: a for a in artifacts}
    assert set(by_key) == {"migwatch-poll", "migwatch-poll-summary"}
    table = by_key["migwatch-poll"]["data"]
    rows = json.loads(table) if isinstance(table, str) else table
    links = {row["url"] for row in rows if row["what"] == "feed"}
    assert links == {f"[{url}]({url})" for url in urls}  # a markdown link: the UI reads cells as markdown
    total = rows[0]
    assert total["what"] == "total" and total["new items"] == stored[0]
    summary = by_key["migwatch-poll-summary"]["data"]
    assert summary.startswith(f"### Poll: {len(urls)} feeds · {len(urls) - 1} ok · 1 failed")


def _deployment(api: str, name: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/deployments/name/{name}", timeout=5)
    assert response.status_code == 200, f"{name}: {response.text}"
    data: dict[str, Any] = response.json()
    return data


def _as_deployed(deployment: dict[str, Any]) -> dict[str, Any]:
    """What `prefect deploy` decided about a deployment, and `serve` must leave as it is."""
    return {
        "id": deployment["id"],
        "paused": deployment["paused"],
        "schedules": [(s["schedule"], s["active"]) for s in deployment["schedules"]],
        "parameters": deployment["parameters"],
        "entrypoint": deployment["entrypoint"],
        "work_pool_name": deployment["work_pool_name"],
        "updated": deployment["updated"],
    }


def test_serve_registers_its_own_schedules_beside_prefect_yaml_and_stops_on_sigterm(
    prefect_server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """Issue 12, item 2: serve's deployments are `<flow>/served`, so the `prefect deploy --all`
    deployments on the same server survive a serve start and stop untouched."""
    api, env = prefect_server
    _prefect(["work-pool", "create", "migwatch", "--type", "process", "--overwrite"], env)
    _prefect(["--no-prompt", "deploy", "--all"], env, cwd=ROOT / "deploy")
    yaml_names = ["migwatch-scheduled-poll/poll", "migwatch-scheduled-digest/digest"]
    before = {name: _as_deployed(_deployment(api, name)) for name in yaml_names}
    assert not any(d["paused"] for d in before.values())
    doctor = subprocess.run(
        [str(MIGWATCH), "doctor", "--db", f"sqlite:///{tmp_path / 'm.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"ok    prefect api  {api} is healthy" in doctor.stdout
    log = tmp_path / "serve.log"
    args = ["serve", "--every", "5", "--digest-at", "06:30", "--timezone", "Europe/Rome"]
    serve = start_logged([str(MIGWATCH), *args, "--db", f"sqlite:///{tmp_path / 'm.db'}"], env, log)
    try:

        def registered() -> dict[str, Any] | None:
            response = httpx.get(f"{api}/deployments/name/migwatch-scheduled-digest/served", timeout=5)
            if response.status_code != 200:
                return None
            digest: dict[str, Any] = response.json()
            if digest["schedules"][0]["schedule"].get("cron") != "30 6 * * *":
                return None
            # READY once the runner's loop has polled for runs, i.e. serve is serving.
            return digest if digest.get("status") == "READY" else None

        digest = wait_for("migwatch serve registered its deployments", registered, 90, log)
        assert digest["schedules"][0]["schedule"]["timezone"] == "Europe/Rome"
        poll = _deployment(api, "migwatch-scheduled-poll/served")
        assert poll["schedules"][0]["schedule"]["interval"] == 300
        assert poll["global_concurrency_limit"]["limit"] == 1
        assert poll["paused"] is False
        assert {name: _as_deployed(_deployment(api, name)) for name in yaml_names} == before
        # the database URL of --db reaches the runs through serve's private flags file, never
        # as a deployment parameter (issue 12, item 5)
        assert set(poll["parameters"]) <= {"config_file", "overrides_file"}
        assert "m.db" not in json.dumps(poll["parameters"]) + json.dumps(digest["parameters"])
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0, log.read_text(errors="replace")[-3000:]
    finally:
        stop_process(serve, grace=15)
    poll = _deployment(api, "migwatch-scheduled-poll/served")
    assert poll["paused"] is True  # its own schedules paused on the way out
    assert {name: _as_deployed(_deployment(api, name)) for name in yaml_names} == before
    output = log.read_text(errors="replace")
    assert "local Prefect server" not in output  # PREFECT_API_URL given: that server, none started
    assert "Traceback" not in output
    assert "Warning" not in output
