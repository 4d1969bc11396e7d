"""Unattended migwatch: the scheduled flows, served by Prefect or deployed to its workers.

Two deployment flows read their settings when they run (on the worker that runs them), so one
`prefect.yaml` serves every machine: `migwatch-scheduled-poll` polls every feed, sends the instant
alert, and never overlaps itself (a deployment concurrency limit of one); `migwatch-scheduled-digest`
sends the daily digest. Retries with backoff live where they help, per feed (storage/feeds.py) and
per channel (storage/deliveries.py), never around a whole flow. `migwatch serve` runs both from one
process on the schedules of the settings, as the deployments `migwatch-scheduled-poll/served` and
`migwatch-scheduled-digest/served` (prefect.yaml's are `.../poll` and `.../digest`), against
PREFECT_API_URL or else a real local Prefect server (flows/local_server.py).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from prefect import flow

from flows import artifacts
from flows.schedules import digest_schedule
from flows.settings import Settings, load_run_settings, mark_served_runs, served_by
from monitors.errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.runner import Runner

# `serve`'s deployments are `<flow>/served`; deploy/prefect.yaml's are `<flow>/poll` and
# `<flow>/digest`: a serve pointed at the server that holds those never overwrites or pauses them.
SERVED_DEPLOYMENT = "served"
POLL_DEPLOYMENT = SERVED_DEPLOYMENT
DIGEST_DEPLOYMENT = SERVED_DEPLOYMENT
POLL_FLOW = "migwatch-scheduled-poll"
DIGEST_FLOW = "migwatch-scheduled-digest"


def _stop_with_serve() -> None:
    """In a run that `migwatch serve` started (its runner's `python -m prefect.engine` child): stop
    when serve is gone, even after `kill -9` (flows/lifeline.py). A worker's runs are not leashed:
    their worker and Prefect's server watch them."""
    from flows.lifeline import watch_parent

    pid = served_by()
    if pid is not None:  # serve may be gone already: then the watch stops this run at once
        watch_parent(pid)


@flow(name=POLL_FLOW, validate_parameters=False)
def scheduled_poll(config_file: str | None = None, overrides_file: str | None = None) -> dict[str, Any]:
    """One poll cycle of the feeds in the settings, then the instant alert; publishes a table of
    feeds polled, new and relevant items and alerts sent. The run reads its settings (database,
    channels, feeds) where it runs: its parameters name only the config file and the flags file
    of `migwatch serve` (flows/settings.py: run_overrides)."""
    from flows.poll import poll_flow

    _stop_with_serve()
    settings = load_run_settings(config_file, overrides_file)
    # The poll's own body (and its table artifact) runs inside this flow run: one run per poll.
    report = poll_flow.fn(
        config_file,
        str(settings.feeds_file) if settings.feeds_file else None,
        channels=None,  # every configured channel
        overrides_file=overrides_file,
        show_progress=False,
    )
    return report.to_dict()


@flow(name=DIGEST_FLOW, validate_parameters=False)
def scheduled_digest(config_file: str | None = None, overrides_file: str | None = None) -> dict[str, Any]:
    """The daily digest to every configured channel, each story once per channel. A channel that
    fails keeps its stories and is retried with backoff by later runs (storage/deliveries.py)."""
    from flows.digest_flow import digest_flow

    _stop_with_serve()
    settings = load_run_settings(config_file, overrides_file)
    if not settings.notify_urls:
        # Unattended, the terminal is nobody: keep the stories for when a channel is configured.
        artifacts.publish_delivery("migwatch-digest", {}, {})
        return {"delivered": {}, "failed": {}, "note": "no channel configured"}
    report = digest_flow.fn(config_file, channels=None, overrides_file=overrides_file)
    if report.failed:
        # The run shows as Failed in the UI; the stories stay pending for the retry.
        raise DeliveryError("; ".join(report.failed.values()))
    return {"delivered": report.delivered, "failed": report.failed}


def build_deployments(
    settings: Settings, config_file: Path | None = None, *, overrides_file: str | None = None
) -> list[RunnerDeployment]:
    """The poll deployment (every poll_interval_minutes, never two at once) and the daily digest."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron, Interval
    from prefect.types.entrypoint import EntrypointType

    if settings.poll_interval_minutes < 1:
        raise ConfigError("bad setting poll_interval_minutes: must be at least 1")
    daily = digest_schedule(settings)
    # Paths only: Prefect shows a deployment's parameters to anyone who can read the server.
    parameters = {"config_file": str(config_file) if config_file else None, "overrides_file": overrides_file}
    poll = scheduled_poll.to_deployment(
        name=POLL_DEPLOYMENT,
        schedule=Interval(timedelta(minutes=settings.poll_interval_minutes)),
        # A poll that finds the previous one still running is cancelled, not queued behind it.
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        parameters=parameters,
        description="Poll every feed, store new items, send the instant alert.",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    digest = scheduled_digest.to_deployment(
        name=DIGEST_DEPLOYMENT,
        schedule=Cron(daily.cron, timezone=daily.timezone),
        concurrency_limit=1,
        parameters=parameters,
        description="Send the daily digest of new stories to every channel.",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    # to_deployment is sync-or-async by context; called here from sync code it returns the object.
    return [cast("RunnerDeployment", poll), cast("RunnerDeployment", digest)]


def serve(settings: Settings, config_file: Path | None = None, *, overrides_file: str | None = None) -> None:
    """Serve both deployments until Ctrl-C or SIGTERM; schedules are paused on the way out.

    Without PREFECT_API_URL they are served against a real local Prefect server (flows/
    local_server.py), started here unless one already answers, since Prefect's ephemeral API
    runs no scheduler and would never start a run."""
    from prefect.runner import Runner

    deployments = build_deployments(settings, config_file, overrides_file=overrides_file)
    mark_served_runs()  # its runs stop when it does, even after kill -9 (_stop_with_serve)
    runner = Runner(pause_on_shutdown=True)
    stop = _GracefulStop(runner)
    # The runner installs handle_sigterm as its SIGTERM handler when it starts; Prefect's own calls
    # sys.exit from inside the event loop, which can skip pausing the schedules.
    runner.handle_sigterm = stop  # type: ignore[method-assign]
    # Installed before the local server starts, so a signal while it starts stops it too (exit 0).
    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        with _prefect_api():
            try:
                for deployment in deployments:
                    runner.add_deployment(deployment)
                asyncio.run(_run(runner, stop))
            except KeyboardInterrupt:
                pass
            finally:
                # A signal that lands while the runner is still starting stops it before it can
                # pause its schedules itself; pausing again is harmless, so always make sure here.
                _pause(deployments)
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _prefect_api() -> Iterator[None]:
    """The configured Prefect API; without one, a local server, made the API of this block."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.prefect_api import checked_api_url, shown
    from flows.reports import to_stderr

    url = checked_api_url()
    if url:
        ui = f" (its UI: {shown(url).removesuffix('/api')})" if url.endswith("/api") else ""
        to_stderr(f"using the Prefect server at {shown(url)}{ui} (PREFECT_API_URL)")
        yield
        return
    from flows.local_server import local_prefect_server

    with (
        local_prefect_server() as server,
        # Flow runs the runner starts inherit it (it passes the current settings to them).
        temporary_settings(updates={PREFECT_API_URL: server.api_url}),
    ):
        yield


def _pause(deployments: list[RunnerDeployment]) -> None:
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            for deployment in deployments:
                found = client.read_deployment_by_name(f"{deployment.flow_name}/{deployment.name}")
                if not found.paused:
                    client.pause_deployment(found.id)
    except Exception as exc:  # the API may be gone at exit; say so in one line, never a traceback
        print(
            f"migwatch: could not pause the schedules on the way out: {type(exc).__name__}", file=sys.stderr
        )


class _GracefulStop:
    """SIGTERM or Ctrl-C: once the runner runs, ask it to stop from inside its event loop (it then
    leaves its loop normally and pauses the schedules); before that, or on a second signal, stop
    at once."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: set[asyncio.Task[None]] = set()

    def __call__(self, *_signal: Any) -> None:
        if self.loop is None or not self.runner.started:
            raise KeyboardInterrupt
        self.loop.call_soon_threadsafe(self._stop_in_loop)

    def _stop_in_loop(self) -> None:
        task = asyncio.ensure_future(self.runner.astop())
        self.stopping.add(task)  # keep a reference until it is done
        task.add_done_callback(self.stopping.discard)


async def _run(runner: Runner, stop: _GracefulStop) -> None:
    stop.loop = asyncio.get_running_loop()
    await runner.start()
