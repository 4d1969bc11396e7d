"""Values that flow through the pipeline: items in, classifications and digests out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Route = Literal["channel", "mediterranean", "lampedusa", "italy", "other"]
Period = Literal["day", "week", "month", "year_to_date", "year"]
VisitStatus = Literal["done", "planned"]


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One article as read from a feed or a fixture document."""

    id: str
    title: str
    summary: str = ""
    content: str = ""
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    link_refused: str | None = None  # why the item's link is not there to follow, when it was written
    ignored: str | None = None  # the fields read as absent because of their type (a JSON Feed's)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One piece of evidence: which rule fired, on what text, where, with what weight."""

    rule: str
    match: str
    where: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CrossingFigure:
    count: int
    route: Route
    period: Period | None
    as_of: date | None
    change: str | None
    sentence: str
    year: int | None = None  # the calendar year the count refers to, also when no day is known

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data


@dataclass(frozen=True, slots=True)
class MinisterialVisit:
    minister: str
    role: str
    from_country: str
    destination: str
    destination_country: str
    counterpart: str | None
    date: date | None
    status: VisitStatus
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("from_country")
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass(frozen=True, slots=True)
class Classification:
    relevant: bool
    score: float
    rules: tuple[RuleHit, ...] = ()
    crossing_figures: tuple[CrossingFigure, ...] = ()
    ministerial_visits: tuple[MinisterialVisit, ...] = ()
    language: str = "en"

    @property
    def alerting(self) -> bool:
        return self.relevant and bool(self.crossing_figures or self.ministerial_visits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "relevant": self.relevant,
            "score": round(self.score, 3),
            "language": self.language,
            "rules": [hit.to_dict() for hit in self.rules],
            "crossing_figures": [f.to_dict() for f in self.crossing_figures],
            "ministerial_visits": [v.to_dict() for v in self.ministerial_visits],
        }


@dataclass(frozen=True, slots=True)
class ArticleRef:
    title: str
    source: str | None
    url: str | None
    published: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(slots=True)
class DigestStory:
    story_id: int
    headline: str
    articles: list[ArticleRef] = field(default_factory=list)
    crossing_figures: list[dict[str, Any]] = field(default_factory=list)
    ministerial_visits: list[dict[str, Any]] = field(default_factory=list)
    why: str = ""
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.story_id,
            "headline": self.headline,
            "why": self.why,
            "articles": [a.to_dict() for a in self.articles],
            "crossing_figures": self.crossing_figures,
            "ministerial_visits": self.ministerial_visits,
        }


@dataclass(slots=True)
class Digest:
    stories: list[DigestStory]
    generated_at: datetime

    @property
    def figure_count(self) -> int:
        return sum(len(s.crossing_figures) for s in self.stories)

    @property
    def visit_count(self) -> int:
        return sum(len(s.ministerial_visits) for s in self.stories)

    @property
    def summary_line(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        return " · ".join(
            [
                plural(len(self.stories), "story").replace("storys", "stories"),
                plural(self.figure_count, "crossing figure"),
                plural(self.visit_count, "ministerial visit"),
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "summary": self.summary_line,
            "stories": [s.to_dict() for s in self.stories],
        }
