"""Parse and classify feed bodies on the second core while this process stores what is ready.

A cold poll spends as long parsing and classifying as storing (each ~1.5 ms a feed on the
synthetic bench). A batch's feed bodies are cut into chunks of CHUNK feeds: this process parses
the first chunk itself while one helper process (spawned once, reused for the life of the
process) parses the rest, and the caller stores chunk i while the helper works on chunk i+1.
Whenever this process would wait for the helper, it parses the last chunk the helper has not
started instead (results still come out in job order), so neither core idles while work is left.
Results cross the process boundary as the rows to store (storage/rows.py), in plain tuples: the
helper also hashes and encodes what the storing process would otherwise, and pickling dataclasses
cost more than parsing them. Without a second core, with few feeds, or if the helper dies, every
chunk is parsed here: the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from monitors.classify import classify
from monitors.identity import identity
from monitors.models import FeedItem
from monitors.parse import FeedParseError, parse_feed
from monitors.topic import Topic
from storage.rows import StorableItem, storable

CHUNK = 25
Job = tuple[str, bytes, str | None]  # feed URL, body, HTTP charset
Parsed = list[StorableItem] | FeedParseError  # a feed's items, or why it is not a feed

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


def _helper_parse(jobs: list[Job], topic_blob: bytes, max_bytes: int) -> list[list[tuple[Any, ...]] | str]:
    """In the helper process: a chunk of feeds, as plain tuples (a NamedTuple pickles at three
    times the cost), or the parse error's message."""
    topic = _topics.get(topic_blob)
    if topic is None:
        _topics.clear()
        topic = _topics[topic_blob] = pickle.loads(topic_blob)
    out: list[list[tuple[Any, ...]] | str] = []
    for job in jobs:
        parsed = parse_one(job, topic, max_bytes)
        out.append(str(parsed) if isinstance(parsed, FeedParseError) else [tuple(e) for e in parsed])
    return out


def _get_helper() -> ProcessPoolExecutor | None:
    global _helper
    if _helper is None and (os.cpu_count() or 1) >= 2:
        _helper = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
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


def parse_chunks(
    jobs: Sequence[Job], topic: Topic, max_decompressed_bytes: int, *, use_helper: bool | None = None
) -> Iterator[list[Parsed]]:
    """Each chunk's results, in job order, as soon as it is ready. `use_helper` None: only when
    there is more than one chunk."""
    chunks = [list(jobs[i : i + CHUNK]) for i in range(0, len(jobs), CHUNK)]
    wanted = len(chunks) > 1 if use_helper is None else use_helper
    helper = _get_helper() if wanted and len(chunks) > 0 else None
    futures: list[Future[list[list[tuple[Any, ...]] | str]]] = []
    first = 0
    if helper is not None:
        first = 1 if len(chunks) > 1 else 0  # this process parses the first chunk meanwhile
        try:
            blob = pickle.dumps(topic)
            futures = [helper.submit(_helper_parse, c, blob, max_decompressed_bytes) for c in chunks[first:]]
        except (BrokenProcessPool, RuntimeError, OSError):
            _drop_helper()
            futures, first = [], 0
    if not futures:
        first = len(chunks)

    def here(chunk: list[Job]) -> list[Parsed]:
        return [parse_one(job, topic, max_decompressed_bytes) for job in chunk]

    for chunk in chunks[:first]:
        yield here(chunk)
    rest = chunks[first:]
    stolen: dict[int, list[Parsed]] = {}  # chunks taken back from the end of the helper's queue
    make = StorableItem._make
    for index, (chunk, future) in enumerate(zip(rest, futures, strict=True)):
        if index in stolen:
            yield stolen.pop(index)
            continue
        if not future.done() and future.cancel():  # the helper is behind: parse it here instead
            yield here(chunk)
            continue
        # While the helper finishes this chunk, parse the last one it has not started: the two
        # processes meet in the middle, and this one never sits waiting while work is queued.
        while not future.done():
            last = next(
                (j for j in range(len(rest) - 1, index, -1) if j not in stolen and futures[j].cancel()), None
            )
            if last is None:
                break
            stolen[last] = here(rest[last])
        try:
            results = future.result()
        except (BrokenProcessPool, OSError):
            _drop_helper()
            yield here(chunk)
            continue
        yield [FeedParseError(r) if isinstance(r, str) else [make(e) for e in r] for r in results]
