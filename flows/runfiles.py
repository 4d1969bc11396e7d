"""Private files that carry a flow run's inputs, so a secret or a long list is never a flow-run
parameter (Prefect stores parameters in its database, shows them in its UI, and refuses more than
512 KB of them): the run gets the file's path and reads the file.

Each file is created readable by its owner only (0600, as mkstemp makes it) and removed when the
block that made it ends, that is when the command's run is over.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def private_file(text: str, *, prefix: str = "migwatch-run-", suffix: str = "") -> Iterator[str]:
    """The path of a 0600 file holding `text`, removed when the block ends."""
    descriptor, path = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path
    finally:
        with suppress(FileNotFoundError):
            os.unlink(path)
