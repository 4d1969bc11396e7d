"""Errors a user causes are one `migwatch: error:` line that names the problem and shows no secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

SECRET = "hunter2-s3cret"


def _one_error_line(result_stderr: str) -> str:
    assert "Traceback" not in result_stderr
    lines = [line for line in result_stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result_stderr
    assert lines[0].startswith("migwatch: error: ")
    assert SECRET not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"postgresql://bob:{SECRET}@db.internal:abc/migwatch", "the port must be a number"),
        (f"postgresql://bob:{SECRET}@[::1/migwatch", "bad database URL"),
        (f"mysql://bob:{SECRET}@127.0.0.1/migwatch", "unsupported database URL mysql://bob:***@"),
        (f"bob:{SECRET}@@@://nowhere", "bad database URL 'bob:***@"),
    ],
)
def test_a_bad_database_url_is_one_line_with_the_password_masked(
    cli_env: dict[str, str], url: str, says: str
) -> None:
    for args in (["items", "--db", url], ["digest", "--dry-run", "--db", url]):
        result = run_cli(args, cli_env)
        assert result.returncode != 0
        assert says in _one_error_line(result.stderr)
    from_env = run_cli(["items"], {**cli_env, "MIGWATCH_DATABASE_URL": url})
    assert says in _one_error_line(from_env.stderr)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        (
            "MIGWATCH_CONCURRENCY",
            "0",
            "bad setting concurrency (got '0'): Input should be greater than or equal to 1",
        ),
        ("MIGWATCH_MAX_REDIRECTS", "-1", "bad setting max_redirects (got '-1')"),
        (
            "MIGWATCH_CONNECT_TIMEOUT",
            "0",
            "bad setting connect_timeout (got '0'): Input should be greater than 0",
        ),
        ("MIGWATCH_FEED_TIMEOUT", "-5", "bad setting feed_timeout"),
        ("MIGWATCH_MAX_BODY_BYTES", "0", "bad setting max_body_bytes"),
    ],
)
def test_an_impossible_limit_is_refused_before_anything_runs(
    cli_env: dict[str, str], sqlite_url: str, variable: str, value: str, says: str
) -> None:
    result = run_cli(["items", "--db", sqlite_url], {**cli_env, variable: value})
    assert result.returncode == 2
    assert says in _one_error_line(result.stderr)


def test_an_impossible_limit_in_the_config_file_is_refused(
    cli_env: dict[str, str], sqlite_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("read_timeout = 0\n", encoding="utf-8")
    result = run_cli(["items", "--db", sqlite_url, "--config", str(config)], cli_env)
    assert result.returncode == 2
    assert "bad setting read_timeout (got 0)" in _one_error_line(result.stderr)


def test_a_config_that_is_a_folder_is_an_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "conf.d"
    folder.mkdir()
    for args, env in (
        (["items", "--config", str(folder)], cli_env),
        (["items"], {**cli_env, "MIGWATCH_CONFIG": str(folder)}),
    ):
        result = run_cli(args, env)
        assert result.returncode == 2
        assert f"config file {folder} is not a file" in _one_error_line(result.stderr)


def test_doctor_refuses_a_notify_url_that_digest_refuses(cli_env: dict[str, str], sqlite_url: str) -> None:
    bad = f"mailtos://bob:{SECRET}@"
    env = {**cli_env, "MIGWATCH_NOTIFY_URLS": f"{bad},json://127.0.0.1:9/hook"}
    digest = run_cli(["digest", "--dry-run", "--db", sqlite_url], env)
    assert digest.returncode == 2
    assert "not a usable notification URL: mailtos://bob:***@" in _one_error_line(digest.stderr)

    doctor = run_cli(["doctor", "--db", sqlite_url], env)
    assert doctor.returncode == 1
    assert SECRET not in doctor.stdout + doctor.stderr
    channels = next(line for line in doctor.stdout.splitlines() if "channels" in line)
    assert channels.startswith("fail")
    assert "mailtos://bob:***@" in channels and "json://" not in channels

    good = run_cli(
        ["doctor", "--db", sqlite_url], {**cli_env, "MIGWATCH_NOTIFY_URLS": "json://127.0.0.1:9/hook"}
    )
    assert next(line for line in good.stdout.splitlines() if "channels" in line).startswith("ok")
