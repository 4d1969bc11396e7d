"""A message whose outcome is unknown is resent once, alone, with the same Message-ID; a run that
died holding a channel gives it up at once to the next run on the same machine."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from flows.doctor import check_deliveries
from flows.pipeline import deliver
from flows.settings import load_settings
from monitors.digest.notify import channel_key, mask_url, message_id
from storage import deliveries
from storage.engine import open_engine
from tests.conftest import ROOT
from tests.support.digest import seed, smtp_server

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _ids(email: EmailMessage) -> list[str]:
    return list(email.get_all("Message-ID") or [])


def test_an_uncertain_send_is_resent_once_alone_with_the_same_message_id(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    seed(engine)
    with smtp_server(hold=True) as smtp:
        url = smtp.url() + "&cto=3"  # the server keeps the message and holds its 250 past this
        key, label = channel_key(url), mask_url(url)
        first = deliver(engine, [url], now=START)
        assert len(smtp.emails) == 1  # accepted by the server: the sender never heard so
        assert first.delivered == {} and first.uncertain == {label: 3}
        assert "may have been delivered" in first.failed[label]
        state = deliveries.channel_state(engine, key)
        assert state is not None and state.in_flight == (1, 2, 3) and state.failures == 1
        assert deliveries.delivered_story_ids(engine, key) == []
        doctor = check_deliveries(load_settings(None, database_url=sqlite_url, notify_urls=[url]))
        assert doctor is not None and doctor.verdict == "warn"
        assert "delivery of 3 story(ies) uncertain" in doctor.detail

        smtp.sink.hold = False
        smtp.sink.release.set()
        seed(engine, evil=True)  # meanwhile a fourth story
        early = deliver(engine, [url], now=START + timedelta(seconds=30))
        assert "backing off" in early.skipped[label] and len(smtp.emails) == 1

        again = deliver(engine, [url], now=START + timedelta(minutes=1))
        assert again.resent == {label: 3} and again.delivered == {label: 4} and not again.failed
        resent, new = smtp.emails[1:]
        assert _ids(resent) == _ids(smtp.emails[0]) == [message_id(key, [1, 2, 3])]
        assert resent["Subject"].startswith("migwatch: 3 stories")
        assert _ids(new) == [message_id(key, [4])] and new["Subject"].startswith("migwatch: 1 story")
        assert deliveries.delivered_story_ids(engine, key) == [1, 2, 3, 4]
        state = deliveries.channel_state(engine, key)
        assert state is not None and state.in_flight == () and state.failures == 0

        later = deliver(engine, [url], now=START + timedelta(hours=1))
        assert later.delivered == {} and later.failed == {} and len(smtp.emails) == 3
        doctor = check_deliveries(load_settings(None, database_url=sqlite_url, notify_urls=[url]))
        assert doctor is not None and doctor.verdict == "ok"
    engine.dispose()


def test_a_refused_send_leaves_nothing_in_flight(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    seed(engine)
    with smtp_server(reply="554 5.7.1 Message rejected") as smtp:
        url = smtp.url()
        report = deliver(engine, [url], now=START)
    assert report.uncertain == {} and "refused" in report.failed[mask_url(url)]
    state = deliveries.channel_state(engine, channel_key(url))
    assert state is not None and state.in_flight == () and state.failures == 1
    engine.dispose()


# A process that claims a channel, writes down what it is sending, says so and waits to be killed.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from storage import deliveries
    from storage.engine import open_engine
    engine = open_engine(sys.argv[1])
    now = datetime.fromisoformat(sys.argv[2])
    assert deliveries.claim_channel(engine, "ch-a", "mailto://desk", now).claimed
    assert deliveries.start_sending(engine, "ch-a", [1, 2])
    print("sending", flush=True)
    time.sleep(600)
    """
)


def test_a_killed_runs_claim_is_taken_over_at_once_and_its_message_counts_as_uncertain(
    database_url: str,
) -> None:
    engine = open_engine(database_url)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url, START.isoformat()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "sending\n"
        alive = deliveries.claim_channel(engine, "ch-a", "mailto://desk", START)
        assert not alive.claimed and "another run is sending" in alive.reason
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    taken = deliveries.claim_channel(engine, "ch-a", "mailto://desk", START + timedelta(seconds=1))
    assert taken.claimed and taken.state.in_flight == (1, 2)  # within the lease, yet free
    assert not deliveries.claim_channel(engine, "ch-a", "mailto://desk", START).claimed  # ours now
    engine.dispose()
