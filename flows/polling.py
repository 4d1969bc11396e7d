"""The one place that joins a poll's stages: fetch -> parse -> identify -> classify -> store.

Plain functions, no Prefect: flows/poll.py wraps a batch of feeds in one task, and tests call
these directly. One bad feed is one row of the report, never an exception that stops the cycle.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from flows import parse_pool
from monitors.classify.classifier import classify
from monitors.classify.topic import Topic
from monitors.feeds import fetch
from monitors.feeds.article import SHORT_TEXT, fetch_articles
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.parse import FeedParseError
from monitors.safetext import one_line
from storage import feeds as feed_store
from storage import repository
from storage.rows import StorableItem, storable

Progress = Callable[[str], None]

# Articles fetched per batch at most, so a burst of relevant short items cannot stall a cycle.
MAX_ARTICLES_PER_BATCH = 20


def quiet(_message: str) -> None:
    """A progress sink that says nothing."""


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(slots=True)
class FeedReport:
    url: str
    status: str  # "ok" | "not_modified" | "error"
    error: str = ""
    new_items: int = 0
    items: int = 0
    relevant: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "error": self.error, "new_items": self.new_items}


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedReport] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)
    delivery_failed: dict[str, str] = field(default_factory=dict)

    @property
    def new_items(self) -> int:
        return sum(f.new_items for f in self.feeds)

    @property
    def relevant(self) -> int:
        return sum(f.relevant for f in self.feeds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feeds": [f.to_dict() for f in self.feeds],
            "new_items": self.new_items,
            "relevant": self.relevant,
        }

    def as_plain(self) -> dict[str, Any]:
        return asdict(self)


def describe(report: FeedReport) -> str:
    if report.status == "ok":
        return f"ok, {report.items} item(s), {report.new_items} new, {report.relevant} relevant"
    if report.status == "not_modified":
        return "not modified"
    return f"error: {report.error}"


def _is_due(state: feed_store.FeedState, now: datetime) -> bool:
    return state.next_try is None or state.next_try <= now


classify_items = parse_pool.classify_items


def _likely_relevant(topic: Topic, entry: StorableItem) -> bool:
    short = entry.text_length < SHORT_TEXT
    return short and entry.url is not None and entry.score >= topic.relevant_threshold / 2


def complete_short_items(
    engine: Engine,
    topic: Topic,
    entries: list[StorableItem],
    limits: fetch.FetchLimits,
    *,
    most: int = MAX_ARTICLES_PER_BATCH,
) -> list[StorableItem]:
    """New, likely-relevant items with only a short summary get their article's text (`most` of
    them at most), then are classified again on it. Items already stored are not fetched again."""
    return _complete_short_items(engine, topic, entries, limits, most)[0]


def _complete_short_items(
    engine: Engine,
    topic: Topic,
    entries: list[StorableItem],
    limits: fetch.FetchLimits,
    most: int,
) -> tuple[list[StorableItem], int]:
    """complete_short_items, and how many articles it fetched."""
    wanted = [i for i, entry in enumerate(entries) if _likely_relevant(topic, entry)]
    if not wanted or most <= 0:
        return entries, 0
    known = feed_store.known_identities(engine, [entries[i].identity for i in wanted])
    wanted = [i for i in wanted if entries[i].identity not in known][:most]
    if not wanted:
        return entries, 0
    pages = asyncio.run(fetch_articles([entries[i].url or "" for i in wanted], limits))
    completed = list(entries)
    for index, page in zip(wanted, pages, strict=True):
        if page.text:
            richer = replace(entries[index].feed_item(), content=page.text)
            completed[index] = storable(entries[index].identity, richer, classify(topic, richer))
    return completed, len(wanted)


def poll_batch(
    engine: Engine,
    feeds: Sequence[FeedSource],
    limits: fetch.FetchLimits,
    topic: Topic,
    *,
    now: datetime | None = None,
    progress: Progress = quiet,
    read_articles: bool = True,
) -> list[FeedReport]:
    """Poll a batch of feeds: fetch the due ones concurrently, then parse, classify and store."""
    moment = now or datetime.now(UTC)
    states = feed_store.ensure_feeds(engine, [(f.url, f.title) for f in feeds])
    ordered = [states[f.url] for f in feeds]
    due = [s for s in ordered if _is_due(s, moment)]
    # feeds never fetched will send bodies to parse; those with validators mostly answer 304
    parse_pool.warm_up(sum(1 for s in due if not (s.etag or s.last_modified)))
    requests = [fetch.FeedRequest(s.url, s.etag, s.last_modified) for s in due]

    # The due feeds in chunks of CHUNK: once all of a chunk's feeds are fetched, its bodies go to
    # the parse queue (the helper process parses them while the other feeds are still fetched).
    queue = parse_pool.ParseQueue(topic, limits.max_body_bytes)
    size = parse_pool.CHUNK
    fetched: list[fetch.FetchResult | None] = [None] * len(due)
    waiting = [min(size, len(due) - start) for start in range(0, len(due), size)]
    chunk_bodies: dict[int, list[tuple[feed_store.FeedState, fetch.FeedOk]]] = {}

    def close_chunk(index: int) -> None:
        span = range(index * size, min(len(due), (index + 1) * size))
        ok = [(due[p], r) for p in span if isinstance(r := fetched[p], fetch.FeedOk)]
        if ok:
            chunk_bodies[index] = ok
            queue.add(index, [(state.url, result.body, result.charset) for state, result in ok])

    def arrived(position: int, result: fetch.FetchResult) -> None:
        fetched[position] = result
        waiting[position // size] -= 1
        if waiting[position // size] == 0:
            close_chunk(position // size)

    final = fetch.fetch_many(requests, limits, on_result=arrived)
    for position, answer in enumerate(final):
        if fetched[position] is None:  # not handed over as it came in (a worker gave up)
            arrived(position, answer)
    results = dict(zip((state.url for state in due), final, strict=True))

    reports: dict[str, FeedReport] = {}
    outcomes: list[feed_store.FeedOutcome] = []
    for state in ordered:
        result = results.get(state.url)
        if result is None:
            when = state.next_try.isoformat(timespec="seconds") if state.next_try else "later"
            reports[state.url] = FeedReport(
                state.url, "error", f"backing off after {state.failures} failure(s); next try {when}"
            )
        elif isinstance(result, fetch.FeedNotModified):
            reports[state.url] = FeedReport(state.url, "not_modified")
            outcomes.append(feed_store.FeedOutcome(state.source_id, "not_modified"))
        elif isinstance(result, fetch.FeedFailed):
            reports[state.url] = FeedReport(state.url, "error", result.reason)
            outcomes.append(
                feed_store.FeedOutcome(
                    state.source_id, "error", error=result.reason, retry_after=result.retry_after
                )
            )

    articles_left = MAX_ARTICLES_PER_BATCH if read_articles else 0
    to_group: list[int] = []
    for index, chunk in queue.results():  # in chunk order, each as soon as it is parsed
        parsed: list[tuple[feed_store.FeedState, list[StorableItem]]] = []
        for (state, result), outcome in zip(chunk_bodies.pop(index), chunk, strict=True):
            if isinstance(outcome, FeedParseError):
                reports[state.url] = FeedReport(state.url, "error", str(outcome))
                outcomes.append(feed_store.FeedOutcome(state.source_id, "error", error=str(outcome)))
                continue
            parsed.append((state, outcome))
            reports[state.url] = FeedReport(state.url, "ok", items=len(outcome))
            outcomes.append(
                feed_store.FeedOutcome(
                    state.source_id, "ok", etag=result.etag, last_modified=result.last_modified
                )
            )
        if articles_left and parsed:
            flat = [entry for _, entries in parsed for entry in entries]
            completed_list, read = _complete_short_items(engine, topic, flat, limits, articles_left)
            articles_left -= read
            completed = iter(completed_list)
            parsed = [(state, [next(completed) for _ in entries]) for state, entries in parsed]
        stored = feed_store.store_feed_items(
            engine,
            [(state.source_id, entry) for state, entries in parsed for entry in entries],
            topic_version=topic.version,
        )
        for state, _ in parsed:
            reports[state.url].new_items = stored.new.get(state.source_id, 0)
            reports[state.url].relevant = stored.relevant_new.get(state.source_id, 0)
        to_group += stored.to_group
    if to_group:
        repository.assign_stories(engine, to_group)
    feed_store.record_outcomes(engine, outcomes, moment)
    for state in ordered:
        progress(f"{state.url}: {describe(reports[state.url])}")
    return [reports[f.url] for f in feeds]


def batches(feeds: Sequence[FeedSource], size: int) -> list[list[FeedSource]]:
    size = max(1, size)
    return [list(feeds[i : i + size]) for i in range(0, len(feeds), size)]


def poll_all(
    engine: Engine,
    feeds: Sequence[FeedSource],
    limits: fetch.FetchLimits,
    topic: Topic,
    *,
    batch_size: int = 200,
    progress: Progress = quiet,
) -> PollReport:
    """One whole cycle without Prefect (tests, and the body of each flow task)."""
    report = PollReport()
    for batch in batches(feeds, batch_size):
        report.feeds += poll_batch(engine, batch, limits, topic, progress=progress)
    return report


def render_table(report: PollReport) -> str:
    """The per-feed table a text run ends with."""
    width = min(max((len(f.url) for f in report.feeds), default=10), 70)
    lines = [f"{'FEED':<{width}}  {'STATUS':<12}  {'NEW':>5}  DETAIL"]
    for feed in report.feeds:
        url = feed.url if len(feed.url) <= width else feed.url[: width - 1] + "…"
        detail = (
            one_line(feed.error)
            if feed.status == "error"
            else (f"{feed.relevant} relevant" if feed.status == "ok" else "")
        )
        lines.append(f"{url:<{width}}  {feed.status:<12}  {feed.new_items:>5}  {detail}")
    failed = sum(1 for f in report.feeds if f.status == "error")
    lines.append(
        f"{len(report.feeds)} feed(s), {failed} failed; {report.new_items} new item(s), {report.relevant} relevant."
    )
    return "\n".join(lines)
