"""What a run reports: per-feed results as values (a status and a machine-readable kind beside the
human reason), the poll, replay and delivery reports, and their one-line and table renderings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from monitors.feeds.fetch import FailureKind, FeedFailed, FeedNotModified, FetchResult
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


def feed_name(url: str, title: str | None) -> str:
    """A feed as people know it: its title, else its URL (made safe to show either way)."""
    return (one_line(title) if title else "") or clean_url(url) or ""


FETCH_WORDS: dict[str, str] = {
    "bad_url": "bad URL",
    "redirect": "bad redirect",
    "http_status": "HTTP error",
    "too_large": "too large",
    "bad_encoding": "bad compression",
    "timeout": "timed out",
    "connect": "cannot connect",
    "tls": "TLS error",
    "protocol": "broken response",
    "not_fetched": "not fetched",
    "refused": "address refused",
}


def describe_fetch(result: FetchResult | None) -> str:
    """A feed's progress line once fetched: short, the failure's reason being the table's to show."""
    if result is None:
        return "backing off, not fetched"
    if isinstance(result, FeedNotModified):
        return "not modified"
    if isinstance(result, FeedFailed):
        return f"failed ({FETCH_WORDS.get(result.kind, result.kind)})"
    return f"fetched, {max(1, round(len(result.body) / 1024))} KB"


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
    title: str | None = None  # from the feeds file, else the feed's own
    # items with fields of the wrong type, read as absent (a JSON Feed's): the item and the reason
    fields_ignored: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return feed_name(self.url, self.title)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "status": self.status,
            "kind": self.kind,
            "error": self.error,
            "new_items": self.new_items,
            "links_refused": [
                {"link": clean_url(link), "reason": one_line(why)} for link, why in self.links_refused
            ],
            "fields_ignored": [
                {"item": one_line(item), "reason": one_line(why)} for item, why in self.fields_ignored
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


def describe_classification(name: str, classification: Classification) -> str:
    verdict = "relevant" if classification.relevant else "not relevant"
    return (
        f"{name}: {verdict} (score {classification.score:.2f}), "
        f"{len(classification.crossing_figures)} crossing figure(s), "
        f"{len(classification.ministerial_visits)} ministerial visit(s)"
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(report: PollReport) -> str:
    """The per-feed table a text run ends with, then each failure's reason (said only here)."""
    titles = [one_line(f.title) if f.title else "-" for f in report.feeds]  # "-": known by URL only
    width = min(max((len(t) for t in titles), default=10), 40)
    lines = [f"{'FEED':<{width}}  {'STATUS':<12}  {'NEW':>5}  {'RELEVANT':>8}  URL"]
    for feed, title in zip(report.feeds, titles, strict=True):
        lines.append(
            f"{_cut(title, width):<{width}}  {feed.status:<12}  {feed.new_items:>5}  "
            f"{feed.relevant:>8}  {clean_url(feed.url)}"
        )
    failed = [f for f in report.feeds if f.status == "error"]
    lines.append(
        f"{len(report.feeds)} feed(s), {len(failed)} failed; {report.new_items} new item(s), "
        f"{report.relevant} relevant."
    )
    if failed:
        lines += ["", "Failed:"]
        lines += [f"  {feed.name}: {one_line(feed.error)}" for feed in failed]
    lines += _per_feed(
        "Article links not fetched (the address policy refused them):",
        [(feed, feed.links_refused) for feed in report.feeds],
        "link(s)",
    )
    lines += _per_feed(
        "Fields of the wrong type, read as absent (the rest of each item is kept):",
        [(feed, feed.fields_ignored) for feed in report.feeds],
        "item(s)",
    )
    return "\n".join(lines)


def _per_feed(heading: str, notes: list[tuple[FeedReport, list[tuple[str, str]]]], what: str) -> list[str]:
    """A section after the table: each feed that has notes of one kind, how many and the first's reason."""
    noted = [(feed, reasons) for feed, reasons in notes if reasons]
    if not noted:
        return []
    return ["", heading] + [
        f"  {feed.name}: {len(reasons)} {what}, e.g. {one_line(reasons[0][1])}" for feed, reasons in noted
    ]


# What most failures of one kind, on every feed at once, most likely mean.
_CAUSES: dict[str, str] = {
    "dns": "no feed host name resolves: this machine has no network or no DNS",
    "connect": "no feed host accepts a connection: no network, or a firewall or proxy in the way",
    "timeout": "every fetch timed out: the network is down or very slow",
    "tls": "TLS fails everywhere: a proxy intercepting HTTPS, or missing CA certificates",
    "http_status": "the servers answer with HTTP errors: check the feed URLs",
    "not_a_feed": "the URLs answer, but not with feeds: check the feeds file",
    "backing_off": "every feed is backing off after earlier failures: `migwatch feeds` shows when each is next tried",
}
_DNS_WORDS = ("name or service not known", "name resolution", "nodename nor servname", "getaddrinfo")


def all_failed(report: PollReport) -> str | None:
    """When every feed of the cycle failed, one line saying so with the likely cause; else None."""
    if not report.feeds or any(f.status != "error" for f in report.feeds):
        return None
    kinds: dict[str, int] = {}
    for feed in report.feeds:
        kind = str(feed.kind or "")
        if kind == "connect" and any(word in feed.error.lower() for word in _DNS_WORDS):
            kind = "dns"
        kinds[kind] = kinds.get(kind, 0) + 1
    common, count = max(kinds.items(), key=lambda pair: pair[1])
    cause = _CAUSES.get(common) if count * 2 > len(report.feeds) else None
    return (
        f"all {len(report.feeds)} feed(s) failed; "
        f"{cause or 'for different reasons: `migwatch feeds` lists each'}"
    )


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|~!"})
SUMMARY_FAILURES = 10  # failed feeds the summary names; the table has every one


def md(text: str) -> str:
    """Feed text inert in markdown: on one line, every mark that could format, link or embed escaped."""
    return one_line(text).translate(_MARKDOWN)


def md_feed(feed: FeedReport) -> str:
    """A feed in markdown: its title, escaped, else its URL as code (a renderer would make a bare
    URL a link and show the escapes inside it)."""
    if feed.title and one_line(feed.title):
        return md(feed.title)
    return "`" + (clean_url(feed.url) or "").replace("`", "%60") + "`"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def poll_summary(report: PollReport) -> str:
    """The poll at a glance, as markdown: what was polled, what alerted, what failed."""
    failed = [f for f in report.feeds if f.status == "error"]
    ok = len(report.feeds) - len(failed)
    lines = [
        f"### Poll: {_plural(len(report.feeds), 'feed')} · {ok} ok · {len(failed)} failed",
        "",
        f"**{_plural(report.new_items, 'new item')}, {report.relevant} relevant · "
        f"{_plural(sum(report.delivered.values()), 'alert')} sent**",
    ]
    everything = all_failed(report)
    if everything:
        lines += ["", f"**{md(everything[0].upper() + everything[1:])}**"]
    alerts = [
        f"sent {_plural(n, 'story', 'stories')} to {md(label)}" for label, n in report.delivered.items()
    ]
    alerts += [f"failed for {md(label)}: {md(reason)}" for label, reason in report.delivery_failed.items()]
    if alerts:
        lines += ["", "**Alerts:** " + " · ".join(alerts)]
    relevant = [f"{md_feed(f)} ({f.relevant})" for f in report.feeds if f.relevant]
    if relevant:
        lines += ["", "**Relevant new items:** " + ", ".join(relevant)]
    if failed:
        lines += ["", "**Failed feeds:**", ""]
        lines += [f"- {md_feed(f)}: {md(f.error)}" for f in failed[:SUMMARY_FAILURES]]
        if len(failed) > SUMMARY_FAILURES:
            lines.append(f"- … and {len(failed) - SUMMARY_FAILURES} more (see the table)")
    return "\n".join(lines) + "\n"
