"""Grouping items into stories: the same event told by several outlets is one story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from monitors.classify.visits import COUNTRY_NAMES
from monitors.models import Classification

# Two reports of one event are published within this many days of each other.
MAX_DAYS_APART = 10
# Headlines this similar (rapidfuzz token-set ratio) tell the same story even without a shared visit.
TITLE_SIMILARITY = 80
# Figures below this are too common ("298 on Friday") to tie two reports together on their own.
DISTINCTIVE_FIGURE = 1000


@dataclass(frozen=True, slots=True)
class StorySignature:
    """What identifies the event an item reports."""

    title: str
    published: date | None
    visits: frozenset[tuple[str, str]]
    figures: frozenset[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "visits": sorted([list(v) for v in self.visits]),
            "figures": sorted(self.figures),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StorySignature:
        published = data.get("published")
        return cls(
            title=str(data.get("title", "")),
            published=date.fromisoformat(published) if published else None,
            visits=frozenset((str(a), str(b)) for a, b in data.get("visits", [])),
            figures=frozenset(int(n) for n in data.get("figures", [])),
        )


def signature(title: str, published: date | None, classification: Classification) -> StorySignature:
    visits = frozenset(
        (v.minister, v.destination)
        for v in classification.ministerial_visits
        if v.destination not in COUNTRY_NAMES.values()
    )
    figures = frozenset(f.count for f in classification.crossing_figures if f.count >= DISTINCTIVE_FIGURE)
    return StorySignature(title=title, published=published, visits=visits, figures=figures)


def same_story(a: StorySignature, b: StorySignature) -> bool:
    if a.published and b.published and abs((a.published - b.published).days) > MAX_DAYS_APART:
        return False
    if a.visits & b.visits:
        return True
    if a.figures & b.figures and (a.visits or b.visits) and _same_people(a, b):
        return True
    return fuzz.token_set_ratio(a.title.lower(), b.title.lower()) >= TITLE_SIMILARITY


def _same_people(a: StorySignature, b: StorySignature) -> bool:
    people_a = {minister for minister, _ in a.visits}
    people_b = {minister for minister, _ in b.visits}
    return not people_a or not people_b or bool(people_a & people_b)


def group(signatures: list[StorySignature]) -> list[list[int]]:
    """Single-link grouping of signatures; returns lists of indexes, in first-seen order."""
    groups: list[list[int]] = []
    for index, sig in enumerate(signatures):
        joined = [g for g in groups if any(same_story(sig, signatures[i]) for i in g)]
        if not joined:
            groups.append([index])
            continue
        first = joined[0]
        first.append(index)
        for other in joined[1:]:
            first.extend(other)
            groups.remove(other)
        first.sort()
    return groups
