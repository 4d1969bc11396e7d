"""migwatch's parser against the test suites of five other feed parsers (../shared/corpus/peers:
feedparser, lemon24/reader, gofeed, feed-rs, the W3C feed validator), read in place.

For every input file of every suite: no exception escapes; no entry that the suite's expectation
or feedparser's reading has (one with a title, text, link or id) is lost; title, link, id,
published date and text equal the suite's expectation after normalising whitespace and entities
(tests/feeds/peer_compare.py). Each deliberate difference is listed, with its reason, in
tests/feeds/peer_differences.toml; a listed difference that no longer happens fails too.
One test per folder of a suite, so a failure names the folder and lists every file in it.
"""

from __future__ import annotations

import collections
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.feeds.peer_compare import Mismatch, compare
from tests.feeds.peer_expectations import PEERS, input_files, load

DIFFERENCES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).with_name("peer_differences.toml")).read_text()
)["difference"]
FILES = input_files() if PEERS.is_dir() else []
GROUPS: dict[str, list[Path]] = collections.defaultdict(list)
for _path in FILES:
    GROUPS[_path.parent.relative_to(PEERS).as_posix()].append(_path)


def _listed(name: str, field: str) -> bool:
    return any(
        field in d["fields"] and any(fnmatchcase(name, pattern) for pattern in d["files"])
        for d in DIFFERENCES
    )


def test_the_peer_suites_are_there() -> None:
    suites = collections.Counter(p.relative_to(PEERS).parts[0] for p in FILES)
    assert set(suites) == {"feedparser", "reader", "gofeed", "feed-rs", "feedvalidator"}, PEERS
    assert sum(suites.values()) >= 4800, suites


def test_each_suite_states_what_it_expects() -> None:
    """The expectations are read: a loader that read nothing would let every file pass."""
    stated: collections.Counter[str] = collections.Counter()
    for path in FILES:
        case = load(path)
        entries = list(case.by_feedparser_index.values()) + list(case.entries or [])
        stated[case.suite] += sum(1 for e in entries for v in e.values() if v not in (None, ""))
    assert stated["feedparser"] >= 700, stated  # Expect: clauses on an entry's fields
    assert stated["gofeed"] >= 150, stated
    assert stated["feed-rs"] >= 400, stated
    assert stated["reader"] >= 40, stated


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_peer_files_read_as_their_suite_expects(group: str) -> None:
    unexplained: dict[str, list[Mismatch]] = {}
    for path in GROUPS[group]:
        case = load(path)
        found = [m for m in compare(case) if m[0] == "crash" or not _listed(case.name, m[0])]
        if found:
            unexplained[case.name] = found
    assert not unexplained, "\n".join(f"{name}: {found}" for name, found in unexplained.items())


@pytest.mark.parametrize("index", range(len(DIFFERENCES)), ids=lambda i: DIFFERENCES[i]["files"][0])
def test_each_listed_difference_still_happens(index: int) -> None:
    difference = DIFFERENCES[index]
    assert difference["reason"].strip() and difference["fields"]
    for pattern in difference["files"]:
        matched = [p for p in FILES if fnmatchcase(p.relative_to(PEERS).as_posix(), pattern)]
        assert matched, f"{pattern} names no file"
        happening = [p for p in matched if any(f in difference["fields"] for f, _ in compare(load(p)))]
        assert happening, f"{pattern}: no longer differs in {difference['fields']}; remove it from the list"
