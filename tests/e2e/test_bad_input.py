"""Bad input gets one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


def _assert_one_clear_error(result: object, needle: str) -> None:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.returncode != 0  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("migwatch: error:")
    assert needle in lines[0]


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (bytes(range(256)) * 8, "binary"), (b"\n\n   \n", "empty")],
    ids=["empty", "binary", "blank"],
)
def test_replay_rejects_unreadable_fixture(
    tmp_path: Path, cli_env: dict[str, str], sqlite_url: str, content: bytes, needle: str
) -> None:
    fixture = tmp_path / "bad.txt"
    fixture.write_bytes(content)
    _assert_one_clear_error(run_cli(["replay", str(fixture), "--db", sqlite_url], cli_env), needle)


def test_replay_rejects_folder_without_fixtures(
    tmp_path: Path, cli_env: dict[str, str], sqlite_url: str
) -> None:
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    (folder / "notes.md").write_text("not a fixture")
    _assert_one_clear_error(
        run_cli(["replay", str(folder), "--db", sqlite_url], cli_env), "no fixture documents"
    )


def test_replay_rejects_missing_path(tmp_path: Path, cli_env: dict[str, str], sqlite_url: str) -> None:
    result = run_cli(["replay", str(tmp_path / "missing"), "--db", sqlite_url], cli_env)
    _assert_one_clear_error(result, "no such file or folder")


@pytest.mark.parametrize(
    "url",
    ["not a url", "nosuchdb://x/y", "postgresql+psycopg://postgres@127.0.0.1:1/none"],
    ids=["garbage", "unknown-scheme", "closed-port"],
)
def test_bad_database_url_is_one_line(cli_env: dict[str, str], url: str) -> None:
    for command in (["items"], ["digest", "--dry-run"], ["replay", "seeds"]):
        result = run_cli([*command, "--db", url], cli_env)
        _assert_one_clear_error(result, "database")


def test_database_url_from_environment(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env, MIGWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'from-env.db'}")
    result = run_cli(["items"], env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env.db").exists()


def test_classify_skips_bad_lines_and_answers_the_good_ones(cli_env: dict[str, str]) -> None:
    stdin = (
        '{"id": "a", "title": "Cooper meets Piantedosi in Rome on migration"}\nnot json\n{"title": "no id"}\n'
    )
    result = run_cli(["classify"], cli_env, stdin=stdin)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "line 2" in result.stderr and "line 3" in result.stderr
    assert result.stdout.count("\n") == 1 and '"id": "a"' in result.stdout


def test_classify_empty_input_is_an_error(cli_env: dict[str, str]) -> None:
    _assert_one_clear_error(run_cli(["classify"], cli_env, stdin=""), "no items")


def test_malformed_config_file_is_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("database_url = [unclosed\n")
    _assert_one_clear_error(run_cli(["items", "--config", str(config)], cli_env), "config")


def test_data_dir_moves_the_default_database(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env, MIGWATCH_DATA_DIR=str(tmp_path / "elsewhere"))
    result = run_cli(["items"], env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere" / "migwatch.db").exists()
