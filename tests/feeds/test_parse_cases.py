"""One feed document per case in tests/feeds/cases/, its expected items beside it (NAME.expected.json):
each a bug the peer suites found (issue 14), written as a real publisher would have written it.

NAME.expected.json holds the HTTP charset and feed URL the body is read with, if any, and for each item
the fields it states (published as ISO 8601 in UTC); fields it does not state are not compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitors.feeds.parse import parse_feed
from monitors.models import FeedItem

CASES = Path(__file__).with_name("cases")
SUFFIX = ".expected.json"


def _value(item: FeedItem, field: str) -> Any:
    value = getattr(item, field)
    return value.isoformat() if field == "published" and value is not None else value


@pytest.mark.parametrize(
    "path", sorted(p for p in CASES.iterdir() if p.with_name(p.name + SUFFIX).exists()), ids=lambda p: p.name
)
def test_case_reads_as_expected(path: Path) -> None:
    expected = json.loads(path.with_name(path.name + SUFFIX).read_text())
    items = parse_feed(path.read_bytes(), source=expected.get("source"), charset=expected.get("charset"))
    assert len(items) == len(expected["items"]), [i.title for i in items]
    for item, stated in zip(items, expected["items"], strict=True):
        assert {field: _value(item, field) for field in stated} == stated
