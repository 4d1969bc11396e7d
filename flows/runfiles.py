"""Private files that carry a flow run's inputs, so a secret or a long list is never a flow-run
parameter (Prefect stores parameters in its database, shows them in its UI, and refuses more than
512 KB of them): the run gets the file's path and reads the file.

Each file is created readable by its owner only (0600, as mkstemp makes it), in a folder only its
owner can enter (0700, `migwatch-UID` in the temporary folder), and removed when the block that
made it ends, that is when the command's run is over. A command killed with `kill -9` cannot remove
its file, so its name carries the pid that made it, and the next command that makes one removes
every file whose maker is gone.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_MAKER = re.compile(r"-pid(\d+)-")


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"migwatch-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        raise PermissionError(f"{folder} must belong to this user and be private (0700)")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(folder: Path) -> list[Path]:
    """Remove the files of `folder` whose maker (the pid in their name) is no longer running."""
    removed = []
    for path in folder.iterdir():
        match = _MAKER.search(path.name)
        if match and not _alive(int(match.group(1))):
            with suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


@contextmanager
def private_file(text: str, *, prefix: str = "migwatch-run-", suffix: str = "") -> Iterator[str]:
    """The path of a 0600 file holding `text`, removed when the block ends."""
    folder = _folder()
    remove_orphans(folder)
    descriptor, path = tempfile.mkstemp(prefix=f"{prefix}pid{os.getpid()}-", suffix=suffix, dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)
