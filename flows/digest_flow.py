"""The digest flow: send each channel the stories it has not had, exactly once."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows import artifacts, pipeline
from flows.reports import DeliveryReport
from monitors.classify.topic import load_topic
from storage.store import open_engine


@flow(name="migwatch-digest", validate_parameters=False)
def digest_flow(database_url: str, channels: list[str], topic_file: str | None = None) -> DeliveryReport:
    """One digest run; the topic file's `[alerts] signals` say which stories alert."""
    signals = load_topic(Path(topic_file) if topic_file else None).alert_signals
    engine = open_engine(database_url)
    try:
        report = pipeline.deliver(engine, channels, signals=signals)
    finally:
        engine.dispose()
    artifacts.publish_delivery("migwatch-digest", report.delivered, report.failed)  # the UI's table
    return report
