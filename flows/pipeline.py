"""The one place that joins the stages: read -> classify -> store -> group -> digest.

Plain functions, no Prefect: the flows wrap them, and the CLI's light commands call them directly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from monitors.classify.classifier import classify
from monitors.classify.topic import Topic
from monitors.digest.build import ALL_SIGNALS, build_digest
from monitors.digest.chart import channel_chart_png
from monitors.digest.notify import TERMINAL, Attachment, channel_key, channel_kind, mask_url, send
from monitors.digest.render import (
    chart_data_uri,
    render_html,
    render_json,
    render_slack,
    render_text,
    subject_line,
)
from monitors.feeds.fixtures import fixture_paths, read_fixture
from monitors.models import Classification, Digest, FeedItem
from storage import deliveries, repository

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


def pending_digest(
    engine: Engine, channels: Sequence[str], signals: Collection[str] = ALL_SIGNALS
) -> tuple[Digest, list[repository.StoredStory]]:
    stories = repository.undelivered_stories(engine, [channel_key(c) for c in channels])
    return build_digest(stories, signals=signals), stories


def write_html(digest: Digest, folder: Path, html: str | None = None) -> Path:
    """The digest as a standalone HTML file (chart inline as a data: URI), for a browser."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = digest.generated_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"digest-{stamp}.html"
    if html is None:
        html = render_html(digest, chart_data_uri(channel_chart_png(digest)))
    path.write_text(html, encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class Message:
    """One channel's rendering of a digest."""

    title: str
    body: str
    body_format: str
    attachments: tuple[Attachment, ...] = ()
    text_alternative: str | None = None


CHART_NAME = "chart.png"


def compose(digest: Digest, kind: str) -> Message:
    """What a channel of `kind` (see notify.channel_kind) is sent for `digest`."""
    title = subject_line(digest)
    if kind == "email":
        png = channel_chart_png(digest)
        attachments = (Attachment(CHART_NAME, png, "image/png"),) if png else ()
        html = render_html(digest, f"cid:{CHART_NAME}" if png else None)
        return Message(title, html, "html", attachments, render_text(digest))
    if kind == "slack":
        return Message(title, render_slack(digest), "markdown")
    if kind == "json":
        return Message(title, render_json(digest), "text")
    return Message(title, render_text(digest), "text")


@dataclass(slots=True)
class DeliveryReport:
    delivered: dict[str, int] = field(default_factory=dict)  # label -> stories recorded
    failed: dict[str, str] = field(default_factory=dict)  # label -> reason
    skipped: dict[str, str] = field(default_factory=dict)  # label -> why it was not tried this run
    digest: Digest | None = None
    text: str = ""


def deliver(
    engine: Engine,
    channels: Sequence[str],
    *,
    now: datetime | None = None,
    signals: Collection[str] = ALL_SIGNALS,
) -> DeliveryReport:
    """Send each channel the alerting stories it has not had, each story once per channel URL.

    A channel is claimed in the database before anything is sent (a concurrent run skips it), its
    deliveries are recorded only after apprise reports success, and a failure leaves the stories
    pending and sets a back-off (storage/deliveries.py). With no channel, the digest goes to the
    terminal: it is returned as `text` and marked delivered there.
    """
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    for channel in list(dict.fromkeys(channels)) or [TERMINAL]:
        key, label = channel_key(channel), mask_url(channel)
        claim = deliveries.claim_channel(engine, key, label, now)
        if not claim.claimed:
            report.skipped[label] = claim.reason
            continue
        try:
            digest = build_digest(repository.undelivered_stories(engine, [key]), now, signals)
            if not digest.stories:
                deliveries.release_idle(engine, key)
                continue
            kind = channel_kind(channel)
            if kind == TERMINAL:
                report.text = render_text(digest)
                ok, error = True, None
            else:
                message = compose(digest, kind)
                result = send(
                    channel,
                    message.title,
                    message.body,
                    body_format=message.body_format,
                    attachments=message.attachments,
                    text_alternative=message.text_alternative,
                )
                ok, error = result.ok, result.error
        except Exception:
            deliveries.release_idle(engine, key)  # nothing was sent: free the channel at once
            raise
        ids = [story.story_id for story in digest.stories]
        if ok:
            report.delivered[label] = deliveries.release_delivered(engine, key, label, ids, now)
        else:
            state = deliveries.release_failed(engine, key, label, error or "failed", now)
            until = state.next_try.strftime("%Y-%m-%d %H:%M UTC") if state.next_try else "the next run"
            report.failed[label] = f"{error or 'failed'} (attempt {state.failures}; retry after {until})"
        report.digest = report.digest or digest
    return report
