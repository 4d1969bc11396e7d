"""Crash injection: `poll` and `digest` killed with SIGKILL at varied points, then run again as
usual, end where a run that was never killed ends: the same items, the same stories with the same
members, every story delivered to every channel at least once and at most once more per crash,
and `doctor` without a failure.

Points are reached by real observation where that is practical (the feed server sees the fetch
under way and holds the rest; the SMTP server has the message and holds its 250) and otherwise by
flows/faults.py (MIGWATCH_CRASH_AT: after a chunk's commit, inside the grouping transaction, after
a channel accepted a message and before it is recorded), where the run stops itself and is then
killed from here. A kill takes the whole process group: the parse helper, and for the CLI the
temporary Prefect API, die with the run, as on a machine that loses power.

Most runs use tests/support/crashrun.py (the flows' own pipeline calls, without Prefect's start-up
cost); one scenario kills the real `migwatch digest` and runs it again. CRASH_SOAK_RUNS=N adds N
scenarios with points drawn at random (seeded: CRASH_SOAK_SEED), for a manual soak.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from flows.doctor import run_checks
from flows.poll import BATCH_SIZE
from flows.settings import load_settings
from monitors.digest.notify import channel_key
from storage import store
from storage.engine import open_engine
from storage.tables import Item
from tests.conftest import MIGWATCH, ROOT
from tests.e2e.test_concurrent_polls import stories
from tests.support import crashrun
from tests.support.digest import Receiver, SmtpServer, http_receiver, smtp_server
from tests.support.newsroom import EVENTS, ITEMS_PER_FEED, Newsroom, newsroom

FEEDS = 60  # three chunks of at most 25 feeds: two commits before the last, then grouping
HELD_FROM = 30  # in a kill during the fetch, feeds from this one on wait: the kill lands mid-fetch
SOAK_RUNS = int(os.environ.get("CRASH_SOAK_RUNS", "0"))


@dataclass(frozen=True)
class Point:
    """Where a run is killed: `command` (poll or digest), at a flows/faults.py point ("NAME:N"),
    or where a server observes it ("fetch": mid-fetch; "smtp": the message is the server's)."""

    command: str
    at: str
    cli: bool = False  # the real `migwatch` command rather than tests/support/crashrun.py


SCENARIOS = [
    [Point("poll", "fetch")],
    [Point("poll", "chunk-stored:1")],
    [Point("poll", "chunk-stored:2"), Point("digest", "smtp")],
    [Point("poll", "grouping:1")],
    [Point("digest", "sent:1")],  # email accepted, not recorded: one copy too many is allowed
    [Point("digest", "sent:2")],  # the webhook's turn
    [Point("digest", "smtp", cli=True)],  # the real command, Prefect and all, killed and run again
]


def _soak(runs: int, seed: int) -> list[list[Point]]:
    draw = random.Random(seed)
    polls = ["fetch", "chunk-stored:1", "chunk-stored:2", "grouping:1", None]
    digests = ["smtp", "sent:1", "sent:2", None]
    scenarios = []
    for _ in range(runs):
        poll, digest = draw.choice(polls), draw.choice(digests)
        scenarios.append([Point(c, at) for c, at in (("poll", poll), ("digest", digest)) if at])
    return scenarios


class World:
    """The servers every run talks to: feeds, an SMTP server and a webhook receiver."""

    def __init__(self, room: Newsroom, smtp: SmtpServer, hook: Receiver, tmp: Path, env: dict[str, str]):
        self.room, self.smtp, self.hook, self.tmp, self.env = room, smtp, hook, tmp, env
        self.feed_list = room.write_feed_list(tmp / "feeds.txt", FEEDS)
        # apprise's SMTP timeout far above any wait here: a held 250 ends by a kill, never a timeout
        self.channels = [smtp.url() + "&cto=120", f"json://127.0.0.1:{hook.port}/hook"]

    def reset(self) -> None:
        self.smtp.sink.messages.clear()
        self.hook.requests.clear()
        self.room.requests.clear()


def _command(point: Point | None, command: str, database_url: str, world: World) -> list[str]:
    args = [str(world.feed_list)] if command == "poll" else world.channels
    if point is not None and point.cli:
        if command == "poll":
            return [str(MIGWATCH), "poll", "--feeds", args[0], "--db", database_url, "--format", "json"]
        notify = [part for url in args for part in ("--notify", url)]
        return [str(MIGWATCH), "digest", "--db", database_url, *notify]
    return [sys.executable, "-m", "tests.support.crashrun", command, database_url, *args]


def _start(argv: list[str], world: World, crash_at: str | None) -> subprocess.Popen[str]:
    env = {**world.env, **({"MIGWATCH_CRASH_AT": crash_at} if crash_at else {})}
    return subprocess.Popen(
        argv,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, killed whole
    )


def _kill_at(point: Point, database_url: str, world: World) -> None:
    """Run `point.command` and SIGKILL it, with everything it started, at `point`."""
    observed = point.at in ("fetch", "smtp")
    world.room.held_from = HELD_FROM if point.at == "fetch" else None
    world.room.release.clear()
    world.smtp.sink.hold, world.smtp.sink.received = point.at == "smtp", type(world.smtp.sink.received)()
    world.smtp.sink.release.clear()
    process = _start(
        _command(point, point.command, database_url, world), world, None if observed else point.at
    )
    try:
        if point.at == "fetch":
            reached = world.room.wait_for_requests(HELD_FROM + 1, timeout=240)
        elif point.at == "smtp":
            reached = world.smtp.sink.received.wait(timeout=240)
        else:
            assert process.stderr is not None
            marker = f"migwatch: crash point {point.at} reached"
            reached = any(marker in line for line in process.stderr)  # stops there, or ends
        assert reached and process.poll() is None, f"{point} was never reached"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        world.room.release.set()
        world.smtp.sink.release.set()
    world.room.held_from, world.smtp.sink.hold = None, False
    assert process.returncode == -signal.SIGKILL


def _run(command: str, database_url: str, world: World, cli: bool = False) -> None:
    point = Point(command, "", cli=cli) if cli else None
    process = _start(_command(point, command, database_url, world), world, None)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err


@dataclass
class Outcome:
    items: list[str]  # identities
    stories: list[list[str]]  # each story's item identities
    headlines: set[str]  # of every story
    copies: dict[str, dict[str, int]]  # channel -> story headline -> messages that carried it
    undelivered: int  # stories some channel has no delivery record of


NUMBERED = re.compile(r"^\d+\. (.+)$")  # a story's line in the text digest: "3. headline"


def _copies(world: World) -> dict[str, dict[str, int]]:
    email: dict[str, int] = {}
    for raw in world.smtp.sink.messages:
        part = message_from_bytes(raw, policy=policy.default).get_body(("plain",))  # type: ignore[attr-defined]
        for line in part.get_content().splitlines() if part else []:
            if match := NUMBERED.match(line):
                email[match[1]] = email.get(match[1], 0) + 1
    hook: dict[str, int] = {}
    for body in world.hook.json_bodies():
        for story in json.loads(body["message"])["stories"]:
            hook[story["headline"]] = hook.get(story["headline"], 0) + 1
    return {"email": email, "webhook": hook}


def _outcome(database_url: str, world: World) -> Outcome:
    engine = open_engine(database_url)
    try:
        with Session(engine) as session:
            items = sorted(session.scalars(select(Item.identity)))
        headlines = {story.headline for story in store.undelivered_stories(engine, ["nobody"])}
        pending = store.undelivered_stories(engine, [channel_key(c) for c in world.channels])
        return Outcome(items, stories(engine), headlines, _copies(world), len(pending))
    finally:
        engine.dispose()


def _scenario(points: list[Point], database_url: str, world: World) -> Outcome:
    world.reset()
    for command in ("poll", "digest"):
        for point in (p for p in points if p.command == command):
            _kill_at(point, database_url, world)
        _run(command, database_url, world, cli=any(p.cli for p in points if p.command == command))
    return _outcome(database_url, world)


def _check(
    outcome: Outcome, reference: Outcome, points: list[Point], world: World, database_url: str
) -> None:
    where = f"killed at {points}"
    assert outcome.items == reference.items, where
    assert outcome.stories == reference.stories, where
    assert outcome.undelivered == 0, where
    for channel, copies in outcome.copies.items():
        # every story at least once, and at most once more per crash
        assert copies.keys() == outcome.headlines, (where, channel, copies)
        assert all(1 <= n <= 1 + len(points) for n in copies.values()), (where, channel, copies)
    settings = load_settings(None, database_url=database_url, notify_urls=world.channels)
    checks = run_checks(settings, api_url=lambda: None)
    assert [c for c in checks if c.verdict == "fail"] == [], (where, checks)
    assert [c.verdict for c in checks if c.name == "deliveries"] == ["ok"], (where, checks)


@pytest.fixture
def world(tmp_path: Path, cli_env: dict[str, str]) -> Iterator[World]:
    with newsroom() as room, smtp_server() as smtp, http_receiver() as hook:
        yield World(room, smtp, hook, tmp_path, cli_env)


def _reference(world: World, tmp_path: Path) -> Outcome:
    """A run never killed: one poll, one digest."""
    reference = _scenario([], f"sqlite:///{tmp_path / 'reference.db'}", world)
    assert len(reference.items) == FEEDS * ITEMS_PER_FEED and len(reference.stories) == len(EVENTS)
    assert all(c == dict.fromkeys(reference.headlines, 1) for c in reference.copies.values())
    return reference


@pytest.mark.timeout(900 + 60 * SOAK_RUNS)  # about 2 minutes; far more on a loaded 2-core machine
def test_killed_polls_and_digests_end_as_a_run_never_killed(world: World, tmp_path: Path) -> None:
    assert crashrun.BATCH_SIZE == BATCH_SIZE  # the driver batches feeds as the flow does
    reference = _reference(world, tmp_path)
    seed = int(os.environ.get("CRASH_SOAK_SEED", "15"))
    for number, points in enumerate(SCENARIOS + _soak(SOAK_RUNS, seed)):
        database_url = f"sqlite:///{tmp_path / f'crash-{number}.db'}"
        outcome = _scenario(points, database_url, world)
        _check(outcome, reference, points, world, database_url)


@pytest.mark.timeout(600)
def test_on_postgresql_a_run_killed_while_grouping_and_one_while_sending_leave_no_trace(
    world: World, tmp_path: Path, postgres_url: str
) -> None:
    """The grouping lock goes with the killed run's connection, its claim on a channel with its process."""
    reference = _reference(world, tmp_path)
    points = [Point("poll", "grouping:1"), Point("digest", "smtp")]
    _check(_scenario(points, postgres_url, world), reference, points, world, postgres_url)
