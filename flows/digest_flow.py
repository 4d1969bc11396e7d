"""The digest flow: send each channel the stories it has not had, exactly once.

Its parameters are the config file, the labels of the channels (monitors/digest/notify.py) and
the file of the command's flags (flows/settings.py: run_overrides); the run reads the database and
channel URLs, which carry passwords, from the settings.
"""

from __future__ import annotations

from prefect import flow

from flows import artifacts, pipeline
from flows.reports import DeliveryReport
from flows.settings import load_run_settings
from monitors.classify.topic import load_topic
from monitors.digest.notify import channels_labelled
from storage.store import open_engine


@flow(name="migwatch-digest", validate_parameters=False)
def digest_flow(
    config_file: str | None = None, channels: list[str] | None = None, overrides_file: str | None = None
) -> DeliveryReport:
    """One digest run to the configured channels that `channels` names (None: all of them; no
    channel: the terminal); the topic file's `[alerts] signals` say which stories alert."""
    settings = load_run_settings(config_file, overrides_file)
    send_to = channels_labelled(settings.notify_urls, channels)
    signals = load_topic(settings.topic_file).alert_signals
    engine = open_engine(settings.database_url)
    try:
        report = pipeline.deliver(engine, send_to, signals=signals)
    finally:
        engine.dispose()
    artifacts.publish_delivery("migwatch-digest", report.delivered, report.failed)  # the UI's table
    return report
