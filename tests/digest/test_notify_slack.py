"""Slack and JSON webhooks: apprise posts to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from flows.pipeline import deliver, pending_digest
from monitors.digest.notify import channel_key
from monitors.digest.render import subject_line
from storage import deliveries
from tests.support.digest import LINKED_URL, http_receiver, seeded_engine

SLACK_URL = "slack://T1SECRETAAA/B2SECRETBBB/C3SECRETCCCCCCCCCCCCCCCC"
SECRETS = ("T1SECRETAAA", "B2SECRETBBB", "C3SECRETCCCCCCCCCCCCCCCC")


@pytest.fixture
def slack_endpoint(monkeypatch: pytest.MonkeyPatch) -> object:
    """Point apprise's Slack webhook endpoint (hooks.slack.com) at a local receiver."""
    from apprise.plugins.slack import NotifySlack

    with http_receiver() as receiver:
        monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
        yield receiver


def test_slack_gets_escaped_mrkdwn_with_counts_and_links(sqlite_url: str, slack_endpoint: object) -> None:
    receiver = slack_endpoint
    with seeded_engine(sqlite_url, evil=True) as engine:
        expected, _ = pending_digest(engine, [SLACK_URL])
        report = deliver(engine, [SLACK_URL])
    assert report.failed == {}
    assert report.delivered == {"slack://***": 4}
    assert len(receiver.requests) == 1  # type: ignore[attr-defined]
    path, _, body = receiver.requests[0]  # type: ignore[attr-defined]
    assert path == "/services/" + "/".join(SECRETS)
    payload = json.loads(body)
    assert payload["mrkdwn"] is True
    attachment = payload["attachments"][0]
    assert attachment["title"] == subject_line(expected)
    text = attachment["text"]
    assert text.startswith(f"*{expected.summary_line}*")
    assert "*1. Home Secretary visits Italy for crunch migration talks with right-wing government*" in text
    assert "• 34,500 · channel · 2024 to date · 2024-12-14 · +19% on 2023" in text
    # the one http(s) link is a live Slack link; the javascript: one is gone
    assert f"<{LINKED_URL}|open>" in text
    assert "javascript" not in text
    # no feed string can mention, link or inject markup
    assert "<!" not in text and "<@" not in text and "<script" not in text
    assert "&lt;script&gt;" not in text
    assert '‹script›alert("x")‹/script› Cooper &amp; Piantedosi ‹b›meet‹/b› ‹!channel› ¦x› @here' in text


def test_json_webhook_gets_the_digest_as_json(sqlite_url: str) -> None:
    with http_receiver() as receiver, seeded_engine(sqlite_url) as engine:
        url = f"json://127.0.0.1:{receiver.port}/hooks/migwatch"
        expected, _ = pending_digest(engine, [url])
        report = deliver(engine, [url])
        assert report.failed == {}
        assert len(receiver.requests) == 1
        path, headers, body = receiver.requests[0]
    assert path == "/hooks/migwatch"
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["title"] == subject_line(expected)
    digest = json.loads(payload["message"])
    assert digest["summary"] == expected.summary_line
    assert [s["headline"] for s in digest["stories"]] == [s.headline for s in expected.stories]
    assert digest["stories"][0]["crossing_figures"][0]["count"] == 34500


def test_failed_slack_is_retried_after_backoff_and_no_secret_is_shown(
    sqlite_url: str, slack_endpoint: object, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = slack_endpoint
    receiver.status = 500  # type: ignore[attr-defined]
    start = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    caplog.set_level(logging.DEBUG)
    with seeded_engine(sqlite_url) as engine:
        failed = deliver(engine, [SLACK_URL], now=start)
        assert failed.delivered == {}
        assert list(failed.failed) == ["slack://***"]
        state = deliveries.channel_state(engine, channel_key(SLACK_URL))
        assert state is not None and state.failures == 1
        assert state.next_try == start + timedelta(minutes=1)
        assert deliveries.delivered_story_ids(engine, channel_key(SLACK_URL)) == []

        # within the back-off the channel is left alone
        waiting = deliver(engine, [SLACK_URL], now=start + timedelta(seconds=30))
        assert "backing off" in waiting.skipped["slack://***"]
        assert len(receiver.requests) == 1  # type: ignore[attr-defined]

        receiver.status = 200  # type: ignore[attr-defined]
        retried = deliver(engine, [SLACK_URL], now=start + timedelta(minutes=2))
        assert retried.delivered == {"slack://***": 3}
        assert deliveries.delivered_story_ids(engine, channel_key(SLACK_URL)) == [1, 2, 3]
        state = deliveries.channel_state(engine, channel_key(SLACK_URL))
        assert state is not None and state.failures == 0 and state.next_try is None

    shown = " ".join(
        [*failed.failed.values(), *waiting.skipped.values(), *(r.getMessage() for r in caplog.records)]
    )
    assert "slack://***" in shown
    for secret in SECRETS:
        assert secret not in shown
