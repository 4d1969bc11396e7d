"""A real local Prefect server for a command run without PREFECT_API_URL (issue 12, item 2).

Prefect's ephemeral API runs no scheduler, so a `serve` on it registers its schedules and never
gets a run. `local_prefect_server` gives such a command a real `prefect server start` instead: on
127.0.0.1 at Prefect's own port setting (PREFECT_SERVER_API_PORT, default 4200), its SQLite under
PREFECT_HOME, its UI on the same address. A server already answering there is used as it is and
left running; one started here is started on a leash (flows/lifeline.py), so it stops when the
command does, even after `kill -9`, and is stopped on the way out otherwise. The wait for it to be
healthy is bounded and says how it goes; a server that cannot start is one PrefectUnavailable
error with the last line of its log.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.lifeline import leashed
from flows.prefect_api import LOCAL_HOST, check_health, local_url
from flows.reports import to_stderr
from flows.settings import child_environment
from monitors.errors import PrefectUnavailable

START_TIMEOUT = 240.0  # seconds; a cold start on a loaded 2-core machine takes 20-60 s
PROGRESS_EVERY = 15.0  # seconds between two "still starting" lines
STOP_GRACE = 20.0  # seconds the server has to shut down after SIGTERM before it is killed
LOG_NAME = "migwatch-server.log"


@dataclass(frozen=True, slots=True)
class LocalServer:
    url: str  # http://127.0.0.1:PORT, where the UI is
    started: bool  # False: a server was already answering there and is left as it is

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def is_healthy(url: str, timeout: float = 3.0) -> bool:
    """Whether a Prefect server answers at `url` (http://HOST:PORT)."""
    return check_health(f"{url}/api", attempts=1, timeout=timeout) is None


def _last_words(log: Path) -> str:
    """The log's last paragraph on one line (Prefect's CLI wraps its error to the terminal's width)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return paragraphs[-1][-400:] if paragraphs else ""


def stop_process(process: subprocess.Popen[bytes], grace: float = STOP_GRACE) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within `grace` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_healthy(
    process: subprocess.Popen[bytes],
    server: LocalServer,
    log: Path,
    timeout: float,
    say: Callable[[str], None],
) -> None:
    started = time.monotonic()
    next_word = started + PROGRESS_EVERY
    while not is_healthy(server.url):
        now = time.monotonic()
        if process.poll() is not None:
            raise PrefectUnavailable(
                f"the local Prefect server stopped while starting (exit {process.returncode}): "
                f"{_last_words(log) or 'no output'}; its log: {log}"
            )
        if now - started > timeout:
            raise PrefectUnavailable(
                f"the local Prefect server at {server.url} did not answer within {timeout:.0f} s; "
                f"its log: {log}; or set PREFECT_API_URL to a Prefect server you run"
            )
        if now >= next_word:
            say(f"still starting the local Prefect server ({now - started:.0f} s)...")
            next_word = now + PROGRESS_EVERY
        time.sleep(0.5)
    say(f"Prefect server ready after {time.monotonic() - started:.0f} s; its UI: {server.url}")


@contextmanager
def local_prefect_server(
    port: int | None = None, *, timeout: float = START_TIMEOUT, say: Callable[[str], None] = to_stderr
) -> Iterator[LocalServer]:
    """The Prefect server at 127.0.0.1:`port` (default: Prefect's PREFECT_SERVER_API_PORT),
    started here unless one already answers, and stopped on the way out if started here."""
    from prefect.settings import get_current_settings

    url = local_url(port)
    if is_healthy(url):
        say(f"using the Prefect server already running at {url}/api (its UI: {url})")
        yield LocalServer(url, started=False)
        return
    server = LocalServer(url, started=True)
    log = Path(get_current_settings().home).expanduser() / LOG_NAME
    log.parent.mkdir(parents=True, exist_ok=True)
    say(f"starting a local Prefect server at {server.api_url} (its UI: {url}); its log: {log}")
    args = ["server", "start", "--host", LOCAL_HOST, "--port", url.rsplit(":", 1)[1]]
    with log.open("ab") as out:
        # Its own session: a Ctrl-C in the terminal reaches the command only, which stops the
        # server itself once it no longer needs it (after pausing its schedules, for serve).
        process = subprocess.Popen(
            leashed("prefect", args),
            # The UI asks the API at PREFECT_UI_API_URL, which is :4200 whatever the port: say ours.
            env=child_environment(PREFECT_UI_API_URL=server.api_url),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_healthy(process, server, log, timeout, say)
        yield server
    finally:
        stop_process(process)
