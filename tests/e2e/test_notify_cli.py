"""`migwatch notify --test` as a user runs it, against a real SMTP server and HTTP receivers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.support.digest import email_url, http_receiver, seeded_engine, smtp_server

TITLE = "migwatch: TEST message (no news; please ignore)"


def test_notify_test_reaches_each_channel_reports_each_and_records_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "migwatch.db"
    with seeded_engine(f"sqlite:///{db}"):
        pass  # stories are pending: a test message must leave them so
    with smtp_server() as smtp, http_receiver() as good, http_receiver(status=500) as bad:
        hook = f"json://127.0.0.1:{good.port}/hook"
        broken = f"json://127.0.0.1:{bad.port}/broken"
        env = {
            **cli_env,
            "MIGWATCH_DATABASE_URL": f"sqlite:///{db}",
            "MIGWATCH_NOTIFY_URLS": f"{email_url(smtp.port)},{hook}",
        }
        listed = run_cli(["notify", "--notify", broken], env)
        result = run_cli(["notify", "--test", "--notify", broken], env)
        emails = smtp.emails

    assert listed.returncode == 0, listed.stderr
    assert (
        listed.stdout.splitlines()[-1] == "3 channel(s). `migwatch notify --test` sends each a test message."
    )
    assert result.returncode == 4, result.stdout + result.stderr  # one channel failed
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["ok", "ok", "fail"]
    assert lines[0].endswith(": test message sent") and "127.0.0.1" in lines[0]
    assert lines[2].startswith("fail  json://127.0.0.1") and "refused or was unreachable" in lines[2]
    assert lines[3] == "3 channel(s): 2 ok, 1 failed. Nothing was recorded: pending stories stay pending."

    [email] = emails
    assert email["Subject"] == TITLE
    text = email.get_body(("plain",)).get_content()
    assert text.startswith("TEST MESSAGE") and "no story was marked as delivered" in text
    assert "TEST MESSAGE" in email.get_body(("html",)).get_content()
    [(path, _, body)] = good.requests
    assert path == "/hook"
    payload = json.loads(body)
    assert payload["title"] == TITLE and json.loads(payload["message"])["test"] is True
    assert len(bad.requests) == 1

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM delivery_failures").fetchone() == (0,)


def test_notify_test_without_a_channel_says_how_to_add_one(cli_env: dict[str, str]) -> None:
    listed = run_cli(["notify"], cli_env)
    assert listed.returncode == 0 and listed.stdout.startswith("No channels: set MIGWATCH_NOTIFY_URLS")
    result = run_cli(["notify", "--test"], cli_env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "migwatch: error: no channel configured: set MIGWATCH_NOTIFY_URLS or notify_urls in the "
        "config file, or give --notify URL"
    )
