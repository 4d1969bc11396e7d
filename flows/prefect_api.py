"""Is there a Prefect API to run on? One line that says what to do when there is not (issue 12).

A command that runs a flow talks to the server at PREFECT_API_URL (or a Prefect profile's URL) or,
with none configured, to a temporary server Prefect starts itself. When the first does not answer,
or the second does not come up in time, Prefect raises a RuntimeError deep in its client, after a
30-line traceback; `reachable_api` checks the configured server before the run starts and turns
those errors into `PrefectUnavailable`, which the CLI prints as one `migwatch: error:` line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import httpx

from flows.reports import to_stderr
from monitors.errors import PrefectUnavailable

LOCAL_HOST = "127.0.0.1"
HEALTH_TIMEOUT = 10.0  # seconds for one /health answer; a busy server answers within a second or two
ATTEMPTS = 3

# What Prefect's client says when it could not reach or start its API (prefect 3.8.8).
_UNREACHABLE = (
    "Failed to reach API at",
    "Timed out while attempting to connect to ephemeral Prefect API server",
)


def configured_api_url() -> str | None:
    """The API URL Prefect will use (environment, profile or prefect.toml), if one is set."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url).rstrip("/") if url else None


def checked_api_url() -> str | None:
    """The configured API URL once its /health has answered; None when none is configured. A
    configured server that does not answer is PrefectUnavailable, before anything starts."""
    url = configured_api_url()
    if url:
        reason = check_health(url)
        if reason:
            raise unreachable(url, reason)
    return url


def local_url(port: int | None = None) -> str:
    """http://127.0.0.1:PORT, where a local Prefect server and its UI are; PORT is Prefect's own
    PREFECT_SERVER_API_PORT (default 4200) unless given."""
    from prefect.settings import get_current_settings

    return f"http://{LOCAL_HOST}:{port or get_current_settings().server.api.port}"


def shown(url: str) -> str:
    """`url` without any user or password in it, for a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_health(url: str, attempts: int = ATTEMPTS, timeout: float = HEALTH_TIMEOUT) -> str | None:
    """None when `url`/health answers 200, else why not (the last attempt's reason)."""
    reason = "no answer"
    for _ in range(attempts):
        try:
            response = httpx.get(f"{url}/health", timeout=timeout)
        except httpx.HTTPError as exc:
            reason = type(exc).__name__ if not str(exc) else str(exc)
            continue
        if response.status_code == 200:
            return None
        reason = f"HTTP {response.status_code}"
    return reason


def unreachable(url: str, reason: str) -> PrefectUnavailable:
    return PrefectUnavailable(
        f"no Prefect API answers at {shown(url)} ({reason}): start that server "
        "(`prefect server start`), or unset PREFECT_API_URL to run on a temporary local one"
    )


_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def _not_a_run_failure(record: logging.LogRecord) -> bool:
    """A console filter: False for a flow or task run's own error records (its traceback, its
    'Finished in state Failed'), which the command says as one `migwatch: error:` line instead."""
    return not (record.levelno >= logging.ERROR and record.name.startswith(_RUN_LOGGERS))


@contextmanager
def run_failures_off_the_console() -> Iterator[None]:
    """While a command watches its own flow run: a failing run's records go to the Prefect API (its
    logs in the UI keep the traceback), not to the terminal, where the command prints the error in
    one line. Served and deployed runs never enter this block: their console is their log."""
    handlers = [h for h in logging.getLogger().handlers if type(h).__name__ == "PrefectConsoleHandler"]
    for handler in handlers:
        handler.addFilter(_not_a_run_failure)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(_not_a_run_failure)


def running_local_server() -> str | None:
    """The API URL of a Prefect server already answering on this machine at Prefect's own port
    (PREFECT_SERVER_API_PORT, default 4200; e.g. a `migwatch serve` or `prefect server start`)."""
    url = f"{local_url()}/api"
    return url if check_health(url, attempts=1, timeout=1.0) is None else None


@contextmanager
def reachable_api() -> Iterator[None]:
    """Run a flow only where a Prefect API answers; its failure to answer is one clear error.

    With no API URL configured, a Prefect server already running on this machine's Prefect port is
    used (the run shows in its UI, and nothing has to start); else Prefect's temporary local API."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = checked_api_url()
    if url:
        with _translated(url):
            yield
        return
    local = running_local_server()
    if local:
        to_stderr(f"Using the Prefect server running at {local} (its UI: {local.removesuffix('/api')})")
        with temporary_settings(updates={PREFECT_API_URL: local}), _translated(local):
            yield
        return
    # the silent part of a command's start: say what it waits for
    to_stderr(
        "Starting Prefect's temporary local API (no PREFECT_API_URL set; this can take half a minute "
        "on a busy machine)"
    )
    with _translated(None):
        yield


@contextmanager
def _translated(url: str | None) -> Iterator[None]:
    """Prefect's own errors for an API it cannot reach or start, as one PrefectUnavailable."""
    try:
        yield
    except RuntimeError as exc:
        if not str(exc).startswith(_UNREACHABLE):
            raise
        if url:
            raise unreachable(url, "it stopped answering") from None
        raise PrefectUnavailable(
            "Prefect's temporary local API did not start in time (PREFECT_SERVER_EPHEMERAL_STARTUP_"
            "TIMEOUT_SECONDS): try again, raise that timeout, or run `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        ) from None
