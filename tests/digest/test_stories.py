"""The pure grouping decision: which story each item joins, which stories open."""

from __future__ import annotations

from datetime import UTC, datetime

from monitors.digest.stories import StoryItem, assign, signature

DAY = datetime(2025, 6, 2, tzinfo=UTC)


def _item(
    item_id: int,
    title: str,
    *,
    story_id: int | None = None,
    relevant: bool = True,
    visits: tuple[tuple[str, str], ...] = (),
    figures: tuple[int, ...] = (),
    published: datetime | None = DAY,
) -> StoryItem:
    return StoryItem(item_id, story_id, relevant, title, published, visits, figures)


def test_an_item_telling_a_stored_story_again_joins_it() -> None:
    stored = _item(1, "Cooper meets Piantedosi in Rome on small boats", story_id=7)
    decided = assign([_item(2, "Cooper meets Piantedosi in Rome on small boats, says Home Office")], [stored])
    assert decided.joined == {2: 7} and decided.opened == []


def test_items_of_one_new_event_open_one_story_headed_by_the_first() -> None:
    visit = (("Yvette Cooper", "Tirana"),)
    items = [
        _item(1, "Home Secretary flies to Albania", visits=visit),
        _item(2, "Cooper in Tirana for talks on returns", visits=visit),
        _item(3, "Flooding closes roads in Cumbria"),
    ]
    decided = assign(items, [])
    assert [(s.headline, s.item_ids) for s in decided.opened] == [
        ("Home Secretary flies to Albania", [1, 2]),
        ("Flooding closes roads in Cumbria", [3]),
    ]


def test_irrelevant_and_already_placed_items_are_left_alone() -> None:
    items = [
        _item(1, "Weather", relevant=False),
        _item(2, "Budget", story_id=3),
        _item(4, "Talks"),
        _item(4, "Talks"),
    ]
    decided = assign(items, [_item(9, "Old", story_id=5, relevant=False)])
    assert decided.joined == {} and [s.item_ids for s in decided.opened] == [[4]]


def test_reports_far_apart_in_time_are_different_stories() -> None:
    later = datetime(2025, 7, 2, tzinfo=UTC)
    title = "Cooper meets Piantedosi in Rome on small boats"
    decided = assign([_item(2, title, published=later)], [_item(1, title, story_id=7)])
    assert decided.joined == {} and len(decided.opened) == 1


def test_a_visit_home_and_a_common_figure_tie_nothing() -> None:
    sig = signature("t", None, [("Yvette Cooper", "United Kingdom"), ("Yvette Cooper", "Rome")], [298, 1200])
    assert sig.visits == frozenset({("Yvette Cooper", "Rome")}) and sig.figures == frozenset({1200})
