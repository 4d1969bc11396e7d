"""The replay flow: fixture documents through the whole pipeline, under Prefect.

Its parameters are the fixture paths as given (files or folders; a long list comes as the path of
a private file listing them, flows/cli/ingest.py), the config file, the labels of the channels
whose digest it previews and the file of the command's flags (flows/settings.py: run_overrides).
The run reads the database URL and the channels from the settings.
"""

from __future__ import annotations

import json
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import pipeline
from flows.reports import ReplayReport
from flows.settings import load_run_settings
from monitors.classify.topic import load_topic
from monitors.digest.notify import TERMINAL, channels_labelled
from monitors.models import Classification, Digest, FeedItem
from storage import store
from storage.store import open_engine

Entries = list[tuple[str, FeedItem, Classification]]


# No cache policy: a cache key would hash the arguments, the database URL among them, and nothing
# is cached between runs anyway (results are not persisted).
@task(name="read-and-classify", cache_policy=NO_CACHE)
def classify_task(paths: list[str], topic_file: Path | None) -> Entries:
    return pipeline.classify_fixtures(load_topic(topic_file), [Path(p) for p in paths])


@task(name="store-and-group", cache_policy=NO_CACHE)
def store_task(database_url: str, source: str, entries: Entries, topic_version: int) -> store.StoreReport:
    engine = open_engine(database_url)
    try:
        return pipeline.store_and_group(engine, source, entries, topic_version)
    finally:
        engine.dispose()


@task(name="build-digest", cache_policy=NO_CACHE)
def digest_task(database_url: str, channels: list[str]) -> Digest:
    engine = open_engine(database_url)
    try:
        digest, _ = pipeline.pending_digest(engine, channels)
        return digest
    finally:
        engine.dispose()


def read_paths_file(paths_file: str) -> list[str]:
    """The fixture paths a replay's caller listed in a file (a JSON list of strings)."""
    listed = json.loads(Path(paths_file).read_text(encoding="utf-8"))
    return [str(path) for path in listed]


@flow(name="migwatch-replay", validate_parameters=False)
def replay_flow(
    paths: list[str] | None = None,
    paths_file: str | None = None,
    config_file: str | None = None,
    channels: list[str] | None = None,
    overrides_file: str | None = None,
) -> tuple[ReplayReport, Digest]:
    """Replay fixture documents (`paths`, or those listed in `paths_file`): classify, store what
    is new, group stories, preview the digest of the channels `channels` names (the terminal when
    none is configured). Delivers nothing, so a later `migwatch digest` still has these stories."""
    settings = load_run_settings(config_file, overrides_file)
    fixtures = [*(paths or []), *(read_paths_file(paths_file) if paths_file else [])]
    preview_for = channels_labelled(settings.notify_urls or [TERMINAL], channels)
    topic = load_topic(settings.topic_file)
    entries = classify_task(fixtures, settings.topic_file)
    source = "file:" + ",".join(sorted(str(Path(p).resolve()) for p in fixtures))
    stored = store_task(settings.database_url, source, entries, topic.version)
    report = ReplayReport(
        documents=len(entries),
        new=len(stored.new),
        updated=len(stored.updated),
        unchanged=stored.unchanged,
        relevant_new=stored.relevant_new,
    )
    return report, digest_task(settings.database_url, preview_for)
