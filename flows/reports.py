"""What a run reports: per-feed results as values (a status and a machine-readable kind beside the
human reason), the poll, replay and delivery reports, and their one-line and table renderings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from monitors.feeds.fetch import FailureKind
from monitors.models import Classification, Digest
from monitors.safetext import clean_url, one_line

Progress = Callable[[str], None]
FeedStatus = Literal["ok", "not_modified", "error"]
# Why a feed gave no items: its fetch failed (FailureKind), its body is not a feed, or it is
# backing off after failures and was not fetched this time.
FeedErrorKind = FailureKind | Literal["not_a_feed", "backing_off"]


def quiet(_message: str) -> None:
    """A progress sink that says nothing."""


def to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(slots=True)
class FeedReport:
    url: str
    status: FeedStatus
    error: str = ""  # for people
    kind: FeedErrorKind | None = None  # for code: set when status is "error"
    new_items: int = 0
    items: int = 0
    relevant: int = 0
    # items whose link the address policy refused to fetch: their link and the reason
    links_refused: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "kind": self.kind,
            "error": self.error,
            "new_items": self.new_items,
            "links_refused": [
                {"link": clean_url(link), "reason": one_line(why)} for link, why in self.links_refused
            ],
        }


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedReport] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)
    delivery_failed: dict[str, str] = field(default_factory=dict)
    delivery_uncertain: dict[str, int] = field(default_factory=dict)  # among the failed, see DeliveryReport

    @property
    def new_items(self) -> int:
        return sum(f.new_items for f in self.feeds)

    @property
    def relevant(self) -> int:
        return sum(f.relevant for f in self.feeds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feeds": [f.to_dict() for f in self.feeds],
            "new_items": self.new_items,
            "relevant": self.relevant,
        }

    def as_plain(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ReplayReport:
    documents: int = 0
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    relevant_new: int = 0


@dataclass(slots=True)
class DeliveryReport:
    delivered: dict[str, int] = field(default_factory=dict)  # label -> stories recorded
    failed: dict[str, str] = field(default_factory=dict)  # label -> reason
    skipped: dict[str, str] = field(default_factory=dict)  # label -> why it was not tried this run
    # label -> stories whose delivery is uncertain (among the failed): the next run resends them
    uncertain: dict[str, int] = field(default_factory=dict)
    resent: dict[str, int] = field(default_factory=dict)  # label -> stories resent (uncertain before)
    digest: Digest | None = None
    text: str = ""


def describe(report: FeedReport) -> str:
    if report.status == "ok":
        refused = f", {len(report.links_refused)} link(s) refused" if report.links_refused else ""
        return f"ok, {report.items} item(s), {report.new_items} new, {report.relevant} relevant{refused}"
    if report.status == "not_modified":
        return "not modified"
    return f"error: {report.error}"


def describe_classification(name: str, classification: Classification) -> str:
    verdict = "relevant" if classification.relevant else "not relevant"
    return (
        f"{name}: {verdict} (score {classification.score:.2f}), "
        f"{len(classification.crossing_figures)} crossing figure(s), "
        f"{len(classification.ministerial_visits)} ministerial visit(s)"
    )


def render_table(report: PollReport) -> str:
    """The per-feed table a text run ends with."""
    width = min(max((len(f.url) for f in report.feeds), default=10), 70)
    lines = [f"{'FEED':<{width}}  {'STATUS':<12}  {'NEW':>5}  DETAIL"]
    for feed in report.feeds:
        url = feed.url if len(feed.url) <= width else feed.url[: width - 1] + "…"
        detail = (
            one_line(feed.error)
            if feed.status == "error"
            else (f"{feed.relevant} relevant" if feed.status == "ok" else "")
        )
        lines.append(f"{url:<{width}}  {feed.status:<12}  {feed.new_items:>5}  {detail}")
    failed = sum(1 for f in report.feeds if f.status == "error")
    lines.append(
        f"{len(report.feeds)} feed(s), {failed} failed; {report.new_items} new item(s), {report.relevant} relevant."
    )
    return "\n".join(lines)
