"""Every file of ../shared/corpus/feeds (real publishers' feeds, each tricky in its own way) yields at
least as many items as the best of feedparser and feedparser-rs alone, with readable text."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
import pytest

from monitors.feeds.parse import FeedParseError, parse_feed
from tests.support.feedserver import CORPUS, corpus_files

# What a user would check in a few files whose charset is wrong or missing: the words read right.
EXPECTED_TITLES = {
    "golem_rss2_iso8859-1.rss": 40,
    "lemonde_double_encoded_utf8.rss": "Piratage imputé à la Russie",
    "derstandard_bom_double_encoded.rss": "Flüchtlingskrise",
    "iso8859-1_prolog_but_utf8_bytes.xml": "Café",
    "uol_noticias_nodecl_latin1.rss": "simulações",
    "oren_ru_windows1251.rss": "В Бузулуке",
    "kc0011_gb2312.rss": "建国35周年纪念",
    "breakingnews_ie_business.rss": "£30 million",
    "daringfireball_jsonfeed_1.0.json": 48,
    "scriptingnews_rss_as_json.json": 50,
    "gzip_compressed_body_nshipster.xml": 25,
    "heise_rss090_rdf.xml": 60,
}


def _meaningful(entries: Any) -> int:
    """Entries that carry anything (feedparser also returns the empty shells of nested items)."""
    return sum(1 for e in entries if any(e.get(k) for k in ("title", "link", "id", "summary", "content")))


def _rs(body: bytes) -> Any:
    # as migwatch calls it: resolving relative links against the channel's <link> would turn an
    # empty <link></link> into a link, and an item with nothing in it into one that has something
    return feedparser_rs.parse(body, resolve_relative_uris=False)


def _best_alone(body: bytes) -> int:
    counts = []
    for parse in (feedparser.parse, _rs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                counts.append(_meaningful(parse(body).entries))
        except Exception:
            counts.append(0)
    return max(counts)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file_yields_at_least_the_best_parsers_items(path: Path) -> None:
    body = path.read_bytes()
    try:
        items = parse_feed(body, source=path.name)
    except FeedParseError as exc:
        assert _best_alone(body) == 0
        assert "not a feed" in str(exc)
        return
    assert len(items) >= _best_alone(body)
    for item in items:
        assert item.title and "\ufffd" not in item.title and "Ã" not in item.title
        assert item.url is None or item.url.startswith(("http://", "https://"))
    expected = EXPECTED_TITLES.get(path.name)
    if isinstance(expected, int):
        assert len(items) == expected
    elif expected:
        assert any(expected in item.title for item in items), [i.title for i in items[:3]]


def test_corpus_is_there() -> None:
    assert len(corpus_files()) >= 60, CORPUS
