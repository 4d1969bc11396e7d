"""The digest flow: send each channel the stories it has not had, exactly once."""

from __future__ import annotations

from prefect import flow

from flows import pipeline
from storage.engine import open_engine


@flow(name="migwatch-digest", validate_parameters=False)
def digest_flow(database_url: str, channels: list[str]) -> pipeline.DeliveryReport:
    engine = open_engine(database_url)
    try:
        return pipeline.deliver(engine, channels)
    finally:
        engine.dispose()
