"""Shared fixtures: real databases, the CLI as a user runs it, a private Prefect home."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.feedserver import closed_port
from tests.support.prefect_server import clean_env, prefect_server

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
MIGWATCH = Path(sys.executable).parent / "migwatch"


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the session, so only the first flow pays for its database set-up."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Prefect server (`prefect server start`, SQLite) for the whole session: every CLI
    call of the suite talks to it, instead of each starting Prefect's ephemeral API (issue 12)."""
    with prefect_server(tmp_path_factory.mktemp("prefect-server")) as server:
        yield server.api


@pytest.fixture
def ephemeral_cli_env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    """The CLI's environment with no PREFECT_API_URL: each command starts Prefect's ephemeral API,
    as on a machine where nothing is configured."""
    env = clean_env(prefect_home)
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        # A command with no API URL uses a Prefect server running at this port if there is one
        # (flows/prefect_api.py): a closed port, so a server someone runs on 4200 changes nothing.
        PREFECT_SERVER_API_PORT=str(closed_port()),
    )
    return env


@pytest.fixture
def cli_env(ephemeral_cli_env: dict[str, str], prefect_api: str) -> dict[str, str]:
    """The CLI's environment: a private home, pointed at the session's Prefect server."""
    return {**ephemeral_cli_env, "PREFECT_API_URL": prefect_api}


def run_cli(
    args: list[str], env: dict[str, str], *, stdin: str | None = None, cwd: Path = ROOT, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MIGWATCH), *args],
        input=stdin,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'migwatch.db'}"


def scratch_postgres() -> Iterator[str]:
    """A scratch PostgreSQL database, dropped afterwards."""
    name = f"migwatch_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from scratch_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Both engines, so the storage suite proves the same code runs on each."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migwatch.db'}"
    else:
        yield from scratch_postgres()
