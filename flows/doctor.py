"""`migwatch doctor`: is this machine ready to run migwatch unattended?

Each check is a value (name, verdict, detail), so the CLI prints one line per check and exits
non-zero when any check failed. A warning is something to look at that does not stop a run.
Prefect is imported only to read its API URL setting (with the user's profile); no flow runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from flows.reports import feed_name
from flows.settings import Settings
from monitors.errors import MigwatchError
from monitors.safetext import one_line
from storage.feeds import FeedHealth

Verdict = Literal["ok", "warn", "fail"]
# A feed failing this many times in a row is reported as a warning.
FAILING_FEED_THRESHOLD = 3


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


def _safe(url: str) -> str:
    from storage.engine import mask_database_url

    return mask_database_url(url)


def check_database(settings: Settings) -> list[Check]:
    """Reachable, then at the newest schema revision, then its feeds' health."""
    from storage.schema import schema_status
    from storage.store import feed_health, open_engine

    try:
        engine = open_engine(settings.database_url, create=False)
    except MigwatchError as exc:
        return [Check("database", "fail", str(exc))]
    try:
        checks = [Check("database", "ok", f"{_safe(settings.database_url)} is reachable")]
        try:
            status = schema_status(engine)
        except Exception as exc:  # a database we cannot read the version of
            return [*checks, Check("schema", "fail", f"cannot read the schema version: {exc}")]
        if status.is_current:
            checks.append(Check("schema", "ok", f"at revision {status.head} (current)"))
        elif status.current is None:
            checks.append(
                Check("schema", "warn", f"empty database; the first run creates revision {status.head}")
            )
            return checks
        else:
            checks.append(
                Check(
                    "schema",
                    "warn",
                    f"at revision {status.current}, this migwatch has {status.head}; "
                    "the next run upgrades it (keeping its data)",
                )
            )
        try:
            feeds = feed_health(engine)
        except MigwatchError as exc:
            return [*checks, Check("feeds", "fail", str(exc))]
        checks.append(_feeds_check(feeds))
        return checks
    finally:
        engine.dispose()


def _feeds_check(rows: list[FeedHealth]) -> Check:
    if not rows:
        return Check("feeds", "warn", "no feed polled yet (run `migwatch poll`)")
    failing = sorted(
        (f for f in rows if f.failures >= FAILING_FEED_THRESHOLD), key=lambda f: (-f.failures, f.url)
    )
    if not failing:
        return Check("feeds", "ok", f"{len(rows)} feed(s), none failing")
    worst = failing[0]
    return Check(
        "feeds",
        "warn",
        f"{len(failing)} of {len(rows)} feed(s) failing {FAILING_FEED_THRESHOLD}+ times in a row, "
        f"e.g. {feed_name(worst.url, worst.title)}: {one_line(worst.last_error or 'error')}",
    )


def check_channels(settings: Settings) -> Check:
    """Each notify URL checked by apprise exactly as `digest` checks it before sending."""
    from monitors.digest.notify import check_url, mask_url

    if not settings.notify_urls:
        return Check("channels", "warn", "none configured (MIGWATCH_NOTIFY_URLS); alerts go nowhere")
    unusable = []
    for url in settings.notify_urls:
        try:
            check_url(url)
        except MigwatchError as exc:
            unusable.append(str(exc))
    if unusable:
        return Check("channels", "fail", "; ".join(unusable) + " (`migwatch digest` refuses it)")
    return Check("channels", "ok", ", ".join(mask_url(url) for url in settings.notify_urls))


def check_deliveries(settings: Settings) -> Check | None:
    """Each configured channel's delivery state: backing off after failures, or holding stories
    whose delivery is uncertain (the next digest resends them once). None without a channel or a
    readable database (the database check says why)."""
    from monitors.digest.notify import channel_key, mask_url
    from storage.store import channel_state, open_engine

    if not settings.notify_urls:
        return None
    try:
        engine = open_engine(settings.database_url, create=False)
    except MigwatchError:
        return None
    notes = []
    try:
        for url in settings.notify_urls:
            state = channel_state(engine, channel_key(url))
            if state is not None and state.in_flight:
                notes.append(
                    f"{mask_url(url)}: delivery of {len(state.in_flight)} story(ies) uncertain; "
                    "the next digest resends them once"
                )
            elif state is not None and state.failures:
                notes.append(f"{mask_url(url)}: {state.failures} failed attempt(s): {state.last_error}")
    except MigwatchError:
        return None  # an empty or older schema: the schema check says so
    finally:
        engine.dispose()
    if notes:
        return Check("deliveries", "warn", "; ".join(notes))
    return Check("deliveries", "ok", "every channel delivered what it was sent")


def prefect_api_url() -> str | None:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def check_prefect_api(api_url: str | None, timeout: float = 5.0) -> Check:
    if not api_url:
        return Check(
            "prefect api",
            "warn",
            "PREFECT_API_URL not set: each run starts a temporary local API "
            "(fine on a laptop; set it to your `prefect server` for serve, workers and the UI)",
        )
    health = api_url.rstrip("/") + "/health"
    try:
        response = httpx.get(health, timeout=timeout)
    except httpx.HTTPError as exc:
        return Check("prefect api", "fail", f"{api_url} is not reachable: {exc.__class__.__name__}: {exc}")
    if response.status_code != 200:
        return Check("prefect api", "fail", f"{health} answered HTTP {response.status_code}")
    return Check("prefect api", "ok", f"{api_url} is healthy")


def run_checks(settings: Settings, api_url: Callable[[], str | None] = prefect_api_url) -> list[Check]:
    deliveries = check_deliveries(settings)
    return [
        *check_database(settings),
        check_prefect_api(api_url()),
        check_channels(settings),
        *([deliveries] if deliveries else []),
    ]
