"""Opening a database from a URL: SQLite by default, PostgreSQL when given."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import create_engine

from monitors.errors import StorageError
from storage import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.rows import encode_json


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a reader (the CLI) and a writer (a flow) work at once; the timeout waits for locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for `url` with the schema in place; any failure is one StorageError line."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"bad database URL {url!r}: expected e.g. sqlite:///path/to/migwatch.db") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    safe = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder for {safe}: {exc.strerror}") from exc
    try:
        # one JSON serializer for every write: the poll's rows arrive encoded with it (storage/rows.py)
        engine = create_engine(parsed, pool_pre_ping=True, json_serializer=encode_json)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise StorageError(f"unsupported database URL {safe}: use sqlite:/// or postgresql://") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StorageError(f"cannot open database {safe}: {reason}") from exc
    if create:
        key = _schema_key(parsed)
        if key is None or key not in _AT_HEAD:
            create_schema(engine)
            key = _schema_key(parsed)  # again: creating the schema changed the file
            if key is not None:
                _AT_HEAD.add(key)
    return engine


# Databases this process has seen at the schema's head, so a second open_engine (the CLI checks the
# database, then the flow's task opens it) skips even the version query. A SQLite file is keyed by
# its inode and change time too, so a file deleted and made anew is checked again; an in-memory
# database is new on every engine and is never remembered.
_AT_HEAD: set[tuple[str, int, int, int]] = set()


def _schema_key(parsed: URL) -> tuple[str, int, int, int] | None:
    rendered = parsed.render_as_string(hide_password=False)
    if parsed.get_backend_name() != "sqlite":
        return (rendered, 0, 0, 0)
    if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    try:
        stat = os.stat(parsed.database or "")
    except OSError:
        return None
    return (rendered, stat.st_dev, stat.st_ino, stat.st_ctime_ns)


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (storage/schema.py); safe from many
    processes at once."""
    from storage.schema import upgrade_to_head

    upgrade_to_head(engine)
