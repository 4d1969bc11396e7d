"""Who holds a channel's claim: this process, named so that another process on the same machine
can tell for sure that the holder is gone (it was killed) and take the claim over at once, rather
than wait for the lease to run out.

A holder is `host|boot id|pid namespace|pid|start time`. `is_gone` is true only when all of the
first three are this process's own (the same running kernel and the same pid numbering) and no
process with that pid and start time exists. Anything it cannot be sure of (another machine, a
container with its own pids, a system without /proc) is treated as alive, and the lease decides.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or ""."""
    stat = _read(f"/proc/{pid}/stat")
    # the command name (field 2) is in parentheses and may hold spaces: split after its last ')'
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


@cache
def _machine() -> str:
    return f"{socket.gethostname()}|{_read('/proc/sys/kernel/random/boot_id')}|{_pid_namespace()}"


def this_process() -> str:
    """This process as a claim holder."""
    pid = os.getpid()
    return f"{_machine()}|{pid}|{_start_time(pid)}"


def is_gone(holder: str | None) -> bool:
    """The process `holder` names has surely ended (see the module doc)."""
    parts = (holder or "").split("|")
    if len(parts) != 5:
        return False
    host, boot, namespace, pid, started = parts
    if not (boot and namespace and started and pid.isdigit()):
        return False
    if f"{host}|{boot}|{namespace}" != _machine():
        return False
    return _start_time(int(pid)) != started  # "" when no such process, another value when reused
