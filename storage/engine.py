"""Opening a database from a URL: SQLite by default, PostgreSQL when given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
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
        create_schema(engine)  # at the head already: one plain query (storage/schema.is_at_head)
    return engine


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (storage/schema.py); safe from many
    processes at once."""
    from storage.schema import upgrade_to_head

    upgrade_to_head(engine)
