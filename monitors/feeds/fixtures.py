"""Fixture documents: a text file with the headline on line 1 and the page text after it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from monitors.classify.dates import find_full_date
from monitors.errors import InputError
from monitors.models import FeedItem

FIXTURE_SUFFIXES = (".txt",)
# A fixture's id is made here from its text, unlike a feed's guid, which its publisher chose.
FIXTURE_ID_PREFIX = "fixture:"


def fixture_paths(paths: list[Path]) -> list[Path]:
    """Expand folders to their fixture files (sorted); a missing path or an empty folder is an error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in FIXTURE_SUFFIXES)
            if not files:
                raise InputError(f"{path}: no fixture documents (*.txt) in this folder")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def read_fixture(path: Path) -> FeedItem:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if b"\x00" in raw:
        raise InputError(f"{path}: binary data, not a text document")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.lstrip("\ufeff")
    title, _, body = text.strip().partition("\n")
    if not title.strip() or not body.strip():
        raise InputError(f"{path}: empty; a fixture has a headline on line 1 and the text after it")
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    if printable < 0.95 * len(text):
        raise InputError(f"{path}: not readable text")
    head = "\n".join(body.splitlines()[:12])
    day = find_full_date(head)
    digest = hashlib.sha256(f"{title.strip()}\n{body.strip()}".encode()).hexdigest()
    return FeedItem(
        id=FIXTURE_ID_PREFIX + digest,
        title=title.strip(),
        content=body.strip(),
        published=datetime(day.year, day.month, day.day) if day else None,
        source=f"file:{path.name}",
    )


def read_fixtures(paths: list[Path]) -> Iterator[FeedItem]:
    for path in fixture_paths(paths):
        yield read_fixture(path)
