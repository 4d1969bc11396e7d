"""Unattended migwatch: the scheduled flows, served by Prefect or deployed to its workers.

Two deployment flows read their settings when they run (on the worker that runs them), so one
`prefect.yaml` serves every machine: `migwatch-scheduled-poll` polls every feed, sends the instant
alert, and never overlaps itself (a deployment concurrency limit of one); `migwatch-scheduled-digest`
sends the daily digest, retrying each channel with backoff. `migwatch serve` runs both from one
process on the schedules of the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from flows import artifacts, pipeline
from flows.schedules import digest_schedule
from flows.settings import Settings, load_settings
from monitors.errors import ConfigError, DeliveryError
from monitors.notify import mask_url
from storage.engine import open_engine

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

POLL_DEPLOYMENT = "poll"
DIGEST_DEPLOYMENT = "digest"
POLL_FLOW = "migwatch-scheduled-poll"
DIGEST_FLOW = "migwatch-scheduled-digest"
# A channel that fails is retried after 30 s, then 60 s, then left to the next digest.
CHANNEL_RETRIES = 2
CHANNEL_BACKOFF_SECONDS = 30


def _settings(config_file: str | None, database_url: str | None) -> Settings:
    return load_settings(Path(config_file) if config_file else None, database_url=database_url)


@flow(name=POLL_FLOW, validate_parameters=False)
def scheduled_poll(config_file: str | None = None, database_url: str | None = None) -> dict[str, Any]:
    """One poll cycle of the feeds in the settings, then the instant alert; publishes a table of
    feeds polled, new and relevant items and alerts sent."""
    from flows.poll import poll_flow
    from monitors.feedlist import load_feed_list
    from monitors.fetch import FetchLimits

    settings = _settings(config_file, database_url)
    feeds = [(feed.url, feed.title) for feed in load_feed_list(settings.feeds_file)]
    report = poll_flow.fn(
        settings.database_url,
        feeds,
        FetchLimits.from_settings(settings),
        str(settings.topic_file) if settings.topic_file else None,
        settings.notify_urls,
        False,
    )
    artifacts.publish(
        "migwatch-poll",
        artifacts.poll_rows(report),
        f"Poll: {len(report.feeds)} feed(s), {report.new_items} new item(s), {report.relevant} relevant",
    )
    return report.to_dict()


@dataclass(slots=True)
class ChannelOutcome:
    label: str
    stories: int = 0
    error: str = ""


@task(
    name="deliver-to-channel",
    cache_policy=NO_CACHE,
    retries=CHANNEL_RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=CHANNEL_BACKOFF_SECONDS),
)
def deliver_channel_task(database_url: str, channel: str) -> ChannelOutcome:
    """The digest to one channel; raises DeliveryError (so Prefect retries) when it fails."""
    engine = open_engine(database_url)
    try:
        report = pipeline.deliver(engine, [channel])
    finally:
        engine.dispose()
    label = mask_url(channel)
    if report.failed:
        raise DeliveryError(f"{label}: {next(iter(report.failed.values()))}")
    return ChannelOutcome(label, sum(report.delivered.values()))


@flow(name=DIGEST_FLOW, validate_parameters=False)
def scheduled_digest(config_file: str | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The daily digest to every configured channel, each exactly once and retried on its own."""
    settings = _settings(config_file, database_url)
    open_engine(settings.database_url).dispose()  # the schema is current before tasks start
    outcomes: list[ChannelOutcome] = []
    for channel in settings.notify_urls:
        state = deliver_channel_task(settings.database_url, channel, return_state=True)
        result = state.result(raise_on_failure=False)
        if isinstance(result, ChannelOutcome):
            outcomes.append(result)
        else:
            outcomes.append(ChannelOutcome(mask_url(channel), error=str(result)))
    delivered = {o.label: o.stories for o in outcomes if not o.error}
    failed = {o.label: o.error for o in outcomes if o.error}
    rows = artifacts.delivery_rows(delivered, failed)
    if not settings.notify_urls:
        rows = [{"what": "channel", "name": "(none configured)", "status": "skipped", "note": ""}]
    artifacts.publish(
        "migwatch-digest",
        rows,
        f"Digest: {sum(delivered.values())} story delivery(ies), {len(failed)} channel(s) failed",
    )
    if failed:
        # The run is Failed in the UI; the stories stay pending for the next digest.
        raise DeliveryError("; ".join(failed.values()))
    return {"delivered": delivered, "failed": failed}


def build_deployments(
    settings: Settings, config_file: Path | None = None, *, database_url: str | None = None
) -> list[RunnerDeployment]:
    """The poll deployment (every poll_interval_minutes, never two at once) and the daily digest."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron, Interval
    from prefect.types.entrypoint import EntrypointType

    if settings.poll_interval_minutes < 1:
        raise ConfigError("bad setting poll_interval_minutes: must be at least 1")
    daily = digest_schedule(settings)
    parameters = {"config_file": str(config_file) if config_file else None, "database_url": database_url}
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


def serve(settings: Settings, config_file: Path | None = None, *, database_url: str | None = None) -> None:
    """Serve both deployments until Ctrl-C or SIGTERM; schedules are paused on the way out."""
    from prefect import serve as prefect_serve

    deployments = build_deployments(settings, config_file, database_url=database_url)
    prefect_serve(*deployments, print_starting_message=False)
