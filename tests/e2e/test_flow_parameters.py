"""What Prefect keeps of a migwatch run names the work and holds no secret (issue 12, item 5).

The CLI runs against the session's real Prefect server; afterwards every flow run's parameters,
and every log, task run and artifact of those runs, are read back from the Prefect REST API, as
anyone who can read the server (or its UI) would read them.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import PG_ADMIN, run_cli, scratch_postgres
from tests.support.digest import free_port
from tests.support.feedserver import closed_port, feed_server

DB_PASSWORD = f"S3cretPw-{uuid.uuid4().hex[:8]}"
MAIL_PASSWORD = f"MailPw-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def secret_db_url() -> Iterator[str]:
    """A scratch PostgreSQL database, reached by a URL with a password (the server trusts
    127.0.0.1, so any password works, and the URL must still never be shown)."""
    for url in scratch_postgres():
        yield url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(bytes(envelope.original_content or envelope.content))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)


@contextmanager
def smtp_with_login() -> Iterator[tuple[str, _Inbox]]:
    """An SMTP server on 127.0.0.1 that asks for a login (over plain SMTP), and the mailto URL,
    with its password, that reaches it."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield (
            f"mailto://desk:{MAIL_PASSWORD}@127.0.0.1:{port}"
            "?from=digest@example.org&to=desk@example.org&mode=insecure",
            inbox,
        )
    finally:
        controller.stop()


def _post(api: str, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of a Prefect `.../filter` endpoint, page by page."""
    rows: list[dict[str, Any]] = []
    while True:
        response = httpx.post(f"{api}/{path}", json={**body, "limit": 200, "offset": len(rows)}, timeout=30)
        response.raise_for_status()
        page = response.json()
        rows += page
        if len(page) < 200:
            return rows


def _runs_since(api: str, since: datetime) -> list[dict[str, Any]]:
    """The flow runs created since `since`, each with its flow's name under `flow_name`."""
    runs = [
        run for run in _post(api, "flow_runs/filter", {}) if datetime.fromisoformat(run["created"]) >= since
    ]
    flows = {flow["id"]: flow["name"] for flow in _post(api, "flows/filter", {})}
    return [{**run, "flow_name": flows.get(run["flow_id"], "")} for run in runs]


def _everything_prefect_keeps(api: str, runs: list[dict[str, Any]]) -> str:
    """The runs, their task runs, logs and artifacts, as one text to search."""
    ids = [run["id"] for run in runs]
    kept = {
        "flow_runs": runs,
        "task_runs": _post(api, "task_runs/filter", {"flow_runs": {"id": {"any_": ids}}}),
        "logs": _post(api, "logs/filter", {"logs": {"flow_run_id": {"any_": ids}}}),
        "artifacts": _post(api, "artifacts/filter", {"artifacts": {"flow_run_id": {"any_": ids}}}),
    }
    return json.dumps(kept)


def ids(runs: list[dict[str, Any]]) -> list[str]:
    return [run["id"] for run in runs]


def _assert_nothing_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} is kept by Prefect"


def _feeds_file(path: Path, urls: list[str]) -> Path:
    path.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    return path


def test_prefect_keeps_no_password_and_no_url_of_a_replay_a_poll_and_a_digest(
    cli_env: dict[str, str], prefect_api: str, secret_db_url: str, tmp_path: Path
) -> None:
    since = datetime.now(UTC)
    # INFO, so that every log line a run writes reaches the API and is searched too
    env = {**cli_env, "PREFECT_LOGGING_LEVEL": "INFO"}
    with smtp_with_login() as (mail_url, inbox), feed_server() as base:
        outputs = []
        # replay: the database URL as a flag, the channel from the environment
        replay = run_cli(
            ["replay", "seeds/", "--db", secret_db_url], {**env, "MIGWATCH_NOTIFY_URLS": mail_url}
        )
        assert replay.returncode == 0, replay.stderr
        # poll: the database URL from the environment, the feeds from a file
        feeds = _feeds_file(tmp_path / "feeds.txt", [f"{base}/corpus/guardian_us_2018.rss"])
        poll = run_cli(
            ["poll", "--feeds", str(feeds), "--format", "json"],
            {**env, "MIGWATCH_DATABASE_URL": secret_db_url},
        )
        assert poll.returncode == 0, poll.stderr
        assert json.loads(poll.stdout)["new_items"] == 55
        # digest: the database URL and the channel as flags
        digest = run_cli(["digest", "--db", secret_db_url, "--notify", mail_url], env)
        assert digest.returncode == 0, digest.stderr
        outputs = [replay.stdout, replay.stderr, poll.stdout, poll.stderr, digest.stdout, digest.stderr]

    assert len(inbox.messages) == 1  # the digest was sent, with the login its URL carries
    assert inbox.logins == [("desk", MAIL_PASSWORD)]
    assert "Delivered" in digest.stderr and "mailto://desk:***@127.0.0.1" in digest.stderr

    runs = _runs_since(prefect_api, since)
    by_flow = {run["flow_name"]: run for run in runs}
    assert {"migwatch-replay", "migwatch-poll", "migwatch-digest"} <= set(by_flow), runs
    assert all(run["state_type"] == "COMPLETED" for run in runs)
    # the parameters name the work
    poll_parameters = by_flow["migwatch-poll"]["parameters"]
    assert poll_parameters["feeds_file"] == str(feeds) and poll_parameters["feed_count"] == 1
    assert poll_parameters["overrides_file"] is None  # no flag: the run read the environment
    assert by_flow["migwatch-digest"]["parameters"]["channels"] == [
        mail_url.split("?")[0].replace(f"desk:{MAIL_PASSWORD}@", "")
    ]
    assert by_flow["migwatch-replay"]["parameters"]["paths"] == ["seeds"]

    kept = _everything_prefect_keeps(prefect_api, runs)
    assert "migwatch-poll" in kept and "Digest: " in kept  # the search covers the artifacts
    _assert_nothing_secret(kept, DB_PASSWORD, MAIL_PASSWORD, secret_db_url, mail_url)
    _assert_nothing_secret("\n".join(outputs), DB_PASSWORD, MAIL_PASSWORD, secret_db_url, mail_url)
    # the flags files that carried the URLs to the runs are gone with the runs
    for run in runs:
        overrides = run["parameters"].get("overrides_file")
        assert overrides is None or not Path(overrides).exists()


@contextmanager
def held_feed() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A feed URL whose server says when it is asked (`asked`) and answers once `release` is set."""
    asked, release = threading.Event(), threading.Event()
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>One</title><link>https://example.org/1</link></item></channel></rss>"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(30)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.rss", asked, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_a_poll_that_fails_mid_run_shows_no_password_in_its_traceback_or_logs(
    cli_env: dict[str, str], prefect_api: str, secret_db_url: str, tmp_path: Path
) -> None:
    import subprocess

    from tests.conftest import MIGWATCH, ROOT

    since = datetime.now(UTC)
    name = secret_db_url.rsplit("/", 1)[1]
    with held_feed() as (url, asked, release):
        feeds = _feeds_file(tmp_path / "feeds.txt", [url])
        command = subprocess.Popen(
            [str(MIGWATCH), "poll", "--feeds", str(feeds), "--db", secret_db_url],
            env={**cli_env, "PREFECT_LOGGING_LEVEL": "INFO"},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert asked.wait(120), "the poll never fetched its feed"
        # the database goes away while the run fetches: storing what it fetched fails
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        release.set()
        stdout, stderr = command.communicate(timeout=120)

    assert command.returncode == 3, stderr  # StorageError
    # the terminal gets one error line; the traceback is in the run's logs on the server
    assert "Traceback" not in stderr and stderr.splitlines()[-1].startswith("migwatch: error: database error")
    runs = [run for run in _runs_since(prefect_api, since) if run["flow_name"] == "migwatch-poll"]
    assert [run["state_type"] for run in runs] == ["FAILED"]
    kept = _everything_prefect_keeps(prefect_api, runs)
    assert "Traceback" in kept or "exception" in kept.lower()  # the failure is in the run's logs
    _assert_nothing_secret(kept + stdout + stderr, DB_PASSWORD, secret_db_url)


def test_a_poll_of_20000_feeds_runs_with_parameters_of_a_few_hundred_bytes(
    cli_env: dict[str, str], prefect_api: str, sqlite_url: str, tmp_path: Path
) -> None:
    since = datetime.now(UTC)
    refused = closed_port()  # nothing listens: each fetch ends at once, connection refused
    with feed_server() as base:
        urls = [f"{base}/corpus/guardian_us_2018.rss"]
        urls += [f"http://127.0.0.1:{refused}/feed/{number}.rss" for number in range(19_999)]
        feeds = _feeds_file(tmp_path / "feeds.txt", urls)
        assert len(feeds.read_bytes()) > 512 * 1024  # more than Prefect takes as parameters
        started = time.monotonic()
        result = run_cli(
            ["poll", "--feeds", str(feeds), "--db", sqlite_url, "--format", "json"],
            {**cli_env, "MIGWATCH_CONNECT_TIMEOUT": "1", "MIGWATCH_FEED_TIMEOUT": "2"},
            timeout=240,
        )
        took = time.monotonic() - started

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert len(report["feeds"]) == 20_000 and report["new_items"] == 55
    runs = [run for run in _runs_since(prefect_api, since) if run["flow_name"] == "migwatch-poll"]
    assert len(runs) == 1 and runs[0]["state_type"] == "COMPLETED"
    size = len(json.dumps(runs[0]["parameters"]))
    assert size < 10_000, runs[0]["parameters"]
    assert runs[0]["parameters"]["feed_count"] == 20_000
    # and its table artifact is bounded too (500 feed rows; all 20,000 were 5.5 MB)
    artifacts = _post(prefect_api, "artifacts/filter", {"artifacts": {"flow_run_id": {"any_": ids(runs)}}})
    assert {a["key"] for a in artifacts} == {"migwatch-poll", "migwatch-poll-summary"}
    assert len(json.dumps(artifacts)) < 300_000
    print(f"20,000 feeds: {took:.1f} s; parameters {size} bytes")
