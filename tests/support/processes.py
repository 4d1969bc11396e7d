"""Processes for the end-to-end tests: start one with its output in a log, wait for something
with a bound, find every process below a pid (from /proc, Linux), and make sure none of a set is
left alive. Shared by the Prefect-server, schedule and no-orphans tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited already


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, by pid, with its command line."""
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                kids = Path(f"/proc/{parent}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found and alive(kid):
                    found[kid] = cmdline(kid)
                    todo.append(kid)
    return found


def left_alive(processes: dict[int, str], within: float) -> dict[int, str]:
    """Those of `processes` still alive `within` seconds from now; they are then killed, so that
    no test leaves them to the next."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(pid) for pid in processes):
        time.sleep(0.1)
    left = {pid: cmd for pid, cmd in processes.items() if alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def wait_for(what: str, check: Callable[[], Any], timeout: float, *logs: Path, every: float = 0.5) -> Any:
    """`check()`'s first true result within `timeout` seconds, else a failure with the logs' tails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"{what}: not within {timeout:.0f} s\n{tails}")


def start_logged(
    args: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    """`args` in a session of its own, stdout and stderr in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
