"""Issue 12: nothing a command starts outlives it. A real `migwatch poll`, `replay` and `digest`,
with Prefect's ephemeral API (no PREFECT_API_URL), are killed with SIGKILL while their children run;
every child they started (the ephemeral server, the parse helper) must be gone soon after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MIGWATCH, ROOT
from tests.support.digest import seeded_engine
from tests.support.feedserver import corpus_files, feed_server
from tests.support.processes import descendants, left_alive

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

START_UP = 240.0  # seconds for the children to appear on a loaded 2-core machine
GONE_WITHIN = 15.0  # issue 12: seconds after the kill by which no child may be alive


def _kill_when_running(args: list[str], env: dict[str, str], wanted: list[str]) -> dict[int, str]:
    """Start `migwatch args`, wait until it has a child whose command line contains each of
    `wanted`, SIGKILL it, and return the children it had then."""
    proc = subprocess.Popen(
        [str(MIGWATCH), *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + START_UP
        children: dict[int, str] = {}
        while time.monotonic() < deadline and proc.poll() is None:
            children = descendants(proc.pid)
            if all(any(w in cmd for cmd in children.values()) for w in wanted):
                break
            time.sleep(0.2)
        children = descendants(proc.pid)  # including any started meanwhile
        assert proc.poll() is None, f"the command ended before it could be killed: {proc.communicate()[1]}"
        assert all(any(w in cmd for cmd in children.values()) for w in wanted), children
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return children


def _still_alive_after_kill(children: dict[int, str]) -> dict[int, str]:
    return left_alive(children, GONE_WITHIN)


def test_killed_poll_leaves_neither_prefect_server_nor_parse_helper(
    ephemeral_cli_env: dict[str, str], sqlite_url: str, tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.txt"
    env = {**ephemeral_cli_env, "MIGWATCH_READ_TIMEOUT": "300", "MIGWATCH_FEED_TIMEOUT": "300"}
    with feed_server() as base:
        # more feeds than a chunk, so the parse helper starts; slow ones keep the poll going
        urls = [f"{base}/corpus/{p.name}" for p in corpus_files()[:40]] + [f"{base}/no-headers"] * 2
        feeds_file.write_text("\n".join(urls) + "\n")
        children = _kill_when_running(
            ["poll", "--feeds", str(feeds_file), "--db", sqlite_url],
            env,
            ["prefect.server.api.server:create_app", "multiprocessing.spawn"],
        )
    assert _still_alive_after_kill(children) == {}


def test_killed_replay_leaves_no_prefect_server(ephemeral_cli_env: dict[str, str], sqlite_url: str) -> None:
    children = _kill_when_running(
        ["replay", "--db", sqlite_url, "seeds"], ephemeral_cli_env, ["prefect.server.api.server:create_app"]
    )
    assert _still_alive_after_kill(children) == {}


def test_killed_digest_leaves_no_prefect_server(ephemeral_cli_env: dict[str, str], sqlite_url: str) -> None:
    with seeded_engine(sqlite_url):
        pass  # stories are pending, so the digest starts its flow (and Prefect's server)
    children = _kill_when_running(
        ["digest", "--db", sqlite_url], ephemeral_cli_env, ["prefect.server.api.server:create_app"]
    )
    assert _still_alive_after_kill(children) == {}


def test_killed_serve_leaves_no_local_prefect_server(
    ephemeral_cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`serve` without PREFECT_API_URL starts a real `prefect server` (flows/local_server.py):
    killed once that server is up, the server goes too."""
    from tests.support.prefect_server import free_port

    port = free_port()
    env = {
        **ephemeral_cli_env,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_API_PORT": str(port),
        "MIGWATCH_FEEDS_FILE": str(tmp_path / "feeds.txt"),
    }
    (tmp_path / "feeds.txt").write_text("http://127.0.0.1:9/unused\n")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(MIGWATCH), "serve", "--db", f"sqlite:///{tmp_path / 'm.db'}"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_UP
        while time.monotonic() < deadline and proc.poll() is None and "server ready" not in log.read_text():
            time.sleep(0.5)
        children = descendants(proc.pid)
        assert proc.poll() is None, log.read_text()
        assert "server ready" in log.read_text(), log.read_text()
        assert any(f"prefect server start --host 127.0.0.1 --port {port}" in c for c in children.values())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _still_alive_after_kill(children) == {}


def test_killed_serve_mid_poll_leaves_no_run_behind(tmp_path: Path) -> None:
    """A poll that `serve` started (its runner's `python -m prefect.engine` child) and that waits
    on a feed that never answers stops with serve, also when the Prefect server it talks to (at
    PREFECT_API_URL, its scheduler on) stays up."""
    from tests.support.prefect_server import prefect_server

    with prefect_server(tmp_path / "server", scheduler=True) as server, feed_server() as base:
        (tmp_path / "feeds.txt").write_text(f"{base}/no-headers\n")
        env = {
            **server.env,
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "MIGWATCH_FEEDS_FILE": str(tmp_path / "feeds.txt"),
            "MIGWATCH_READ_TIMEOUT": "300",
            "MIGWATCH_FEED_TIMEOUT": "300",
        }
        children = _kill_when_running(
            ["serve", "--every", "1", "--db", f"sqlite:///{tmp_path / 'm.db'}"], env, ["-m prefect.engine"]
        )
        assert _still_alive_after_kill(children) == {}
