"""Nothing a command starts outlives it, even when the command is killed with `kill -9` (issue 12).

A command starts two kinds of child process: the parse helper (flows/parallel.py, a
ProcessPoolExecutor worker) and, when no PREFECT_API_URL is configured, Prefect's ephemeral API
server (a `python -m uvicorn` subprocess that Prefect starts on first use). A killed parent runs no
clean-up, so each child watches its parent itself: a daemon thread compares os.getppid() with the
pid of the process that started it, every half second, and once they differ (the parent died and
the child was handed to init or a subreaper) it sends itself SIGTERM, which lets uvicorn shut down
cleanly, and exits outright if it is still alive GRACE seconds later.

Why not prctl(PR_SET_PDEATHSIG)? On Linux that signal fires when the *thread* that forked the
child ends, not the process: the parse helper is spawned by whichever thread submits the first
chunk (often a fetch worker thread that ends long before the command), and Prefect starts its
server from its own threads, so a parent-death signal would kill children of a living command.
Watching the parent pid has no such trap, works on every platform with os.getppid, and costs two
wake-ups a second in an otherwise idle thread. The pid is passed in, not read at
start-up, so a parent that dies before the watch begins is still noticed.

- `watch_parent` is the ProcessPoolExecutor initializer of the parse helper.
- `leash_prefect_server` makes Prefect start its ephemeral server through this module; call it
  before the first flow runs (flows/settings.configure_prefect_environment does).
- `leashed` turns `python -m MODULE ARGS` into the same command run on a leash, for any other
  child a command starts (e.g. a local `prefect server`).
"""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

INTERVAL = 0.5  # seconds between two looks at the parent pid
GRACE = 5.0  # seconds a child has to stop after SIGTERM before it exits outright


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(INTERVAL)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE)
    os._exit(1)


def watch_parent(parent: int) -> None:
    """In a child: stop this process once `parent` (the pid that started it) is gone."""
    threading.Thread(target=_watch, args=(parent,), name="migwatch-lifeline", daemon=True).start()


def leashed(module: str, args: Sequence[str]) -> list[str]:
    """The command line that runs `python -m module *args` as a child that stops when this
    process (the one calling `leashed`, which must be the one that starts the child) is gone."""
    return [sys.executable, "-m", "flows.lifeline", str(os.getpid()), module, *args]


def _uvicorn_args(port: int) -> list[str]:
    """Prefect's own command line for its ephemeral server (SubprocessASGIServer), less the
    interpreter and `-m uvicorn`."""
    import prefect

    return [
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def leash_prefect_server() -> None:
    """Make the ephemeral API server, if Prefect starts one in this process, a leashed child.

    Prefect asks `SubprocessASGIServer()` (a per-port singleton) for its server; registering an
    instance of the subclass below as the default one first, as Prefect's own test harness
    does, changes only the command the server runs. With PREFECT_API_URL set there is no
    ephemeral server, and nothing is imported.
    """
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings as current

    class LeashedServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            assert self.port is not None
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **current().to_environment_variables(exclude_unset=True),
            }
            return subprocess.Popen(leashed("uvicorn", _uvicorn_args(self.port)), env=env)

    LeashedServer()  # the default instance, unless Prefect already made one


def main(argv: Sequence[str]) -> None:
    """`python -m flows.lifeline PARENT_PID MODULE ARGS...`: run MODULE as __main__ on a leash."""
    parent, module, *args = argv
    watch_parent(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
