"""What each flow run shows in the Prefect UI: one table artifact of what happened.

The rows are built by plain functions (tested without Prefect); `publish` is the only Prefect call
and does nothing outside a flow run, so a library caller never needs a Prefect API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Row = dict[str, Any]


class FeedLine(Protocol):
    @property
    def url(self) -> str: ...
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


def poll_rows(report: PollOutcome) -> list[Row]:
    """One row per feed polled, then one per channel alerted, then the totals."""
    rows: list[Row] = [
        {
            "what": "feed",
            "name": feed.url,
            "status": feed.status,
            "new items": feed.new_items,
            "relevant": feed.relevant,
            "alerts sent": "",
            "note": feed.error,
        }
        for feed in report.feeds
    ]
    rows += delivery_rows(report.delivered, report.delivery_failed)
    rows.append(
        {
            "what": "total",
            "name": f"{len(report.feeds)} feed(s) polled",
            "status": f"{sum(f.status == 'error' for f in report.feeds)} failed",
            "new items": sum(f.new_items for f in report.feeds),
            "relevant": sum(f.relevant for f in report.feeds),
            "alerts sent": sum(report.delivered.values()),
            "note": "",
        }
    )
    return rows


def delivery_rows(delivered: Mapping[str, int], failed: Mapping[str, str]) -> list[Row]:
    """One row per channel: the stories it took, or why it failed. Labels are already masked."""
    rows: list[Row] = [
        {
            "what": "channel",
            "name": label,
            "status": "sent",
            "new items": "",
            "relevant": "",
            "alerts sent": count,
            "note": "",
        }
        for label, count in delivered.items()
    ]
    rows += [
        {
            "what": "channel",
            "name": label,
            "status": "failed",
            "new items": "",
            "relevant": "",
            "alerts sent": 0,
            "note": reason,
        }
        for label, reason in failed.items()
    ]
    return rows


def publish(key: str, rows: list[Row], description: str) -> bool:
    """Attach `rows` to the running flow run as a table artifact; False outside a flow run.

    `key` must be lowercase letters, digits and dashes (Prefect's rule); runs sharing a key form
    one history in the UI's Artifacts page.
    """
    from prefect.artifacts import create_table_artifact
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        return False
    create_table_artifact(rows, key=key, description=description)
    return True


def publish_poll(report: PollOutcome) -> bool:
    """The poll's table: feeds polled, new and relevant items, alerts sent."""
    new = sum(f.new_items for f in report.feeds)
    relevant = sum(f.relevant for f in report.feeds)
    return publish(
        "migwatch-poll",
        poll_rows(report),
        f"Poll: {len(report.feeds)} feed(s), {new} new item(s), {relevant} relevant, "
        f"{sum(report.delivered.values())} alert(s) sent",
    )


def publish_delivery(key: str, delivered: Mapping[str, int], failed: Mapping[str, str]) -> bool:
    """A digest's table: per channel, the stories it took or why it failed."""
    rows = delivery_rows(delivered, failed) or [
        {"what": "channel", "name": "(nothing to send)", "status": "", "alerts sent": 0, "note": ""}
    ]
    return publish(
        key, rows, f"Digest: {sum(delivered.values())} story(ies) sent, {len(failed)} channel(s) failed"
    )
