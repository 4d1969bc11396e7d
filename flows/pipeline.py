"""The one place that joins the stages. A poll, top to bottom:

    feeds due -> fetch -> parse (in the helper process, overlapping the fetch) -> classify
    -> store -> assign stories -> record outcomes

a replay: fixtures -> classify -> store -> assign stories; a digest: pending stories -> digest ->
each channel. Plain functions, no Prefect: flows/poll.py, replay.py and digest_flow.py wrap them,
and tests call them directly. One bad feed is one row of the report, never an exception that
stops the cycle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from flows import faults, parallel
from flows.reports import (
    DeliveryReport,
    FeedReport,
    PollReport,
    Progress,
    describe_classification,
    describe_fetch,
    feed_name,
    quiet,
    to_stderr,
)
from monitors.classify.classifier import classify
from monitors.classify.topic import Topic
from monitors.digest.build import ALL_SIGNALS, build_digest
from monitors.digest.notify import (
    TERMINAL,
    SendResult,
    channel_key,
    channel_kind,
    mask_url,
    message_id,
    send,
)
from monitors.digest.stories import STORY_LOOKBACK, assign
from monitors.feeds import fetch
from monitors.feeds.article import SHORT_TEXT, fetch_articles
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.feedtitle import feed_title
from monitors.feeds.fixtures import fixture_paths, read_fixture
from monitors.feeds.limits import FetchLimits
from monitors.feeds.parse import FeedParseError
from monitors.models import Classification, Digest, FeedItem
from storage import store

# Articles fetched per batch at most, so a burst of relevant short items cannot stall a cycle.
MAX_ARTICLES_PER_BATCH = 20
Parsed = tuple[store.FeedState, list[store.StorableItem]]  # a feed and its items, as stored


def poll_batch(
    engine: Engine,
    feeds: Sequence[FeedSource],
    limits: FetchLimits,
    topic: Topic,
    *,
    now: datetime | None = None,
    progress: Progress = quiet,
    read_articles: bool = True,
    parser: parallel.ParserFactory = parallel.ParseQueue,
) -> list[FeedReport]:
    """Poll a batch of feeds: fetch the due ones concurrently, parse and classify them with
    `parser` (by default on the second core, while the others are still being fetched), store
    the items, group the relevant ones into stories, and write back what each feed did."""
    moment = now or datetime.now(UTC)
    states = store.ensure_feeds(engine, [(f.url, f.title) for f in feeds])
    ordered = [states[f.url] for f in feeds]
    due = [s for s in ordered if s.is_due(moment)]
    # feeds never fetched will send bodies to parse; those with validators mostly answer 304
    parallel.warm_up(sum(1 for s in due if not (s.etag or s.last_modified)))
    queue = parser(topic, limits.max_body_bytes)
    # every feed polled is one the user listed (the feeds file): its own URL may be private
    requests = [fetch.FeedRequest(s.url, s.etag, s.last_modified, user_written=True) for s in due]
    done = 0

    def tell(state: store.FeedState, result: fetch.FetchResult | None) -> None:
        nonlocal done
        done += 1
        progress(f"[{done}/{len(ordered)}] {feed_name(state.url, state.title)}: {describe_fetch(result)}")

    for state in ordered:
        if not state.is_due(moment):
            tell(state, None)
    fetched, queued = parallel.fetch_in_chunks(
        requests, limits, queue, on_fetched=lambda position, result: tell(due[position], result)
    )
    results: dict[str, fetch.FetchResult] = dict(zip((s.url for s in due), fetched, strict=True))
    reports = {s.url: fetch_report(s, results.get(s.url)) for s in ordered}
    outcomes = [o for s in ordered if (o := fetch_outcome(s, results.get(s.url))) is not None]

    articles_left = MAX_ARTICLES_PER_BATCH if read_articles else 0
    for index, chunk in queue.results():  # in chunk order, each as soon as it is parsed
        parsed: list[Parsed] = []
        for position, items in zip(queued[index], chunk, strict=True):
            state, body = due[position], fetched[position]
            assert isinstance(body, fetch.FeedOk)  # only bodies are queued
            reports[state.url], outcome = parse_result(state, body, items)
            outcomes.append(outcome)
            if not isinstance(items, FeedParseError):
                parsed.append((state, items))
        if articles_left and parsed:
            parsed, read = _with_articles(engine, topic, parsed, limits, articles_left)
            articles_left -= read
            for state, items in parsed:
                reports[state.url].links_refused = [
                    (e.url or "", e.link_refused) for e in items if e.link_refused
                ]
        entries = [(state.source_id, entry) for state, items in parsed for entry in items]
        stored = store.store_items(engine, entries, topic_version=topic.version)
        faults.reached("chunk-stored")
        for state, _ in parsed:
            reports[state.url].new_items = stored.new_by_source.get(state.source_id, 0)
            reports[state.url].relevant = stored.relevant_by_source.get(state.source_id, 0)
    group_stories(engine, moment)  # also what a killed run stored and never grouped
    store.record_outcomes(engine, outcomes, moment)
    return [reports[f.url] for f in feeds]


def fetch_report(state: store.FeedState, result: fetch.FetchResult | None) -> FeedReport:
    """A feed's report once fetched (`None`: not fetched, backing off); a body's is completed
    by parse_result."""
    title = state.title
    if result is None:
        when = state.next_try.isoformat(timespec="seconds") if state.next_try else "later"
        reason = f"backing off after {state.failures} failure(s); next try {when}"
        return FeedReport(state.url, "error", reason, kind="backing_off", title=title)
    if isinstance(result, fetch.FeedNotModified):
        return FeedReport(state.url, "not_modified", title=title)
    if isinstance(result, fetch.FeedFailed):
        return FeedReport(state.url, "error", result.reason, kind=result.kind, title=title)
    return FeedReport(state.url, "ok", title=title)


def fetch_outcome(state: store.FeedState, result: fetch.FetchResult | None) -> store.FeedOutcome | None:
    """What to write back for a feed that gave no body (a body's waits for its parse)."""
    if isinstance(result, fetch.FeedNotModified):
        return store.FeedOutcome(state.source_id, "not_modified")
    if isinstance(result, fetch.FeedFailed):
        return store.FeedOutcome(
            state.source_id, "error", error=result.reason, retry_after=result.retry_after
        )
    return None


def parse_result(
    state: store.FeedState, body: fetch.FeedOk, items: parallel.Parsed
) -> tuple[FeedReport, store.FeedOutcome]:
    """A fetched feed's report and outcome, once its body is parsed. A feed the feeds file gave no
    title takes its own."""
    if isinstance(items, FeedParseError):
        report = FeedReport(state.url, "error", str(items), kind="not_a_feed", title=state.title)
        return report, store.FeedOutcome(state.source_id, "error", error=str(items))
    own = feed_title(body.body, body.charset) if state.title is None else None
    ok = store.FeedOutcome(state.source_id, "ok", etag=body.etag, last_modified=body.last_modified, title=own)
    ignored = [(e.guid or e.url or e.title, e.ignored) for e in items if e.ignored]
    report = FeedReport(state.url, "ok", items=len(items), title=state.title or own, fields_ignored=ignored)
    return report, ok


def _likely_relevant(topic: Topic, entry: store.StorableItem) -> bool:
    short = entry.text_length < SHORT_TEXT
    return short and entry.url is not None and entry.score >= topic.relevant_threshold / 2


def complete_short_items(
    engine: Engine,
    topic: Topic,
    entries: list[store.StorableItem],
    limits: FetchLimits,
    *,
    most: int = MAX_ARTICLES_PER_BATCH,
) -> tuple[list[store.StorableItem], int]:
    """New, likely-relevant items with only a short summary get their article's text (`most` of
    them at most), then are classified again on it; and how many articles were fetched. Items
    already stored are not fetched again. An item whose link the address policy refused keeps
    its text and gets the reason (link_refused)."""
    wanted = [i for i, entry in enumerate(entries) if _likely_relevant(topic, entry)]
    if not wanted or most <= 0:
        return entries, 0
    known = store.known_identities(engine, [entries[i].identity for i in wanted])
    wanted = [i for i in wanted if entries[i].identity not in known][:most]
    if not wanted:
        return entries, 0
    pages = asyncio.run(fetch_articles([entries[i].url or "" for i in wanted], limits))
    completed = list(entries)
    for index, page in zip(wanted, pages, strict=True):
        if page.refused:
            completed[index] = entries[index]._replace(link_refused=page.error)
        elif page.text:
            richer = replace(entries[index].feed_item(), content=page.text)
            completed[index] = store.storable(entries[index].identity, richer, classify(topic, richer))
    return completed, len(wanted)


def _with_articles(
    engine: Engine, topic: Topic, parsed: list[Parsed], limits: FetchLimits, most: int
) -> tuple[list[Parsed], int]:
    """complete_short_items over a chunk's feeds, each keeping its own items."""
    flat = [entry for _, items in parsed for entry in items]
    completed, read = complete_short_items(engine, topic, flat, limits, most=most)
    rest = iter(completed)
    return [(state, [next(rest) for _ in items]) for state, items in parsed], read


def group_stories(engine: Engine, now: datetime | None = None) -> list[int]:
    """Put every relevant item not yet in a story into the one it belongs to (monitors decides, in
    one batch: digest/stories.assign), starting a story when none fits; the ids of the stories
    touched. Whatever run stored an item, and whatever stopped that run before it grouped, the next
    grouping places it; grouping twice changes nothing; groupings take turns (store.grouping)."""
    moment = now or datetime.now(UTC)
    with store.grouping(engine) as batch:
        items, members = batch.load(since=moment - STORY_LOOKBACK)
        if not items:
            return []
        touched = batch.write(assign(items, members), moment)
        faults.reached("grouping")  # written, not committed
        return touched


def poll_all(
    engine: Engine,
    feeds: Sequence[FeedSource],
    limits: FetchLimits,
    topic: Topic,
    *,
    batch_size: int = 200,
    progress: Progress = quiet,
) -> PollReport:
    """One whole cycle without Prefect (tests, and the body of each flow task)."""
    report = PollReport()
    for start in range(0, len(feeds), max(1, batch_size)):
        report.feeds += poll_batch(
            engine, feeds[start : start + batch_size], limits, topic, progress=progress
        )
    return report


Entry = tuple[str, FeedItem, Classification]  # identity, item, classification


def classify_fixtures(topic: Topic, paths: Sequence[Path], progress: Progress = to_stderr) -> list[Entry]:
    files = fixture_paths(list(paths))
    results = []
    for number, path in enumerate(files, start=1):
        item = read_fixture(path)
        classification = classify(topic, item)
        progress(f"[{number}/{len(files)}] {describe_classification(path.name, classification)}")
        results.append((item.id, item, classification))
    return results


def store_and_group(
    engine: Engine,
    source_url: str,
    entries: Sequence[Entry],
    topic_version: int,
    *,
    source_title: str | None = None,
) -> store.StoreReport:
    """Store fixture entries under their own file's source when they name one, else `source_url`;
    then group the relevant ones into stories."""
    urls = [item.source or source_url for _, item, _ in entries]
    titles = {url: source_title if url == source_url else url.removeprefix("file:") for url in urls}
    sources = store.ensure_sources(engine, list(titles.items()), kind="fixture")
    rows = [
        (sources[url].source_id, store.storable(identity, item, classification))
        for url, (identity, item, classification) in zip(urls, entries, strict=True)
    ]
    report = store.store_items(engine, rows, topic_version=topic_version)
    group_stories(engine)
    return report


def pending_digest(
    engine: Engine, channels: Sequence[str], signals: Collection[str] = ALL_SIGNALS
) -> tuple[Digest, list[store.StoredStory]]:
    stories = store.undelivered_stories(engine, [channel_key(c) for c in channels])
    return build_digest(stories, signals=signals), stories


def deliver(
    engine: Engine,
    channels: Sequence[str],
    *,
    now: datetime | None = None,
    signals: Collection[str] = ALL_SIGNALS,
) -> DeliveryReport:
    """Send each channel the alerting stories it has not had (the guarantees: README, Delivery).

    A channel is claimed in the database before anything is sent (a concurrent run skips it); the
    stories of each message are written down as in flight before it is handed over, and recorded
    delivered only after apprise reports success (storage/deliveries.py). A message whose outcome
    is unknown (the run that sent it died, or the send timed out once handed over) is resent first,
    once, alone and with the same Message-ID. A failure leaves the stories pending and sets a
    back-off. With no channel, the digest goes to the terminal: it is returned as `text` and marked
    delivered there.
    """
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    for channel in list(dict.fromkeys(channels)) or [TERMINAL]:
        key, label = channel_key(channel), mask_url(channel)
        claim = store.claim_channel(engine, key, label, now)
        if not claim.claimed:
            report.skipped[label] = claim.reason
            continue
        try:
            _deliver_to(engine, channel, claim.state.in_flight, now, signals, report)
        except Exception:
            store.release_idle(engine, key)  # free the channel at once; what is in flight stays
            raise
    return report


def _batches(
    pending: list[store.StoredStory], in_flight: tuple[int, ...]
) -> list[tuple[list[store.StoredStory], bool]]:
    """The messages for a channel, in order, each with whether it is a resend: first the stories
    of a message whose acceptance is unknown, alone, so that it is the same message; then the rest."""
    if not in_flight:
        return [(pending, False)]
    flying = set(in_flight)
    return [
        ([s for s in pending if s.id in flying], True),
        ([s for s in pending if s.id not in flying], False),
    ]


def _deliver_to(
    engine: Engine,
    channel: str,
    in_flight: tuple[int, ...],
    now: datetime,
    signals: Collection[str],
    report: DeliveryReport,
) -> None:
    """Deliver one claimed channel's messages (`_batches`) and release the channel."""
    key, label = channel_key(channel), mask_url(channel)
    for stories, resend in _batches(store.undelivered_stories(engine, [key]), in_flight):
        digest = build_digest(stories, now, signals)
        if not digest.stories:
            continue
        ids = [story.story_id for story in digest.stories]
        if channel != TERMINAL and not store.start_sending(engine, key, ids):
            report.skipped[label] = "its claim ran out and another run took it over"
            return
        result = _send(channel, digest, ids, report)
        report.digest = report.digest or digest
        if result.ok:
            faults.reached("sent")  # accepted by the channel, not recorded yet
            written = store.release_delivered(engine, key, label, ids, now, keep_claim=True)
            report.delivered[label] = report.delivered.get(label, 0) + written
            if resend:
                report.resent[label] = len(ids)
            continue
        error = result.error or "failed"
        state = store.release_failed(
            engine, key, label, error, now, keep_in_flight=result.uncertain or resend
        )
        until = state.next_try.strftime("%Y-%m-%d %H:%M UTC") if state.next_try else "the next run"
        report.failed[label] = f"{error} (attempt {state.failures}; retry after {until})"
        if result.uncertain or resend:
            report.uncertain[label] = len(state.in_flight)
        return
    store.release_idle(engine, key, in_flight=False)  # every message delivered, or none to send


def _send(channel: str, digest: Digest, ids: list[int], report: DeliveryReport) -> SendResult:
    """One message to one channel (the terminal: the text, in the report)."""
    from flows.messages import compose  # the renderers (jinja2, the chart) load only to deliver
    from monitors.digest.render import render_text

    kind = channel_kind(channel)
    if kind == TERMINAL:
        report.text = render_text(digest)
        return SendResult(TERMINAL, TERMINAL, True)
    message = compose(digest, kind)
    return send(
        channel,
        message.title,
        message.body,
        body_format=message.body_format,
        attachments=message.attachments,
        text_alternative=message.text_alternative,
        message_id=message_id(channel_key(channel), ids) if kind == "email" else None,
    )
