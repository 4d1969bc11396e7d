"""A real `prefect server start` on 127.0.0.1 for tests: started once, stopped by its PID.

The CLI tests share one such server per test session (tests/conftest.py, `prefect_api`), so a
command talks to a server that is already up instead of starting Prefect's ephemeral API (a
uvicorn child that has to come up within a time-out on every call; on a loaded 2-core machine it
did not, issue 12). Tests of the scheduler start their own with `scheduler=True`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PREFECT = Path(sys.executable).parent / "prefect"
START_TIMEOUT = 180.0  # seconds; a busy 2-core machine needs far more than an idle one's ~8 s


@dataclass(frozen=True)
class PrefectServer:
    api: str  # e.g. http://127.0.0.1:PORT/api
    env: dict[str, str]  # a clean environment pointing at the server (PREFECT_API_URL, PREFECT_HOME)
    log: Path  # the server's stdout and stderr
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment without any MIGWATCH_ or PREFECT_ setting, with a private home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGWATCH_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    return env


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM to the process group, then SIGKILL if it has not exited within `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def prefect_server(
    home: Path,
    *,
    database_url: str | None = None,
    scheduler: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[PrefectServer]:
    """Prefect's own server with its database under `home` (SQLite) or at `database_url`
    (PostgreSQL, asyncpg), UI off; the scheduler only if asked, so no scheduled run races a test's."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = clean_env(home)
    server_env = {
        **env,
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true" if scheduler else "false",
        **(extra_env or {}),
    }
    if database_url:
        server_env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = PrefectServer(api=api, env={**env, "PREFECT_API_URL": api}, log=log, process=process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not healthy(api):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not become healthy:\n{server.log_text()[-3000:]}")
            time.sleep(0.5)
        yield server
    finally:
        stop(process)
