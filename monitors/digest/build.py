"""Stories -> Digest: what a reader needs from each story, figures and visits deduplicated."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from monitors.models import ArticleRef, Digest, DigestStory
from monitors.safetext import clean_url, clean_values, one_line


class ArticleLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def first_seen(self) -> datetime: ...
    @property
    def relevant(self) -> bool: ...
    @property
    def crossing_figures(self) -> list[dict[str, Any]]: ...
    @property
    def ministerial_visits(self) -> list[dict[str, Any]]: ...


class StoryLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def headline(self) -> str: ...
    @property
    def first_seen(self) -> datetime: ...
    @property
    def last_seen(self) -> datetime: ...
    @property
    def articles(self) -> Sequence[ArticleLike]: ...


def _figure_key(figure: dict[str, Any]) -> tuple[Any, ...]:
    return (figure.get("count"), figure.get("route"), figure.get("period"))


def _visit_key(visit: dict[str, Any]) -> tuple[Any, ...]:
    return (visit.get("minister"), visit.get("destination"))


_COUNTRIES = ("Italy", "United Kingdom")


def _towns_over_countries(visits: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A trip "to Italy" told by one report and "to Rome" by another is the trip to Rome."""
    listed = list(visits)
    placed = {
        (v.get("minister"), v.get("destination_country"))
        for v in listed
        if v.get("destination") not in _COUNTRIES
    }
    return [
        v
        for v in listed
        if v.get("destination") not in _COUNTRIES
        or (v.get("minister"), v.get("destination_country")) not in placed
    ]


def _periods_over_none(
    figures: dict[tuple[Any, ...], dict[str, Any]],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """A count one report gives with its period and another (a headline) without is one figure."""
    with_period = {(f.get("count"), f.get("route")) for f in figures.values() if f.get("period")}
    return {
        key: f
        for key, f in figures.items()
        if f.get("period") or (f.get("count"), f.get("route")) not in with_period
    }


def build_story(story: StoryLike) -> DigestStory:
    figures: dict[tuple[Any, ...], dict[str, Any]] = {}
    visits: dict[tuple[Any, ...], dict[str, Any]] = {}
    articles: list[ArticleRef] = []
    for article in story.articles:
        # feed text is made safe here, once, for every renderer (monitors/safetext.py)
        source = one_line(article.source) if article.source else None
        articles.append(
            ArticleRef(one_line(article.title), source, clean_url(article.url), article.published)
        )
        if not article.relevant:
            continue
        for figure in clean_values(article.crossing_figures):
            figures.setdefault(_figure_key(figure), figure)
        for visit in clean_values(article.ministerial_visits):
            known = visits.get(_visit_key(visit))
            if known is None:
                visits[_visit_key(visit)] = dict(visit)
            else:
                # a later report may say the planned visit happened, or give the date
                if visit.get("status") == "done":
                    known["status"] = "done"
                for key in ("date", "counterpart"):
                    known[key] = known.get(key) or visit.get(key)
    ordered_visits = sorted(
        _towns_over_countries(visits.values()), key=lambda v: v.get("destination") in _COUNTRIES
    )
    figures = _periods_over_none(figures)
    reasons = []
    if ordered_visits:
        first = ordered_visits[0]
        reasons.append(f"{first['minister']} ({first.get('role') or 'minister'}) in {first['destination']}")
    if figures:
        reasons.append(f"{len(figures)} crossing figure{'s' if len(figures) != 1 else ''} reported")
    return DigestStory(
        story_id=story.id,
        headline=one_line(story.headline),
        articles=articles,
        crossing_figures=list(figures.values()),
        ministerial_visits=ordered_visits,
        why="; ".join(reasons),
        first_seen=min((a.first_seen for a in story.articles), default=story.first_seen),
        last_seen=max((a.first_seen for a in story.articles), default=story.last_seen),
    )


ALL_SIGNALS = frozenset({"crossing_figures", "ministerial_visits"})


def alerts(story: DigestStory, signals: Collection[str] = ALL_SIGNALS) -> bool:
    """Whether a story carries a signal the topic alerts on (`[alerts] signals` in the topic file)."""
    return ("crossing_figures" in signals and bool(story.crossing_figures)) or (
        "ministerial_visits" in signals and bool(story.ministerial_visits)
    )


def build_digest(
    stories: Sequence[StoryLike], now: datetime | None = None, signals: Collection[str] = ALL_SIGNALS
) -> Digest:
    """The stories that alert, each with everything it reports (also signals that did not alert)."""
    built = [build_story(s) for s in stories]
    return Digest(stories=[s for s in built if alerts(s, signals)], generated_at=now or datetime.now(UTC))
