"""Grouping items into stories: the same event told by several outlets is one story.

`assign` is the whole decision, pure: given the items to place and the items already in recent
stories, it says which stored story each item joins and which stories to open. storage/stories.py
loads the one in bulk and writes the other; flows/pipeline.py joins them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from monitors.classify.dates import as_date
from monitors.classify.visit_places import COUNTRY_NAMES

# Two reports of one event are published within this many days of each other.
MAX_DAYS_APART = 10
# Headlines this similar (rapidfuzz token-set ratio) tell the same story even without a shared visit.
TITLE_SIMILARITY = 80
# Figures below this are too common ("298 on Friday") to tie two reports together on their own.
DISTINCTIVE_FIGURE = 1000
# A visit to one of the watched countries themselves is the usual trip, not a distinctive event.
HOME_DESTINATIONS = frozenset(COUNTRY_NAMES.values())
# A new item is compared with the items of the stories seen in this window.
STORY_LOOKBACK = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class StorySignature:
    """What identifies the event an item reports."""

    title: str
    published: date | None
    visits: frozenset[tuple[str, str]]  # (minister, destination)
    figures: frozenset[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "visits": sorted([list(v) for v in self.visits]),
            "figures": sorted(self.figures),
        }


def signature(
    title: str, published: date | None, visits: Iterable[tuple[str, str]], figures: Iterable[int]
) -> StorySignature:
    """The signature of an item from its (minister, destination) visits and its crossing counts."""
    return StorySignature(
        title=title,
        published=published,
        visits=frozenset(v for v in visits if v[1] not in HOME_DESTINATIONS),
        figures=frozenset(n for n in figures if n >= DISTINCTIVE_FIGURE),
    )


@dataclass(frozen=True, slots=True)
class StoryItem:
    """An item as grouping sees it: what storage keeps of it, nothing decided yet."""

    item_id: int
    story_id: int | None
    relevant: bool
    title: str
    published: datetime | None
    visits: tuple[tuple[str, str], ...]  # (minister, destination) of each ministerial visit
    figures: tuple[int, ...]  # the count of each crossing figure

    @property
    def signature(self) -> StorySignature:
        return signature(self.title, as_date(self.published), self.visits, self.figures)


@dataclass(slots=True)
class NewStory:
    headline: str
    signature: StorySignature
    item_ids: list[int]


@dataclass(slots=True)
class Assignment:
    """The decisions of one `assign`: what storage writes."""

    joined: dict[int, int] = field(default_factory=dict)  # item id -> id of the stored story it joins
    opened: list[NewStory] = field(default_factory=list)  # stories to start, with their items


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


def assign(items: Sequence[StoryItem], members: Sequence[StoryItem]) -> Assignment:
    """Place each relevant item not yet in a story, in order: into the story of the first member
    it tells the same event as (the members of recent stories, then the items placed before it),
    else into a new story headed by its own title. Other items and members are ignored."""
    decided = Assignment()
    # the story of each candidate member: a stored story's id, or -(k + 1) for opened[k]
    known: list[tuple[int, StorySignature]] = [
        (m.story_id, m.signature) for m in members if m.relevant and m.story_id is not None
    ]
    placed: set[int] = set()
    for item in items:
        if not item.relevant or item.story_id is not None or item.item_id in placed:
            continue
        placed.add(item.item_id)
        sig = item.signature
        story = next((story for story, other in known if same_story(sig, other)), None)
        if story is None:
            decided.opened.append(NewStory(item.title, sig, [item.item_id]))
            story = -len(decided.opened)
        elif story < 0:
            decided.opened[-story - 1].item_ids.append(item.item_id)
        else:
            decided.joined[item.item_id] = story
        known.append((story, sig))
    return decided
