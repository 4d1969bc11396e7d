"""The schema's version, kept by Alembic: upgrade a database of any older migwatch to this one's.

Every process opens the database through open_engine, which calls upgrade_to_head; when the
schema is already current that is one plain query against HEAD_REVISION, without importing Alembic
(about 0.2 s of imports and script loading). On PostgreSQL the upgrade runs inside one
transaction holding an advisory lock, so two workers starting at once against a fresh database
both succeed: the second waits, then finds the schema current.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from monitors.errors import StorageError
from storage.sql import database_reason

if TYPE_CHECKING:  # Alembic is imported only when a database is not at HEAD_REVISION
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest revision in storage/migrations/versions. A new migration must update it: a test
# (tests/storage/test_schema_fast_path.py) compares it with Alembic's own head.
HEAD_REVISION = "0003"
# The revision whose tables migwatch 0.1 created without Alembic (SQLModel create_all).
BASELINE = "0001"
LEGACY_TABLES = frozenset({"sources", "items", "classifications", "stories", "deliveries"})
# An arbitrary, fixed key for pg_advisory_xact_lock: "migwatch" read as hex-ish digits.
ADVISORY_LOCK_KEY = 0x6D1677A7C4
# Alembic keeps its running migration in module globals (alembic.context, alembic.op): two threads
# of one process (Prefect runs tasks in threads) must not migrate at the same time.
_IN_PROCESS = threading.Lock()


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None  # None: no migwatch schema at all
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:
        raise StorageError(f"no schema migrations found in {MIGRATIONS}")
    return head


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def schema_status(engine: Engine) -> SchemaStatus:
    """Which revision the database is at, without changing anything."""
    with engine.connect() as connection:
        current = _current(connection)
        if current is None and set(inspect(connection).get_table_names()) >= LEGACY_TABLES:
            current = f"{BASELINE} (before migrations were tracked)"
    return SchemaStatus(current=current, head=head_revision())


def _check_known(current: str | None) -> None:
    if current is None:
        return
    try:
        _scripts().get_revision(current)
    except Exception as exc:  # alembic raises several types for an unknown revision
        raise StorageError(
            f"the database schema is at revision {current}, newer than this migwatch knows "
            f"(head {head_revision()}); upgrade migwatch"
        ) from exc


def _upgrade(connection: Connection) -> None:
    from alembic import command

    if _current(connection) == head_revision():
        return
    config = alembic_config(connection)
    with _IN_PROCESS:
        current = _current(connection)  # again: another thread may have upgraded meanwhile
        _check_known(current)
        tables = set(inspect(connection).get_table_names())
        # A database made by migwatch 0.1 has its tables and no alembic_version: they are revision
        # BASELINE; record that first. With alembic_version there, another process is migrating
        # (on SQLite its DDL is visible before its version row): stamping would add a second row;
        # the upgrade below fails instead, and is retried once that process is done.
        if current is None and tables >= LEGACY_TABLES and "alembic_version" not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def is_at_head(engine: Engine) -> bool:
    """Whether the database records exactly HEAD_REVISION: one plain query, no Alembic.

    False whenever there is any doubt (no version table, another revision, several rows, an
    error); the caller then takes the full path, which decides and reports."""
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in rows] == [HEAD_REVISION]


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision, keeping every row. Safe to call from many
    processes at once; any failure is one StorageError line."""
    if is_at_head(engine):
        # A committed head revision means its migrations are done (on PostgreSQL they commit in
        # one transaction with it; on SQLite Alembic stamps after each migration's DDL): the
        # same early return _upgrade makes, without loading Alembic.
        return
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                # DDL is transactional on PostgreSQL: the lock and every migration share one
                # transaction, so a second process waits here and then sees the head revision.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
                _upgrade(connection)
            return
        _upgrade_with_retries(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot upgrade the database schema: {database_reason(exc)}") from exc


def _upgrade_with_retries(engine: Engine) -> None:
    # SQLite has no advisory locks, and Python's sqlite3 runs DDL outside a transaction: when two
    # processes race, the loser fails on "table already exists" and finds the work done on retry.
    for attempt in range(4):
        try:
            with engine.begin() as connection:
                _upgrade(connection)
            return
        except SQLAlchemyError:
            if attempt == 3:
                raise
            time.sleep(0.2 * (attempt + 1))
