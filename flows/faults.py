"""Crash points, for the crash-injection tests (tests/e2e/test_crash_recovery.py) and nothing else.

A run reaches named points (`reached("chunk-stored")` after each chunk's items are committed,
`grouping` inside the grouping transaction, `sent` after a channel accepted a message and before
its delivery is recorded). With MIGWATCH_CRASH_AT=NAME:N in the environment, the N-th time this
process reaches NAME it says so on stderr and stops itself (SIGSTOP), so that the test, which has
read that line, kills it and its children with SIGKILL exactly there. Without the variable, as in
every real run, `reached` does nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from functools import cache

from flows.settings import crash_point_from_env

_reached: Counter[str] = Counter()


@cache
def _target() -> tuple[str, int] | None:
    name, _, count = crash_point_from_env().partition(":")
    if not name:
        return None
    return name, int(count) if count.isdigit() else 1


def reached(name: str) -> None:
    """This run is at point `name` (see the module doc)."""
    target = _target()
    if target is None or target[0] != name:
        return
    _reached[name] += 1
    if _reached[name] == target[1]:
        print(f"migwatch: crash point {name}:{target[1]} reached", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)
