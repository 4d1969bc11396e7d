"""The replay flow: fixture documents through the whole pipeline, under Prefect."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows import pipeline
from flows.reports import ReplayReport
from monitors.classify.topic import load_topic
from monitors.models import Classification, Digest, FeedItem
from storage import store
from storage.store import open_engine

Entries = list[tuple[str, FeedItem, Classification]]


@task(name="read-and-classify")
def classify_task(paths: list[str], topic_file: str | None) -> Entries:
    topic = load_topic(Path(topic_file) if topic_file else None)
    return pipeline.classify_fixtures(topic, [Path(p) for p in paths])


@task(name="store-and-group")
def store_task(database_url: str, source: str, entries: Entries, topic_version: int) -> store.StoreReport:
    engine = open_engine(database_url)
    try:
        return pipeline.store_and_group(engine, source, entries, topic_version)
    finally:
        engine.dispose()


@task(name="build-digest")
def digest_task(database_url: str, channels: list[str]) -> Digest:
    engine = open_engine(database_url)
    try:
        digest, _ = pipeline.pending_digest(engine, channels)
        return digest
    finally:
        engine.dispose()


@flow(name="migwatch-replay", validate_parameters=False)
def replay_flow(
    paths: list[str], database_url: str, channels: list[str], topic_file: str | None = None
) -> tuple[ReplayReport, Digest]:
    """Replay fixture documents: classify, store what is new, group stories, preview the digest.
    Delivers nothing, so a later `migwatch digest` still has these stories to send."""
    topic = load_topic(Path(topic_file) if topic_file else None)
    entries = classify_task(paths, topic_file)
    source = "file:" + ",".join(sorted(str(Path(p).resolve()) for p in paths))
    stored = store_task(database_url, source, entries, topic.version)
    report = ReplayReport(
        documents=len(entries),
        new=len(stored.new),
        updated=len(stored.updated),
        unchanged=stored.unchanged,
        relevant_new=stored.relevant_new,
    )
    return report, digest_task(database_url, channels)
