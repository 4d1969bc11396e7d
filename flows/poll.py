"""The poll flow: one cycle over every feed, in a few batch tasks (never one task per feed or
item: a Prefect task costs about 20 ms, a feed about 1 ms).

Its parameters name the work and carry no secret and no list that grows with the feeds: the
config file, the feeds file and how many feeds it held, the labels of the channels to alert, and
the file of the command's flags (flows/settings.py: run_overrides). The run reads the settings,
the feeds and the channel URLs itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import artifacts, pipeline
from flows.reports import FeedReport, PollReport, quiet, to_stderr
from flows.settings import load_run_settings
from monitors.classify.topic import load_topic
from monitors.digest.notify import channels_labelled
from monitors.feeds.feedlist import FeedSource, load_feed_list
from monitors.feeds.limits import FetchLimits
from storage.store import open_engine

if TYPE_CHECKING:
    from flows.reports import DeliveryReport

BATCH_SIZE = 400


@task(name="poll-batch", cache_policy=NO_CACHE)
def poll_batch_task(
    database_url: str,
    feeds: list[FeedSource],
    limits: FetchLimits,
    topic_file: Path | None,
    show_progress: bool,
) -> list[FeedReport]:
    # A task's arguments stay in this process: Prefect records a task run's upstream results,
    # never its argument values.
    engine = open_engine(database_url)
    try:
        return pipeline.poll_batch(
            engine,
            feeds,
            limits,
            load_topic(topic_file),
            progress=to_stderr if show_progress else quiet,
        )
    finally:
        engine.dispose()


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_task(database_url: str, channels: list[str]) -> DeliveryReport:
    engine = open_engine(database_url)
    try:
        return pipeline.deliver(engine, channels)
    finally:
        engine.dispose()


@flow(name="migwatch-poll", validate_parameters=False)
def poll_flow(
    config_file: str | None = None,
    feeds_file: str | None = None,
    feed_count: int | None = None,
    channels: list[str] | None = None,
    overrides_file: str | None = None,
    show_progress: bool = True,
    batch_size: int = BATCH_SIZE,
) -> PollReport:
    """Fetch, parse, identify, classify and store every feed of `feeds_file` (the built-in list
    when None; `feed_count` is how many the caller found there, for the UI); then send the instant
    alert to the configured channels that `channels` names (labels, monitors/digest/notify.py;
    None: every configured channel)."""
    settings = load_run_settings(config_file, overrides_file)
    feeds = load_feed_list(Path(feeds_file) if feeds_file else None)
    limits = FetchLimits.from_settings(settings)
    alert_to = channels_labelled(settings.notify_urls, channels)
    report = PollReport()
    for start in range(0, len(feeds), max(1, batch_size)):
        batch = feeds[start : start + batch_size]
        report.feeds += poll_batch_task(
            settings.database_url, batch, limits, settings.topic_file, show_progress
        )
    if alert_to:
        delivery = deliver_task(settings.database_url, alert_to)
        report.delivered = delivery.delivered
        report.delivery_failed = delivery.failed
        report.delivery_uncertain = delivery.uncertain
    artifacts.publish_poll(report)  # the run's table in the Prefect UI
    return report
