"""Issue 12, item 3: schedules that fire. Nobody triggers a run by hand here: a `prefect server`
with its scheduler on creates the runs of a deployed poll, a worker runs them, and items from a
local feed server are stored; and `migwatch serve` with no PREFECT_API_URL starts its own local
server, polls on schedule, and leaves nothing running after Ctrl-C.

Both wait with generous bounds (a busy 2-core machine) and assert on what happened, never on how
fast. Every feed URL is on 127.0.0.1: the only feed is `/short`, whose one item links to the feed
server's own `/article`, so no poll reaches the internet or DNS.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import MIGWATCH, ROOT
from tests.support.feedserver import Handler, QuietServer
from tests.support.prefect_server import PREFECT, clean_env, free_port, prefect_server, stop
from tests.support.processes import descendants, left_alive, start_logged, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

FIRED_WITHIN = 240.0  # seconds for a scheduled run to be created, picked up and completed
TWO_POLLS_WITHIN = 300.0  # seconds for `serve --every 1` to start its server and poll twice
GONE_WITHIN = 15.0  # issue 12: seconds after serve exits by which nothing it started is alive
FEED = "/short"


@contextmanager
def counting_feed_server() -> Iterator[tuple[str, Counter[str]]]:
    """tests/support/feedserver.py's server, counting the GETs of each path."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    class Counting(Handler):
        def do_GET(self) -> None:
            with lock:
                seen[self.path.split("?", 1)[0]] += 1
            super().do_GET()

    server = QuietServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _prefect(args: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        [str(PREFECT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def _stored_items(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT count(*) FROM items").fetchone()
    except sqlite3.Error:  # not created yet, or busy
        return 0
    return int(row[0])


def test_a_deployed_poll_runs_on_its_schedule_and_stores_items(tmp_path: Path) -> None:
    """(a) `prefect deploy --all` of a copy of deploy/prefect.yaml with a 15 s poll, a process
    worker, and a run that the scheduler created completes and stores the feed's item."""
    yaml = (ROOT / "deploy" / "prefect.yaml").read_text(encoding="utf-8")
    assert "- interval: 900" in yaml
    project = tmp_path / "deploy"
    project.mkdir()
    (project / "prefect.yaml").write_text(yaml.replace("- interval: 900", "- interval: 15"), encoding="utf-8")
    db = tmp_path / "migwatch.db"
    loop = {"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    with (
        counting_feed_server() as (base, seen),
        prefect_server(tmp_path / "prefect", scheduler=True, extra_env=loop) as server,
    ):
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{base}{FEED}\n", encoding="utf-8")
        _prefect(["work-pool", "create", "migwatch", "--type", "process", "--overwrite"], server.env, project)
        _prefect(["--no-prompt", "deploy", "--all"], server.env, project)
        deployed = time.monotonic()
        deployment = httpx.get(
            f"{server.api}/deployments/name/migwatch-scheduled-poll/poll", timeout=10
        ).json()
        assert deployment["schedules"][0]["schedule"]["interval"] == 15
        worker_env = {
            **server.env,
            "MIGWATCH_DATABASE_URL": f"sqlite:///{db}",
            "MIGWATCH_FEEDS_FILE": str(feeds),
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        worker_log = tmp_path / "worker.log"
        worker = start_logged(
            [str(PREFECT), "worker", "start", "--pool", "migwatch", "--type", "process"],
            worker_env,
            worker_log,
        )
        try:

            def scheduled_run_completed() -> dict[str, Any] | None:
                runs = httpx.post(
                    f"{server.api}/flow_runs/filter",
                    json={
                        "flow_runs": {
                            "deployment_id": {"any_": [deployment["id"]]},
                            "state": {"type": {"any_": ["COMPLETED"]}},
                        }
                    },
                    timeout=10,
                ).json()
                done = [run for run in runs if run["auto_scheduled"]]
                return done[0] if done and _stored_items(db) > 0 else None

            run = wait_for(
                "a scheduled poll completed and stored items",
                scheduled_run_completed,
                FIRED_WITHIN,
                worker_log,
                server.log,
            )
            print(f"first scheduled poll completed {time.monotonic() - deployed:.0f} s after the deploy")
        finally:
            stop(worker)
        server_log = server.log_text()
    assert run["auto_scheduled"] is True  # the scheduler's, not a person's
    assert run["created_by"]["type"] == "SCHEDULE"
    assert run["created_by"]["id"] == deployment["schedules"][0]["id"]
    assert seen[FEED] >= 1
    with sqlite3.connect(db) as conn:
        titles = [row[0] for row in conn.execute("SELECT title FROM items")]
    assert titles == ["Piantedosi and Cooper agree on small boats plan"]
    assert "Traceback" not in server_log, server_log[-5000:]


def test_serve_without_an_api_url_polls_on_schedule_and_leaves_nothing_running(tmp_path: Path) -> None:
    """(b) `migwatch serve --every 1` with no PREFECT_API_URL starts its own Prefect server on the
    port of PREFECT_SERVER_API_PORT, polls at least twice, and on SIGINT exits 0 and stops every
    process it started."""
    port = free_port()
    env = clean_env(tmp_path / "prefect")
    assert "PREFECT_API_URL" not in env
    with counting_feed_server() as (base, seen):
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{base}{FEED}\n", encoding="utf-8")
        env.update(
            PREFECT_SERVER_API_PORT=str(port),
            MIGWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'migwatch.db'}",
            MIGWATCH_FEEDS_FILE=str(feeds),
        )
        log = tmp_path / "serve.log"
        serve = start_logged([str(MIGWATCH), "serve", "--every", "1"], env, log)
        started: dict[int, str] = {}
        try:

            def polled_twice() -> bool:
                started.update(descendants(serve.pid))  # every child seen while it serves
                assert serve.poll() is None, log.read_text(errors="replace")
                return seen[FEED] >= 2

            wait_for("two scheduled polls reached the feed server", polled_twice, TWO_POLLS_WITHIN, log)
            started.update(descendants(serve.pid))
            serve.send_signal(signal.SIGINT)
            code = serve.wait(timeout=120)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
    output = log.read_text(errors="replace")
    assert code == 0, output
    ui = f"http://127.0.0.1:{port}"
    assert f"starting a local Prefect server at {ui}/api (its UI: {ui})" in output
    assert any("prefect server start" in cmd and f"--port {port}" in cmd for cmd in started.values()), started
    assert left_alive(started, GONE_WITHIN) == {}
    assert "Traceback" not in output, output
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{ui}/api/health", timeout=3)
