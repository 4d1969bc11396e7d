"""The private files of a run's inputs (flows/runfiles.py): 0600 in a 0700 folder, gone after the
block, and the file of a command killed with SIGKILL is removed by the next command that makes one."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from flows.runfiles import private_file


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_the_file_is_private_in_a_private_folder_and_gone_afterwards(private_tmp: Path) -> None:
    with private_file('{"database_url": "postgresql://u:pw@h/db"}', suffix=".json") as name:
        path = Path(name)
        assert path.parent == private_tmp / f"migwatch-{os.getuid()}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert f"-pid{os.getpid()}-" in path.name
    assert not path.exists()


def test_a_killed_commands_file_is_removed_by_the_next_one(private_tmp: Path) -> None:
    # A real process makes a file the way a command does, and is killed with SIGKILL inside the block.
    code = (
        "import os, sys, tempfile, time; tempfile.tempdir = sys.argv[1];"
        "from flows.runfiles import private_file\n"
        "with private_file('secret', prefix='migwatch-flags-') as p:\n"
        "    print(p, flush=True); time.sleep(600)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(private_tmp)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    assert child.stdout is not None
    left = Path(child.stdout.readline().strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert left.exists()  # nobody could remove it

    with private_file("next run") as mine:
        assert Path(mine).exists()
        assert not left.exists()


def test_a_living_commands_file_is_left_alone(private_tmp: Path) -> None:
    with private_file("first") as first, private_file("second") as second:
        assert Path(first).exists() and Path(second).exists()
