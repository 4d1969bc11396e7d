"""Data-driven classifier cases: each tests/fixtures/classify/*.json states an item and what the
classifier must say about it (relevance, crossing figures, ministerial visits, fuzzy name matches).
A key left out of `expect` is not checked."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.models import FeedItem

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "classify"


def _cases() -> list[Any]:
    found = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        found.append(pytest.param(case, id=case["id"]))
    return found


def test_cases_cover_both_languages_and_the_traps() -> None:
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in CASES.glob("*.json")]
    assert {c["lang"] for c in cases} == {"en", "it"}
    ids = " ".join(c["id"] for c in cases)
    for trap in ("percent", "age", "net_migration", "swims", "belarus", "pianteda", "melani", "piandetosi"):
        assert trap in ids


@pytest.mark.parametrize("case", _cases())
def test_classify_case(case: dict[str, Any]) -> None:
    published = case.get("published")
    item = FeedItem(
        id=case["id"],
        title=case["title"],
        summary=case.get("summary", ""),
        content=case.get("content", ""),
        published=datetime.fromisoformat(published) if published else None,
    )
    result = classify(load_topic(), item)
    expect = case["expect"]
    explained = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    if "relevant" in expect:
        assert result.relevant is expect["relevant"], explained
    if "figures" in expect:
        assert sorted({f.count for f in result.crossing_figures}) == sorted(expect["figures"]), explained
    if "figure_periods" in expect:
        # [count, period, reference date or null]: a figure carries the period and day it refers to
        got_periods = sorted(
            ([f.count, f.period, f.as_of.isoformat() if f.as_of else None] for f in result.crossing_figures),
            key=str,
        )
        assert got_periods == sorted(expect["figure_periods"], key=str), explained
    if "figure_years" in expect:
        # [count, year]: the year a count refers to, also for an undated item
        got_years = sorted([f.count, f.year] for f in result.crossing_figures)
        assert got_years == sorted(expect["figure_years"]), explained
    if "visits" in expect:
        got = {(v.minister, v.destination, v.status) for v in result.ministerial_visits}
        wanted = {(v["minister"], v["destination"], v["status"]) for v in expect["visits"]}
        assert got == wanted, explained
        counterparts = {(v.minister, v.destination): v.counterpart for v in result.ministerial_visits}
        for visit in expect["visits"]:
            if "counterpart" in visit:
                assert counterparts[(visit["minister"], visit["destination"])] == visit["counterpart"], (
                    explained
                )
    if "fuzzy" in expect:
        fuzzy = sorted(hit.match.split(" ~ ")[0] for hit in result.rules if hit.rule == "fuzzy_name")
        assert fuzzy == sorted(expect["fuzzy"]), explained


def test_explanation_says_which_rules_fired_and_where() -> None:
    item = FeedItem(
        id="where",
        title="Cooper meets Piantedosi in Rome on small boats",
        summary="The talks covered people smuggling. Yvette Cooper met Matteo Piantedosi at the Viminale "
        "to discuss irregular migration.",
    )
    result = classify(load_topic(), item)
    where = {(hit.rule, hit.where) for hit in result.rules}
    assert ("sentence_cooccurrence", "title") in where
    assert ("sentence_cooccurrence", "sentence 2") in where
    assert ("visit_found", "title") in where
    assert result.to_dict()["rules"] == [hit.to_dict() for hit in result.rules]


def test_an_item_turned_away_by_the_first_pass_says_what_it_lacks() -> None:
    item = FeedItem(id="apple", title="Apple unveils new iPhone", summary="Sales in China are a key test.")
    result = classify(load_topic(), item)
    assert not result.relevant
    assert [(h.rule, h.match) for h in result.rules] == [("first_pass", "missing: Italian actor")]
