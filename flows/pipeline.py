"""The one place that joins the stages: read -> classify -> store -> group -> digest.

Plain functions, no Prefect: the flows wrap them, and the CLI's light commands call them directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from monitors.classify import classify
from monitors.digest import build_digest
from monitors.fixtures import fixture_paths, read_fixture
from monitors.models import Classification, Digest, FeedItem
from monitors.notify import TERMINAL, channel_key, mask_url, send
from monitors.render import render_html, render_text
from monitors.topic import Topic
from storage import repository

Progress = Callable[[str], None]


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(slots=True)
class ReplayReport:
    documents: int = 0
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    relevant_new: int = 0
    stories_touched: int = 0
    lines: list[str] = field(default_factory=list)


def describe(name: str, classification: Classification) -> str:
    verdict = "relevant" if classification.relevant else "not relevant"
    return (
        f"{name}: {verdict} (score {classification.score:.2f}), "
        f"{len(classification.crossing_figures)} crossing figure(s), "
        f"{len(classification.ministerial_visits)} ministerial visit(s)"
    )


def classify_fixtures(
    topic: Topic, paths: Sequence[Path], progress: Progress = to_stderr
) -> list[tuple[str, FeedItem, Classification]]:
    files = fixture_paths(list(paths))
    results = []
    for number, path in enumerate(files, start=1):
        item = read_fixture(path)
        classification = classify(topic, item)
        progress(f"[{number}/{len(files)}] {describe(path.name, classification)}")
        results.append((item.id, item, classification))
    return results


def store_and_group(
    engine: Engine,
    source_url: str,
    entries: Sequence[tuple[str, FeedItem, Classification]],
    topic_version: int,
    *,
    source_kind: str = "fixture",
    source_title: str | None = None,
) -> repository.StoreReport:
    """Store entries under their own source when they name one (a fixture file), else `source_url`."""
    by_source: dict[str, list[tuple[str, FeedItem, Classification]]] = {}
    for entry in entries:
        by_source.setdefault(entry[1].source or source_url, []).append(entry)
    report = repository.StoreReport()
    for url, group in by_source.items():
        title = source_title if url == source_url else url.removeprefix("file:")
        source_id = repository.ensure_source(engine, url, kind=source_kind, title=title)
        report.merge(repository.store_items(engine, source_id, group, topic_version=topic_version))
    repository.assign_stories(engine, report.new + report.updated)
    return report


def pending_digest(engine: Engine, channels: Sequence[str]) -> tuple[Digest, list[repository.StoredStory]]:
    stories = repository.undelivered_stories(engine, [channel_key(c) for c in channels])
    return build_digest(stories), stories


def write_html(digest: Digest, folder: Path, html: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = digest.generated_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"digest-{stamp}.html"
    path.write_text(html if html is not None else render_html(digest), encoding="utf-8")
    return path


@dataclass(slots=True)
class DeliveryReport:
    delivered: dict[str, int] = field(default_factory=dict)  # label -> stories recorded
    failed: dict[str, str] = field(default_factory=dict)  # label -> reason
    digest: Digest | None = None
    text: str = ""


def deliver(engine: Engine, channels: Sequence[str], *, now: datetime | None = None) -> DeliveryReport:
    """Send each channel the stories it has not had, and record a delivery only after success."""
    report = DeliveryReport()
    targets = list(channels) or [TERMINAL]
    for channel in targets:
        key, label = channel_key(channel), mask_url(channel)
        stories = repository.undelivered_stories(engine, [key])
        digest = build_digest(stories, now)
        if not digest.stories:
            continue
        ids = [s.story_id for s in digest.stories]
        if channel == TERMINAL:
            report.text = render_text(digest)
            report.digest = digest
            ok, error = True, None
        else:
            title = f"migwatch: {digest.summary_line}"
            result = send(channel, title, render_html(digest))
            ok, error = result.ok, result.error
        if ok:
            report.delivered[label] = repository.record_deliveries(engine, ids, key, label)
        else:
            report.failed[label] = error or "failed"
        report.digest = report.digest or digest
    return report
