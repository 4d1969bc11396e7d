"""The topic is data: editing a copy of the topic file changes what the classifier does, with no
code change, and a broken topic file is a ConfigError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitors.classify.classifier import classify
from monitors.classify.topic import DEFAULT_TOPIC, load_topic
from monitors.errors import ConfigError
from monitors.models import FeedItem

ROME_TALKS = FeedItem(
    id="rome-talks",
    title="Home Secretary meets Italian counterpart in Rome",
    summary="Yvette Cooper met Matteo Piantedosi in Rome for talks on irregular migration, and said more "
    "than 30,000 people had crossed the Channel in small boats so far this year.",
)
# On topic only if "hotspot" counts as a migration term: no other term is in it.
HOTSPOT = FeedItem(
    id="hotspot",
    title="Cleverly tours Lampedusa hotspot with Piantedosi",
    summary="James Cleverly toured the hotspot on Lampedusa with Matteo Piantedosi.",
)


def _copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    text = DEFAULT_TOPIC.read_text(encoding="utf-8")
    if edit is not None:
        old, new = edit
        assert re.search(old, text, re.MULTILINE), f"the topic file no longer has {old!r}"
        text = re.sub(old, new, text, count=1, flags=re.MULTILINE)
    path = tmp_path / "topic.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unchanged_copy_behaves_like_the_built_in_topic(tmp_path: Path) -> None:
    copy = classify(load_topic(_copy(tmp_path)), ROME_TALKS)
    built_in = classify(load_topic(), ROME_TALKS)
    assert copy.to_dict() == built_in.to_dict()
    assert copy.relevant


def test_raising_the_threshold_makes_an_item_irrelevant(tmp_path: Path) -> None:
    topic = load_topic(_copy(tmp_path, (r"^relevant = [0-9.]+", "relevant = 0.99")))
    result = classify(topic, ROME_TALKS)
    assert not result.relevant
    assert result.ministerial_visits == ()  # a visit is reported only on a relevant item


def test_a_negative_term_added_to_the_file_lowers_the_score(tmp_path: Path) -> None:
    before = classify(load_topic(), ROME_TALKS).score
    topic = load_topic(
        _copy(tmp_path, (r'^  "net migration", ', '  "irregular migration", "net migration", '))
    )
    after = classify(topic, ROME_TALKS)
    assert after.score < before
    assert any(h.rule == "negative" and h.match == "irregular migration" for h in after.rules)


def test_removing_a_migration_term_drops_an_item_it_alone_made_relevant(tmp_path: Path) -> None:
    assert classify(load_topic(), HOTSPOT).relevant
    topic = load_topic(_copy(tmp_path, (r'"hotspot", ', "")))
    result = classify(topic, HOTSPOT)
    assert not result.relevant
    assert any(
        h.rule in ("first_pass", "required_combination") and "migration term" in h.match for h in result.rules
    )


def test_a_weight_changes_the_score(tmp_path: Path) -> None:
    before = classify(load_topic(), ROME_TALKS).score
    topic = load_topic(_copy(tmp_path, (r"^named_pair = [0-9.]+", "named_pair = 3.0")))
    assert classify(topic, ROME_TALKS).score > before


def test_a_new_place_in_the_gazetteer_becomes_a_visit_destination(tmp_path: Path) -> None:
    item = FeedItem(
        id="aosta",
        title="Cooper in Aosta for migration talks",
        summary="Yvette Cooper met Matteo Piantedosi in Aosta for talks on irregular migration.",
    )
    assert [v.destination for v in classify(load_topic(), item).ministerial_visits] == []
    place = '[[places]]\nname = "Aosta"\ncountry = "it"\naliases = ["Aosta"]\n\n[[places]]\nname = "Italy"'
    topic = load_topic(_copy(tmp_path, (r'^\[\[places\]\]\nname = "Italy"', place)))
    assert [v.destination for v in classify(topic, item).ministerial_visits] == ["Aosta"]


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (r"^\[thresholds\]", "[thresholds", "not valid TOML"),
        (r"^relevant = [0-9.]+", "", r"thresholds\.relevant: missing or malformed"),
        (r"^relevant = [0-9.]+", 'relevant = "high"', r"thresholds\.relevant: missing or malformed"),
        (r'^  "net migration", ', '  "(unclosed", ', r"negative\[0\]\.terms: bad pattern"),
        (
            r'^aliases = \["Rome", "Roma"[^\]]*\]',
            "aliases = 7",
            r"places\[Rome\]\.aliases: must be a list of strings",
        ),
        (
            r'^country = "it"\naliases = \["Rome"',
            'country = "Italy"\naliases = ["Rome"',
            r"places\[Rome\]\.country",
        ),
        (r"^fuzzy_name = ", "fuzzy_nmae = ", r"thresholds\.fuzzy_nmae: unknown key"),
        (
            r'^id = "matteo-piantedosi"\nname = "Matteo Piantedosi"',
            'id = "matteo-piantedosi"',
            r"people\[matteo-piantedosi\]\.name",
        ),
        (r"^lampedusa = \[", "lampedusa_island = [", r"routes\.lampedusa_island"),
    ],
)
def test_a_malformed_topic_file_is_a_config_error_naming_the_field(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        load_topic(_copy(tmp_path, (old, new)))


def test_the_first_pass_words_are_topic_data(tmp_path: Path) -> None:
    """The generic words are read from the file; dropping them changes speed only, never a verdict."""
    topic = load_topic(_copy(tmp_path, (r"^generic_words = \[[^\]]*\]", 'generic_words = ["the"]')))
    assert "yvette" in load_topic().generic_words and "yvette" not in topic.generic_words
    assert classify(topic, ROME_TALKS).to_dict() == classify(load_topic(), ROME_TALKS).to_dict()


def test_a_missing_topic_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_topic(tmp_path / "nowhere.toml")


def test_term_lists_compile_to_prefix_trees_that_match_the_same_words() -> None:
    from monitors.classify.patterns import alternatives, words_pattern

    terms = ["migrations?", "asylum seekers?", "(?:il|la) premier", "sbarc\\w*", "No\\ 10", "small-boat"]
    pattern = words_pattern(terms, ignore_case=True)
    text = "Migration and asylum seekers: la premier spoke at No 10 about sbarchi and small-boat routes"
    assert [m.group(0) for m in pattern.finditer(text)] == [
        "Migration",
        "asylum seekers",
        "la premier",
        "No 10",
        "sbarchi",
        "small-boat",
    ]
    assert pattern.search("migrationsx") is None and pattern.search("asylum seekerss") is None
    assert alternatives(pattern.pattern) == terms  # the first pass still looks each term up
