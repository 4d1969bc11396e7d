"""The table each flow run shows in the Prefect UI, built from a real poll report."""

from __future__ import annotations

from flows.artifacts import delivery_rows, poll_rows, publish
from flows.reports import FeedReport, PollReport


def test_poll_table_has_a_row_per_feed_and_channel_and_the_totals() -> None:
    report = PollReport(
        feeds=[
            FeedReport("https://a.example/feed", "ok", new_items=3, items=10, relevant=1),
            FeedReport("https://b.example/feed", "error", error="HTTP 500"),
        ],
        delivered={"mailto://***@example.org": 2},
        delivery_failed={"slack://***": "HTTP 403"},
    )
    rows = poll_rows(report)
    assert [(r["what"], r["name"], r["status"]) for r in rows] == [
        ("feed", "https://a.example/feed", "ok"),
        ("feed", "https://b.example/feed", "error"),
        ("channel", "mailto://***@example.org", "sent"),
        ("channel", "slack://***", "failed"),
        ("total", "2 feed(s) polled", "1 failed"),
    ]
    assert rows[1]["note"] == "HTTP 500" and rows[3]["note"] == "HTTP 403"
    assert (rows[-1]["new items"], rows[-1]["relevant"], rows[-1]["alerts sent"]) == (3, 1, 2)
    # one column set for every row, so the UI draws one table
    assert len({tuple(r) for r in rows}) == 1


def test_delivery_table_lists_sent_and_failed_channels() -> None:
    rows = delivery_rows({"json://***": 4}, {"mailto://***": "timeout"})
    assert [(r["name"], r["status"], r["alerts sent"]) for r in rows] == [
        ("json://***", "sent", 4),
        ("mailto://***", "failed", 0),
    ]


def test_publishing_outside_a_flow_run_is_a_no_op() -> None:
    assert publish("migwatch-poll", [{"what": "total"}], "nothing") is False
