"""Small pieces every storage module shares: dialect-aware inserts, UTC datetimes, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Engine, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from monitors.errors import StorageError


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; a naive one is taken to be UTC already."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
