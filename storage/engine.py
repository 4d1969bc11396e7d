"""Opening a database from a URL: SQLite by default, PostgreSQL when given."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import create_engine

from monitors.errors import StorageError
from storage import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.rows import encode_json
from storage.sql import database_reason


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a reader (the CLI) and a writer (a flow) work at once; the timeout waits for locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# user:password@ in a URL that may not parse: everything between the first ':' and the last '@'
_USERINFO_PASSWORD = re.compile(r"^((?:[^:/@]*://)?[^:/@]*):[^/]*@")
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def mask_database_url(url: str) -> str:
    """`url` with its password replaced by ***, whether or not it parses: safe to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO_PASSWORD.sub(r"\1:***@", url, count=1)


def _parse(url: str) -> URL:
    safe = mask_database_url(url)
    hint = "expected e.g. sqlite:///path/to/migwatch.db or postgresql://user@host:5432/migwatch"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"bad database URL {safe!r}: {hint}") from exc
    except ValueError as exc:  # make_url reads the port with int()
        raise StorageError(f"bad database URL {safe!r}: the port must be a number; {hint}") from exc
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise StorageError(f"unsupported database URL {safe}: use sqlite:/// or postgresql://")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def open_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for `url` with the schema in place; any failure is one StorageError line that
    never shows the URL's password."""
    parsed = _parse(url)
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
    except (NoSuchModuleError, ArgumentError, ImportError, ValueError) as exc:
        raise StorageError(f"unsupported database URL {safe}: use sqlite:/// or postgresql://") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open database {safe}: {database_reason(exc)}") from exc
    if create:
        create_schema(engine)  # at the head already: one plain query (storage/schema.is_at_head)
    return engine


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (storage/schema.py); safe from many
    processes at once."""
    from storage.schema import upgrade_to_head

    upgrade_to_head(engine)
