"""Schema migrations, on SQLite and PostgreSQL: upgrades keep every row, and many processes may
open a fresh database at once."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, Engine, bindparam, create_engine, text
from sqlmodel import SQLModel

from monitors.errors import StorageError
from storage import store
from storage.engine import open_engine
from storage.schema import BASELINE, alembic_config, head_revision, schema_status, upgrade_to_head

NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
VISITS = json.dumps(
    [
        {
            "minister": "Yvette Cooper",
            "role": "Home Secretary",
            "from": "United Kingdom",
            "destination": "Rome",
            "destination_country": "Italy",
            "date": "2025-01-09",
        }
    ]
)


@pytest.fixture
def bare(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database, with no schema created."""
    engine = open_engine(database_url, create=False)
    yield engine
    engine.dispose()


def _migrate(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as connection:
        getattr(command, action)(alembic_config(connection), revision)


def _fill_as_migwatch_0_1(engine: Engine) -> None:
    """Rows as migwatch 0.1 wrote them: one source, a relevant item in a story, delivered once,
    and an irrelevant item. Plain SQL on the baseline columns, so it stays true as tables change."""
    rows = [
        "INSERT INTO sources (id, url, kind, failures, created_at) "
        "VALUES (1, 'https://example.org/feed.xml', 'feed', 0, :now)",
        "INSERT INTO stories (id, headline, first_seen, last_seen, signature) "
        "VALUES (1, 'Cooper meets Piantedosi in Rome', :now, :now, '{}')",
        "INSERT INTO items (id, identity, source_id, title, summary, content, content_hash, "
        "first_seen, updated_at, story_id) VALUES "
        "(1, 'guid-1', 1, 'Cooper meets Piantedosi in Rome', '', '', 'h1', :now, :now, 1), "
        "(2, 'guid-2', 1, 'Weather in Dover', '', '', 'h2', :now, :now, NULL)",
        "INSERT INTO classifications (item_id, relevant, score, language, topic_version, rules, "
        "crossing_figures, ministerial_visits, classified_at) VALUES "
        "(1, TRUE, 0.9, 'en', 1, '[]', '[]', :visits, :now), (2, FALSE, 0.1, 'en', 1, '[]', '[]', '[]', :now)",
        "INSERT INTO deliveries (story_id, channel, channel_label, delivered_at) "
        "VALUES (1, 'mail-key', 'mailto://***@example.org', :now)",
    ]
    with engine.begin() as connection:
        for statement in rows:
            bound = text(statement).bindparams(bindparam("now", type_=DateTime(timezone=True)))
            connection.execute(bound, {"now": NOW, "visits": VISITS})


def _assert_0_1_rows_kept(engine: Engine) -> None:
    items = store.list_items(engine)
    assert sorted((row.title, row.relevant, row.story_id) for row in items) == [
        ("Cooper meets Piantedosi in Rome", True, 1),
        ("Weather in Dover", False, None),
    ]
    assert store.undelivered_stories(engine, ["mail-key"]) == []
    assert [s.id for s in store.undelivered_stories(engine, ["other-key"])] == [1]


def test_a_fresh_database_gets_exactly_the_tables_of_storage_tables(bare: Engine) -> None:
    upgrade_to_head(bare)
    assert schema_status(bare).is_current
    with bare.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), SQLModel.metadata
        )
    # A change to storage/tables.py needs a new revision in storage/migrations/versions.
    assert differences == []


def test_a_database_made_before_migrations_were_tracked_keeps_its_rows(bare: Engine) -> None:
    _migrate(bare, "upgrade", BASELINE)
    with bare.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))  # as 0.1's create_all left it
    _fill_as_migwatch_0_1(bare)
    assert schema_status(bare).current is not None and not schema_status(bare).is_current

    engine = open_engine(str(bare.url.render_as_string(hide_password=False)))
    try:
        assert schema_status(engine).current == head_revision()
        _assert_0_1_rows_kept(engine)
    finally:
        engine.dispose()


def test_upgrading_from_the_oldest_revision_keeps_its_rows(bare: Engine) -> None:
    _migrate(bare, "upgrade", BASELINE)
    _fill_as_migwatch_0_1(bare)
    upgrade_to_head(bare)
    assert schema_status(bare).current == head_revision()
    _assert_0_1_rows_kept(bare)


def test_every_revision_downgrades_and_upgrades_again(bare: Engine) -> None:
    upgrade_to_head(bare)
    _migrate(bare, "downgrade", "base")
    assert schema_status(bare).current is None
    upgrade_to_head(bare)
    assert schema_status(bare).is_current


def test_a_database_from_a_newer_migwatch_is_refused_in_one_line(bare: Engine) -> None:
    upgrade_to_head(bare)
    with bare.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(StorageError, match="newer than this migwatch knows"):
        upgrade_to_head(bare)


def _create_schema(url: str, start: Any, errors: Any) -> None:
    engine = create_engine(url)
    try:
        start.wait()
        upgrade_to_head(engine)
    except BaseException as exc:
        errors.put(repr(exc))
    finally:
        engine.dispose()


def test_three_processes_creating_the_schema_at_once_all_succeed(bare: Engine) -> None:
    url = bare.url.render_as_string(hide_password=False)
    spawn = multiprocessing.get_context("spawn")
    start, errors = spawn.Barrier(3), spawn.Queue()
    processes = [spawn.Process(target=_create_schema, args=(url, start, errors)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert errors.empty(), errors.get()
    assert schema_status(bare).is_current
    with bare.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_threads_of_one_process_creating_the_schema_at_once_all_succeed(bare: Engine) -> None:
    # Prefect runs tasks in threads, and Alembic keeps its state in module globals.
    url = bare.url.render_as_string(hide_password=False)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def create() -> None:
        engine = create_engine(url)
        try:
            start.wait()
            upgrade_to_head(engine)
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert schema_status(bare).is_current
