"""Small pieces every storage module shares: dialect-aware inserts, UTC datetimes, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from monitors.classify.dates import aware as aware  # re-exported: every storage module stores UTC
from monitors.errors import StorageError


def insert_for(engine: Engine, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on the engine's dialect (SQLite and PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        return pg_insert(table)
    if engine.dialect.name == "sqlite":
        return sqlite_insert(table)
    return insert(table)


@contextmanager
def guard(action: str) -> Iterator[None]:
    """Turn a database failure into one StorageError line."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StorageError(f"database error while {action}: {reason}") from exc
