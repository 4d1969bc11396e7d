"""The parallel part of a poll: feed bodies parsed and classified on the second core while this
process still fetches, then stores what is ready. flows/pipeline.py takes it as a parameter (a
`ParserFactory`, the default being ParseQueue), so the join reads top to bottom and tests can swap it.

A cold poll spends longer parsing and classifying than fetching and storing. A batch's feeds are
cut into chunks of CHUNK feeds; each chunk's bodies go to one helper process (spawned once,
reused for the life of the process) as soon as they are all fetched, so the helper parses while
this process still fetches, then while it stores. Whenever this process would wait for the
helper, it parses the last chunk the helper has not started instead (results still come out in
order), so neither core idles while work is left.
Results cross the process boundary as the rows to store (storage/rows.py), in plain tuples: the
helper also hashes and encodes what the storing process would otherwise, and pickling dataclasses
cost more than parsing them. Without a second core, with few feeds, or if the helper dies, every
chunk is parsed here: the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from flows import lifeline
from monitors.classify.classifier import classify
from monitors.classify.topic import Topic
from monitors.feeds import fetch
from monitors.feeds.identity import identity
from monitors.feeds.limits import FetchLimits
from monitors.feeds.parse import FeedParseError, parse_feed
from monitors.models import FeedItem
from storage.rows import StorableItem, storable

CHUNK = 25
STEAL_AFTER = 0.01  # seconds to wait for the helper's chunk before parsing another one here
Job = tuple[str, bytes, str | None]  # feed URL, body, HTTP charset
Parsed = list[StorableItem] | FeedParseError  # a feed's items, or why it is not a feed
_Results = list[list[tuple[Any, ...]] | str]  # a chunk as it comes back from the helper


class ChunkParser(Protocol):
    """Chunks of feed bodies in, each chunk's parsed feeds out, in index order."""

    def add(self, index: int, jobs: list[Job]) -> None: ...

    def results(self) -> Iterator[tuple[int, list[Parsed]]]: ...


ParserFactory = Callable[[Topic, int], ChunkParser]  # (topic, max decompressed bytes) -> a parser

_helper: ProcessPoolExecutor | None = None
_topics: dict[bytes, Topic] = {}  # in the helper: the topic of the last jobs, unpickled once


def classify_items(topic: Topic, feed_url: str, items: Sequence[FeedItem]) -> list[StorableItem]:
    """Each item once (the first of a feed's duplicates), identified and classified, as stored."""
    seen: set[str] = set()
    entries = []
    for item in items:
        key = identity(item, feed_url)
        if key in seen:
            continue
        seen.add(key)
        entries.append(storable(key, item, classify(topic, item)))
    return entries


def parse_one(job: Job, topic: Topic, max_decompressed_bytes: int) -> Parsed:
    url, body, charset = job
    try:
        items = parse_feed(body, source=url, charset=charset, max_decompressed_bytes=max_decompressed_bytes)
    except FeedParseError as exc:
        return exc
    return classify_items(topic, url, items)


def _helper_parse(jobs: list[Job], topic_blob: bytes, max_bytes: int) -> _Results:
    """In the helper process: a chunk of feeds, as plain tuples (a NamedTuple pickles at three
    times the cost), or the parse error's message."""
    topic = _topics.get(topic_blob)
    if topic is None:
        _topics.clear()
        topic = _topics[topic_blob] = pickle.loads(topic_blob)
    out: _Results = []
    for job in jobs:
        parsed = parse_one(job, topic, max_bytes)
        out.append(str(parsed) if isinstance(parsed, FeedParseError) else [tuple(e) for e in parsed])
    return out


def _get_helper() -> ProcessPoolExecutor | None:
    global _helper
    if _helper is None and (os.cpu_count() or 1) >= 2:
        _helper = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=lifeline.watch_parent,  # the helper stops if this process is killed
            initargs=(os.getpid(),),
        )
    return _helper


def _ready() -> bool:
    return True


def warm_up(feeds: int) -> None:
    """Start the helper now, when a batch of `feeds` will need it, so that its start-up (a new
    interpreter importing the parsers, ~0.5 s) overlaps the fetching."""
    helper = _get_helper() if feeds > CHUNK else None
    if helper is not None:
        try:
            helper.submit(_ready)
        except (BrokenProcessPool, RuntimeError, OSError):
            _drop_helper()


def _drop_helper() -> None:
    global _helper
    if _helper is not None:
        _helper.shutdown(wait=False, cancel_futures=True)
    _helper = None


class ParseQueue:
    """Chunks of feed bodies, parsed in the helper process as soon as each is added (while this
    process is still fetching the others), and read back in index order by `results`.

    Unless the helper was already started for this batch (warm_up), the first chunk added stays
    here: with a single chunk no helper is involved. Whenever `results` would wait for the helper, this
    process parses the last chunk the helper has not started instead, so the two meet in the middle.
    """

    def __init__(self, topic: Topic, max_decompressed_bytes: int, *, use_helper: bool = True) -> None:
        self._topic = topic
        self._max = max_decompressed_bytes
        self._use_helper = use_helper
        self._blob: bytes | None = None
        self._jobs: dict[int, list[Job]] = {}
        self._futures: dict[int, Future[_Results]] = {}

    def add(self, index: int, jobs: list[Job]) -> None:
        """Queue chunk `index` (each index once, in any order)."""
        self._jobs[index] = jobs
        if not self._use_helper or (_helper is None and len(self._jobs) == 1):
            return  # the first chunk stays here, unless the helper was started for this batch
        helper = _get_helper()
        if helper is None:
            self._use_helper = False
            return
        try:
            if self._blob is None:
                self._blob = pickle.dumps(self._topic)
            self._futures[index] = helper.submit(_helper_parse, jobs, self._blob, self._max)
        except (BrokenProcessPool, RuntimeError, OSError):
            _drop_helper()
            self._use_helper = False

    def _here(self, index: int) -> list[Parsed]:
        return [parse_one(job, self._topic, self._max) for job in self._jobs[index]]

    def _unstarted(self, index: int) -> bool:
        """Chunk `index` is not being parsed by the helper: withdrawn from it now if need be."""
        future = self._futures.get(index)
        return future is None or future.cancel()

    def results(self) -> Iterator[tuple[int, list[Parsed]]]:
        """Every chunk added, in index order: its jobs' results, in job order."""
        order = sorted(self._jobs)
        stolen: dict[int, list[Parsed]] = {}
        make = StorableItem._make
        for position, index in enumerate(order):
            if index in stolen:
                parsed = stolen.pop(index)
            elif self._unstarted(index):
                parsed = self._here(index)
            else:
                future = self._futures[index]
                wait([future], timeout=STEAL_AFTER)  # it may be nearly done: stealing costs a chunk
                while not future.done():  # meanwhile, take the last chunk the helper has not started
                    later = (j for j in reversed(order[position + 1 :]) if j not in stolen)
                    last = next((j for j in later if self._unstarted(j)), None)
                    if last is None:
                        break
                    stolen[last] = self._here(last)
                try:
                    results = future.result()
                except (BrokenProcessPool, OSError):
                    _drop_helper()
                    results = None
                if results is None:
                    parsed = self._here(index)
                else:
                    parsed = [
                        FeedParseError(r) if isinstance(r, str) else [make(e) for e in r] for r in results
                    ]
            del self._jobs[index]  # the bodies are not needed any more
            yield index, parsed


def in_process(topic: Topic, max_decompressed_bytes: int) -> ChunkParser:
    """A ParserFactory that parses every chunk in this process."""
    return ParseQueue(topic, max_decompressed_bytes, use_helper=False)


def fetch_in_chunks(
    requests: Sequence[fetch.FeedRequest],
    limits: FetchLimits,
    parser: ChunkParser,
    on_fetched: Callable[[int, fetch.FetchResult], None] | None = None,
) -> tuple[list[fetch.FetchResult], dict[int, list[int]]]:
    """Fetch every request concurrently; as soon as all feeds of a chunk (CHUNK requests in a row)
    are fetched, the bodies among them go to `parser`, which parses them while the other feeds
    are still being fetched. `on_fetched(position, result)` hears of each feed as it arrives.
    Returns the results in request order, and for each chunk handed to `parser` the positions of
    its bodies, in job order."""
    fetched: list[fetch.FetchResult | None] = [None] * len(requests)
    waiting = [min(CHUNK, len(requests) - start) for start in range(0, len(requests), CHUNK)]
    queued: dict[int, list[int]] = {}

    def arrived(position: int, result: fetch.FetchResult) -> None:
        fetched[position] = result
        if on_fetched is not None:
            on_fetched(position, result)
        index = position // CHUNK
        waiting[index] -= 1
        if waiting[index] > 0:
            return
        span = range(index * CHUNK, min(len(requests), (index + 1) * CHUNK))
        bodies = [p for p in span if isinstance(fetched[p], fetch.FeedOk)]
        if bodies:
            queued[index] = bodies
            jobs = [
                (requests[p].url, r.body, r.charset)
                for p in bodies
                if isinstance(r := fetched[p], fetch.FeedOk)
            ]
            parser.add(index, jobs)

    final = fetch.fetch_many(requests, limits, on_result=arrived)
    for position, answer in enumerate(final):
        if fetched[position] is None:  # not handed over as it came in (a worker gave up)
            arrived(position, answer)
    return final, queued


def parse_chunks(
    jobs: Sequence[Job], topic: Topic, max_decompressed_bytes: int, *, use_helper: bool = True
) -> Iterator[list[Parsed]]:
    """All of `jobs` at once, in chunks of CHUNK: each chunk's results, in job order."""
    queue = ParseQueue(topic, max_decompressed_bytes, use_helper=use_helper)
    for start in range(0, len(jobs), CHUNK):
        queue.add(start // CHUNK, list(jobs[start : start + CHUNK]))
    for _, parsed in queue.results():
        yield parsed
