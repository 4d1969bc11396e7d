"""Small pieces every storage module shares: dialect-aware inserts, UTC datetimes, chunks of a
batch, and the one line a database failure becomes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from monitors.classify.dates import aware as aware  # re-exported: every storage module stores UTC
from monitors.errors import StorageError

T = TypeVar("T")

# Values per IN list or multi-row statement: one round trip per CHUNK rows, never one per row,
# and far below every engine's limit on bound parameters.
CHUNK = 500
# Bound parameters one SQLite statement may take (999 before SQLite 3.32).
SQLITE_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, in order."""
    for start in range(0, len(values), max(1, size)):
        yield values[start : start + size]


def row_id(value: int | None) -> int:
    """The id of a row read back from the database (never None once saved)."""
    if value is None:
        raise StorageError("a row has no id; was it saved?")
    return int(value)


def insert_for(engine: Engine, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on the engine's dialect (SQLite and PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        return pg_insert(table)
    if engine.dialect.name == "sqlite":
        return sqlite_insert(table)
    return insert(table)


def database_reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line of what went wrong, without SQLAlchemy's wrapping."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


@contextmanager
def guard(action: str) -> Iterator[None]:
    """Turn a database failure into one StorageError line."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(f"database error while {action}: {database_reason(exc)}") from exc
