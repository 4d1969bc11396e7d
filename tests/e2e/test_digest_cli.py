"""`migwatch digest` as a user runs it: --dry-run shows and marks nothing; a run sends once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from flows.pipeline import pending_digest
from storage.engine import open_engine
from storage.tables import Delivery
from tests.conftest import run_cli
from tests.support.digest import seeded_engine, smtp_server


def _deliveries(url: str) -> int:
    engine = open_engine(url)
    with Session(engine) as session:
        count = int(session.execute(select(func.count()).select_from(Delivery)).scalar_one())
    engine.dispose()
    return count


def test_digest_dry_run_shows_then_a_run_sends_once(sqlite_url: str, cli_env: dict[str, str]) -> None:
    with seeded_engine(sqlite_url):
        pass
    with smtp_server() as smtp:
        notify = smtp.url().replace("mode=insecure", "mode=insecure&pass=hunter2secret")
        dry = run_cli(["digest", "--db", sqlite_url, "--dry-run", "--notify", notify], cli_env)
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.startswith("migwatch digest — 3 stories")
        assert "pass=***" in dry.stderr and "hunter2secret" not in dry.stderr
        assert _deliveries(sqlite_url) == 0 and smtp.emails == []

        sent = run_cli(["digest", "--db", sqlite_url, "--notify", smtp.url()], cli_env)
        assert sent.returncode == 0, sent.stderr
        assert "Delivered 3 story(ies) to mailto://127.0.0.1" in sent.stderr
        assert len(smtp.emails) == 1
        assert _deliveries(sqlite_url) == 3

        # a second run has nothing left for this channel (checked without paying for Prefect again)
        engine = open_engine(sqlite_url)
        pending, _ = pending_digest(engine, [smtp.url()])
        engine.dispose()
        assert pending.stories == []
        assert len(smtp.emails) == 1


def test_unusable_notify_url_is_one_clear_line(sqlite_url: str, cli_env: dict[str, str]) -> None:
    result = run_cli(
        ["digest", "--db", sqlite_url, "--notify", "nosuchscheme://user:topsecret@host"], cli_env
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "migwatch: error: not a usable notification URL: nosuchscheme://user:***@host "
        "(see apprise's URL formats)"
    )


def test_an_uncertain_delivery_says_so_and_exits_4(sqlite_url: str, cli_env: dict[str, str]) -> None:
    with seeded_engine(sqlite_url):
        pass
    with smtp_server(hold=True) as smtp:  # keeps the message, holds its 250 past apprise's timeout
        result = run_cli(["digest", "--db", sqlite_url, "--notify", smtp.url() + "&cto=3"], cli_env)
        assert len(smtp.emails) == 1
    assert result.returncode == 4, result.stderr
    assert "migwatch: delivery uncertain: mailto://127.0.0.1" in result.stderr
    assert "resends these 3 story(ies) once, in the same message" in result.stderr
    assert "Traceback" not in result.stderr and _deliveries(sqlite_url) == 0
