"""What each flow run shows in the Prefect UI: a table artifact of what happened, and for a poll a
short markdown summary (flows/reports.py) that reads at a glance.

The rows are built by plain functions (tested without Prefect); `publish` is the only Prefect call
and does nothing outside a flow run, so a library caller never needs a Prefect API.

The Prefect UI reads every table cell as markdown: a feed's text is escaped (`md`), or `*`, `[..](..)`
and `<b>` in a title would format or link, and a URL is written as a markdown link, since one left
bare is linked by the UI with its `&` shown as `&amp;`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from flows.reports import PollReport, md, poll_summary
from monitors.safetext import clean_url

Row = dict[str, Any]


class FeedLine(Protocol):
    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str: ...
    @property
    def new_items(self) -> int: ...
    @property
    def relevant(self) -> int: ...


class PollOutcome(Protocol):
    @property
    def feeds(self) -> Sequence[FeedLine]: ...
    @property
    def delivered(self) -> Mapping[str, int]: ...
    @property
    def delivery_failed(self) -> Mapping[str, str]: ...


_LINK_UNSAFE = str.maketrans({c: f"%{ord(c):02X}" for c in "[]()<>`*\\"})


def md_link(url: str) -> str:
    """A URL as a markdown link to itself, with what would end or format the link %-encoded."""
    safe = (clean_url(url) or "").translate(_LINK_UNSAFE)
    return f"[{safe}]({safe})" if safe else ""


def _row(
    what: str, name: str, status: str, new: Any = "", relevant: Any = "", sent: Any = "", **more: Any
) -> Row:
    """One row; the counts and the status come first, so the UI shows them without scrolling sideways.
    Text cells are markdown-escaped here, the URL made a link."""
    row: Row = {"new items": new, "relevant": relevant, "alerts sent": sent, "status": status}
    row.update(what=what, name=md(name), note=md(more.get("note", "")), url=md_link(more.get("url", "")))
    return row


# Feed rows in a poll's table, at most: the table of a poll of 20,000 feeds was 5.5 MB, kept by
# Prefect for every run (every 15 minutes under `serve`).
MAX_FEED_ROWS = 500


def _feeds_shown(feeds: Sequence[FeedLine]) -> list[FeedLine]:
    """Every feed while there are at most MAX_FEED_ROWS; else that many, those that failed or
    brought new items first, in the order polled."""
    if len(feeds) <= MAX_FEED_ROWS:
        return list(feeds)
    notable = [number for number, f in enumerate(feeds) if f.status == "error" or f.new_items]
    others = [number for number, f in enumerate(feeds) if not (f.status == "error" or f.new_items)]
    return [feeds[number] for number in sorted((notable + others)[:MAX_FEED_ROWS])]


def poll_rows(report: PollOutcome) -> list[Row]:
    """The totals, then one row per channel alerted, then one per feed polled, named by its title
    (`-` while it has none: its URL is in the url column); past MAX_FEED_ROWS feeds, a last row
    says how many are not shown."""
    failed = sum(f.status == "error" for f in report.feeds)
    rows = [
        _row(
            "total",
            f"{len(report.feeds)} feed(s) polled",
            f"{failed} failed",
            sum(f.new_items for f in report.feeds),
            sum(f.relevant for f in report.feeds),
            sum(report.delivered.values()),
        )
    ]
    rows += delivery_rows(report.delivered, report.delivery_failed)
    shown = _feeds_shown(report.feeds)
    rows += [
        _row("feed", f.title or "-", f.status, f.new_items, f.relevant, note=f.error, url=f.url)
        for f in shown
    ]
    if len(shown) < len(report.feeds):
        hidden = len(report.feeds) - len(shown)
        note = f"the table shows {len(shown)} feeds, failed ones and those with new items first"
        rows.append(
            _row("feeds not shown", f"{hidden} more feed(s)", "", note=note + "; `migwatch feeds` lists all")
        )
    return rows


def delivery_rows(delivered: Mapping[str, int], failed: Mapping[str, str]) -> list[Row]:
    """One row per channel: the stories it took, or why it failed. Labels are already masked."""
    rows = [_row("channel", label, "sent", sent=count) for label, count in delivered.items()]
    rows += [_row("channel", label, "failed", sent=0, note=reason) for label, reason in failed.items()]
    return rows


def publish(key: str, rows: list[Row], description: str, summary: str | None = None) -> bool:
    """Attach `rows` to the running flow run as a table artifact, and `summary` (markdown) as a
    second one keyed `{key}-summary`; False outside a flow run.

    `key` must be lowercase letters, digits and dashes (Prefect's rule); runs sharing a key form
    one history in the UI's Artifacts page.
    """
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        return False
    if summary is not None:
        create_markdown_artifact(summary, key=f"{key}-summary", description=description)
    create_table_artifact(rows, key=key, description=description)
    return True


def publish_poll(report: PollReport) -> bool:
    """The poll's table: feeds polled, new and relevant items, alerts sent."""
    new = sum(f.new_items for f in report.feeds)
    relevant = sum(f.relevant for f in report.feeds)
    return publish(
        "migwatch-poll",
        poll_rows(report),
        f"Poll: {len(report.feeds)} feed(s), {new} new item(s), {relevant} relevant, "
        f"{sum(report.delivered.values())} alert(s) sent",
        poll_summary(report),
    )


def publish_delivery(key: str, delivered: Mapping[str, int], failed: Mapping[str, str]) -> bool:
    """A digest's table: per channel, the stories it took or why it failed."""
    rows = delivery_rows(delivered, failed) or [_row("channel", "(nothing to send)", "", sent=0)]
    return publish(
        key, rows, f"Digest: {sum(delivered.values())} story(ies) sent, {len(failed)} channel(s) failed"
    )
