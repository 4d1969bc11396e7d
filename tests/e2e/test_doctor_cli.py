"""`migwatch doctor`: one line per check, exit 1 when a check fails."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage.store import ensure_feeds, open_engine
from storage.tables import Source
from tests.conftest import run_cli
from tests.support.feedserver import closed_port


def test_doctor_fails_on_an_unreachable_database_in_one_line(cli_env: dict[str, str]) -> None:
    result = run_cli(["doctor", "--db", f"postgresql://postgres@127.0.0.1:{closed_port()}/migwatch"], cli_env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("fail  database"))
    assert "cannot open database" in line


def test_doctor_reports_schema_api_channels_and_failing_feeds(
    sqlite_url: str, cli_env: dict[str, str]
) -> None:
    engine = open_engine(sqlite_url)
    feeds = ensure_feeds(
        engine, [("https://ok.example/feed.xml", None), ("https://down.example/feed.xml", None)]
    )
    bad = feeds["https://down.example/feed.xml"].source_id
    with Session(engine) as session:
        source = session.get(Source, bad)
        assert source is not None
        source.failures, source.last_error = 4, "HTTP 503"
        source.last_error_at = datetime.now(UTC)
        session.add(source)
        session.commit()
    engine.dispose()
    env = {
        **cli_env,
        "PREFECT_API_URL": f"http://127.0.0.1:{closed_port()}/api",
        "MIGWATCH_NOTIFY_URLS": "mailto://user:secret@example.org",
    }
    result = run_cli(["doctor", "--db", sqlite_url], env)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split()[1]: line for line in result.stdout.splitlines()}
    assert lines["database"].startswith("ok")
    assert lines["schema"].startswith("ok") and "(current)" in lines["schema"]
    assert lines["prefect"].startswith("fail") and "not reachable" in lines["prefect"]
    assert lines["channels"].startswith("ok") and "secret" not in result.stdout
    assert lines["feeds"].startswith("warn") and "https://down.example/feed.xml: HTTP 503" in lines["feeds"]
