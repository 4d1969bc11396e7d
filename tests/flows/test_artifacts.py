"""What each flow run shows in the Prefect UI, and what a text poll prints, from real poll reports."""

from __future__ import annotations

from flows.artifacts import MAX_FEED_ROWS, delivery_rows, poll_rows, publish
from flows.reports import FeedReport, PollReport, all_failed, poll_summary, render_table


def _report() -> PollReport:
    return PollReport(
        feeds=[
            FeedReport(
                "https://a.example/feed?a=1&b=2", "ok", new_items=3, items=10, relevant=1, title="A & Co"
            ),
            FeedReport("https://b.example/feed", "error", error="HTTP 500", kind="http_status"),
        ],
        delivered={"mailto://***@example.org": 2},
        delivery_failed={"slack://***": "HTTP 403"},
    )


def test_poll_table_puts_the_counts_first_then_channels_then_feeds_by_title() -> None:
    rows = poll_rows(_report())
    assert list(rows[0])[:4] == ["new items", "relevant", "alerts sent", "status"]
    assert [(r["what"], r["name"], r["status"]) for r in rows] == [
        ("total", "2 feed(s) polled", "1 failed"),
        ("channel", "mailto://\\*\\*\\*@example.org", "sent"),  # the UI reads cells as markdown
        ("channel", "slack://\\*\\*\\*", "failed"),
        ("feed", "A & Co", "ok"),
        ("feed", "-", "error"),  # known by its URL only, which the url column has
    ]
    # a link to itself, so the UI shows its `&` as `&`, not as the `&amp;` it shows in a bare URL
    assert rows[3]["url"] == "[https://a.example/feed?a=1&b=2](https://a.example/feed?a=1&b=2)"
    assert rows[2]["note"] == "HTTP 403" and rows[4]["note"] == "HTTP 500"
    assert (rows[0]["new items"], rows[0]["relevant"], rows[0]["alerts sent"]) == (3, 1, 2)
    # one column set for every row, so the UI draws one table
    assert len({tuple(r) for r in rows}) == 1


def test_a_poll_of_many_feeds_shows_the_failed_and_new_first_and_says_how_many_are_not_shown() -> None:
    feeds = [FeedReport(f"https://quiet.example/{n}", "ok") for n in range(MAX_FEED_ROWS * 3)]
    feeds[7] = FeedReport("https://new.example/feed", "ok", new_items=2, items=2)
    feeds[-1] = FeedReport("https://broken.example/feed", "error", error="HTTP 500", kind="http_status")
    rows = poll_rows(PollReport(feeds=feeds))
    shown = [r for r in rows if r["what"] == "feed"]
    assert len(shown) == MAX_FEED_ROWS
    assert shown[7]["url"].startswith("[https://new.example/feed]")  # in the order polled
    assert shown[-1]["url"].startswith("[https://broken.example/feed]")
    assert rows[0]["name"] == f"{MAX_FEED_ROWS * 3} feed(s) polled"  # the totals count every feed
    assert rows[-1]["what"] == "feeds not shown"
    assert rows[-1]["name"] == f"{MAX_FEED_ROWS * 2} more feed(s)"
    assert len({tuple(r) for r in rows}) == 1


def test_feed_text_in_the_table_cannot_format_or_link() -> None:
    evil = FeedReport(
        "https://c.example/x(1)?a=[b]",
        "error",
        error="*bold* [click](javascript:alert(1))",
        title="<b>Big</b> _news_ [x](javascript:x)",
    )
    [row] = [r for r in poll_rows(PollReport(feeds=[evil])) if r["what"] == "feed"]
    assert row["name"] == "\\<b\\>Big\\</b\\> \\_news\\_ \\[x\\](javascript:x)"
    assert row["note"] == "\\*bold\\* \\[click\\](javascript:alert(1))"
    assert row["url"] == "[https://c.example/x%281%29?a=%5Bb%5D](https://c.example/x%281%29?a=%5Bb%5D)"


def test_the_summary_says_what_was_polled_alerted_and_failed_with_feed_text_inert() -> None:
    report = _report()
    report.feeds.append(
        FeedReport("https://c.example/x", "error", error="[click](javascript:x) *now*", title="<b>C</b>")
    )
    summary = poll_summary(report)
    lines = summary.splitlines()
    assert lines[0] == "### Poll: 3 feeds · 1 ok · 2 failed"
    assert "**3 new items, 1 relevant · 2 alerts sent**" in lines
    assert (
        "**Alerts:** sent 2 stories to mailto://\\*\\*\\*@example.org · failed for slack://\\*\\*\\*: HTTP 403"
        in lines
    )
    assert "**Relevant new items:** A & Co (1)" in lines
    assert "- `https://b.example/feed`: HTTP 500" in lines  # a URL as code: no link, no escapes
    assert "- \\<b\\>C\\</b\\>: \\[click\\](javascript:x) \\*now\\*" in lines
    assert "&amp;" not in summary


def test_a_text_poll_names_each_failure_once_after_the_table() -> None:
    table = render_table(_report())
    assert table.count("HTTP 500") == 1
    assert table.splitlines()[0].split() == ["FEED", "STATUS", "NEW", "RELEVANT", "URL"]
    assert table.splitlines()[1].startswith("A & Co ")
    assert table.splitlines()[2].split()[:2] == ["-", "error"]  # known by its URL only
    assert table.splitlines()[-2:] == ["Failed:", "  https://b.example/feed: HTTP 500"]


def test_every_feed_failing_is_said_once_with_the_likely_cause() -> None:
    assert all_failed(_report()) is None  # one feed worked: not a failed cycle
    offline = PollReport(
        feeds=[
            FeedReport(
                f"https://{n}.example/rss",
                "error",
                error="cannot connect: [Errno -2] Name or service not known",
                kind="connect",
            )
            for n in "abc"
        ]
    )
    assert all_failed(offline) == (
        "all 3 feed(s) failed; no feed host name resolves: this machine has no network or no DNS"
    )
    mixed = PollReport(
        feeds=[
            FeedReport("https://a.example/rss", "error", error="HTTP 500", kind="http_status"),
            FeedReport("https://b.example/rss", "error", error="timeout", kind="timeout"),
        ]
    )
    assert all_failed(mixed) == "all 2 feed(s) failed; for different reasons: `migwatch feeds` lists each"
    assert all_failed(PollReport()) is None


def test_delivery_table_lists_sent_and_failed_channels() -> None:
    rows = delivery_rows({"json://***": 4}, {"mailto://***": "timeout"})
    assert [(r["name"], r["status"], r["alerts sent"]) for r in rows] == [
        ("json://\\*\\*\\*", "sent", 4),
        ("mailto://\\*\\*\\*", "failed", 0),
    ]


def test_publishing_outside_a_flow_run_is_a_no_op() -> None:
    assert publish("migwatch-poll", [{"what": "total"}], "nothing", "summary") is False
