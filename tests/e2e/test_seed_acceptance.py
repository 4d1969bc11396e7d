"""Per-document acceptance of the seeds (../shared/seeds/EXPECTED.md) through `migwatch classify`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from monitors.feeds.fixtures import read_fixture
from tests.conftest import ROOT, SEEDS, run_cli

EXPECTED: dict[str, Any] = json.loads((ROOT / "tests" / "fixtures" / "seeds_expected.json").read_text())
NAMES = sorted(k for k in EXPECTED if not k.startswith("_"))


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    lines = []
    for name in NAMES:
        item = read_fixture(SEEDS / name)  # the fixture reader takes the dateline as `published`
        published = item.published.isoformat() if item.published else None
        lines.append(
            json.dumps({"id": name, "title": item.title, "content": item.content, "published": published})
        )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path_factory.mktemp("home"))}
    result = run_cli(["classify", "--explain"], env, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return {a["id"]: a for a in map(json.loads, result.stdout.splitlines())}


def test_every_seed_is_answered_with_the_documented_fields(answers: dict[str, dict[str, Any]]) -> None:
    assert sorted(answers) == NAMES
    for answer in answers.values():
        assert set(answer) >= {
            "id",
            "relevant",
            "score",
            "crossing_figures",
            "ministerial_visits",
            "explanation",
        }
        assert 0.0 <= answer["score"] <= 1.0
        for figure in answer["crossing_figures"]:
            assert isinstance(figure["count"], int)


@pytest.mark.parametrize("name", NAMES)
def test_seed_relevance_figures_and_visits(name: str, answers: dict[str, dict[str, Any]]) -> None:
    expected, answer = EXPECTED[name], answers[name]
    assert answer["relevant"] is expected["relevant"]
    counts = {f["count"] for f in answer["crossing_figures"]}
    assert set(expected["figures_required"]) <= counts
    assert not counts & set(expected["figures_forbidden"])
    assert counts <= set(expected["figures_required"]) | set(expected["figures_allowed"])
    for wanted in expected["visits"]:
        matches = [
            v
            for v in answer["ministerial_visits"]
            if v["minister"] == wanted["minister"] and v["destination"] == wanted["destination"]
        ]
        assert matches, f"{name}: no visit {wanted} in {answer['ministerial_visits']}"
        for key in ("counterpart", "status", "date"):
            if key in wanted:
                assert matches[0][key] == wanted[key], (key, matches[0])
    for visit in answer["ministerial_visits"]:
        # never a visit: London meetings without an Italian minister, the UK–Germany plan
        assert visit["destination"] not in ("London", "Berlin")


def test_lbc_clutter_is_not_read_as_figures(answers: dict[str, dict[str, Any]]) -> None:
    sentences = " ".join(f["sentence"] for f in answers["000_766cb3b35703788d.txt"]["crossing_figures"])
    assert "aged 70" not in sentences and "100,000 issued" not in sentences


def test_misspelled_counterpart_is_matched_and_explained(answers: dict[str, dict[str, Any]]) -> None:
    rules = answers["001_a5af32987e694b65.txt"]["explanation"]
    fuzzy = [r for r in rules if r["rule"] == "fuzzy_name"]
    assert fuzzy and "Piandetosi" in fuzzy[0]["match"]


def test_each_figure_found_or_rejected_is_explained(answers: dict[str, dict[str, Any]]) -> None:
    rules = answers["000_766cb3b35703788d.txt"]["explanation"]
    found = [r["match"] for r in rules if r["rule"] == "figure_found"]
    rejected = [r["match"] for r in rules if r["rule"] == "figure_rejected"]
    assert any(m.startswith("34500 (channel, year_to_date)") for m in found), found
    assert any(m.startswith("609 (channel, day)") for m in found), found
    assert "19: a percentage" in rejected, rejected
