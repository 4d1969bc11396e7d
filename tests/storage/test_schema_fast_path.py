"""Opening a database already at the schema's head costs one plain query, not Alembic's import and
script loading; anything else still takes the full upgrade path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.engine import open_engine
from storage.schema import HEAD_REVISION, alembic_config, is_at_head

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_head_constant_is_alembics_head() -> None:
    # A new migration in storage/migrations/versions must update storage.schema.HEAD_REVISION.
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_opening_a_database_at_head_does_not_import_alembic(database_url: str) -> None:
    open_engine(database_url).dispose()  # creates the schema (the full path, with Alembic)
    # Twice, as `migwatch poll` does: once in the CLI, once in the flow's task.
    result = _python(
        "import sys\n"
        "from storage.engine import open_engine\n"
        f"open_engine({database_url!r}).dispose()\n"
        f"open_engine({database_url!r}).dispose()\n"
        "assert 'alembic' not in sys.modules, 'alembic was imported'\n"
    )
    assert result.returncode == 0, result.stderr


def test_a_database_not_at_head_takes_the_full_path(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        assert is_at_head(engine)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
        assert not is_at_head(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        assert not is_at_head(engine)
    finally:
        engine.dispose()


def test_a_sqlite_file_made_anew_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "migwatch.db"
    url = f"sqlite:///{path}"
    open_engine(url).dispose()
    for leftover in tmp_path.glob("migwatch.db*"):
        leftover.unlink()
    engine = open_engine(url)
    try:
        assert "items" in inspect(engine).get_table_names()
        assert is_at_head(engine)
    finally:
        engine.dispose()


def test_an_in_memory_database_always_gets_its_schema() -> None:
    for _ in range(2):
        engine = open_engine("sqlite://")
        try:
            assert "items" in inspect(engine).get_table_names()
        finally:
            engine.dispose()
