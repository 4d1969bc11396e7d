"""Exactly once: a story reaches each channel once, also when runs race or a channel is down."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from flows.pipeline import deliver
from flows.reports import DeliveryReport
from monitors.digest.notify import channel_key, mask_url
from storage import deliveries
from storage.engine import open_engine
from tests.support.digest import (
    email_url,
    free_port,
    http_receiver,
    seed,
    smtp_server,
)

RUNS = 4


def _race(database_url: str, channels: list[str]) -> list[DeliveryReport]:
    """RUNS deliver() calls released at the same moment, each with its own engine (as processes)."""
    engines = [open_engine(database_url) for _ in range(RUNS)]
    start = threading.Barrier(RUNS)
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            reports.append(deliver(engines[index], channels))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    assert not errors, errors
    return reports


def test_concurrent_runs_send_each_story_once_per_channel(database_url: str) -> None:
    engine = open_engine(database_url)
    seed(engine)
    with smtp_server() as smtp, http_receiver() as receiver:
        json_url = f"json://127.0.0.1:{receiver.port}/hook"
        channels = [smtp.url(), json_url]

        reports = _race(database_url, channels)

        # each channel got one message carrying the three stories, whoever sent it
        assert len(smtp.emails) == 1
        assert smtp.emails[0]["Subject"].startswith("migwatch: 3 stories")
        assert len(receiver.requests) == 1
        for channel in channels:
            label = mask_url(channel)
            assert sum(r.delivered.get(label, 0) for r in reports) == 3
            assert deliveries.delivered_story_ids(engine, channel_key(channel)) == [1, 2, 3]
        assert not any(r.failed for r in reports)

        # and a later run finds nothing left to send
        later = deliver(engine, channels)
        assert later.delivered == {} and later.failed == {}
        assert len(smtp.emails) == 1 and len(receiver.requests) == 1
    engine.dispose()


def test_a_claimed_channel_is_refused_to_a_second_run_until_released(database_url: str) -> None:
    engine = open_engine(database_url)
    now = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    first = deliveries.claim_channel(engine, "ch-a", "mailto://desk", now)
    second = deliveries.claim_channel(engine, "ch-a", "mailto://desk", now)
    other = deliveries.claim_channel(engine, "ch-b", "slack://***", now)
    assert first.claimed and other.claimed
    assert not second.claimed and "another run is sending" in second.reason

    deliveries.release_idle(engine, "ch-a")
    assert deliveries.claim_channel(engine, "ch-a", "mailto://desk", now).claimed

    # a run that died holding the claim loses it when the lease runs out
    assert not deliveries.claim_channel(engine, "ch-a", "mailto://desk", now + timedelta(minutes=9)).claimed
    assert deliveries.claim_channel(engine, "ch-a", "mailto://desk", now + deliveries.LEASE).claimed
    engine.dispose()


def test_smtp_down_marks_nothing_and_the_next_run_delivers_once(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    seed(engine)
    port = free_port()  # nothing listens here yet
    url = email_url(port)
    key = channel_key(url)
    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

    down = deliver(engine, [url], now=start)
    assert down.delivered == {}
    assert "unreachable" in down.failed[mask_url(url)]
    assert deliveries.delivered_story_ids(engine, key) == []
    state = deliveries.channel_state(engine, key)
    assert state is not None and state.failures == 1 and state.next_try == start + timedelta(minutes=1)

    # still down at the next run: the back-off doubles
    again = deliver(engine, [url], now=start + timedelta(minutes=1))
    assert mask_url(url) in again.failed
    state = deliveries.channel_state(engine, key)
    assert state is not None and state.failures == 2
    assert state.next_try == start + timedelta(minutes=3)

    with smtp_server(port) as smtp:
        early = deliver(engine, [url], now=start + timedelta(minutes=2))
        assert "backing off" in early.skipped[mask_url(url)]
        assert smtp.emails == []

        up = deliver(engine, [url], now=start + timedelta(minutes=3))
        assert up.delivered == {mask_url(url): 3}
        assert len(smtp.emails) == 1
        assert deliveries.delivered_story_ids(engine, key) == [1, 2, 3]

        after = deliver(engine, [url], now=start + timedelta(hours=1))
        assert after.delivered == {} and after.failed == {} and after.skipped == {}
        assert len(smtp.emails) == 1
    engine.dispose()


def test_each_channel_url_is_its_own_channel(sqlite_url: str) -> None:
    """A channel added with --notify for one run gets the stories the configured one already had."""
    engine = open_engine(sqlite_url)
    seed(engine)
    with smtp_server() as smtp:
        configured = smtp.url()
        extra = configured.replace("to=desk@example.org", "to=editor@example.org")
        deliver(engine, [configured])
        both = deliver(engine, [configured, extra])
        assert both.delivered == {mask_url(extra): 3}
        assert [e["To"] for e in smtp.emails] == ["desk@example.org", "editor@example.org"]
    engine.dispose()
