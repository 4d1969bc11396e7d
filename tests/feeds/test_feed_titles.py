"""A feed's own title, read from the head of its body, against feedparser's reading of the corpus."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import feedparser
import pytest

from monitors.feeds.feedtitle import HEAD_BYTES, feed_title
from monitors.feeds.text import plain_text
from tests.support.feedserver import corpus_files

# feedparser trusts the prolog here, and shows UTF-8 bytes as Latin-1; we read them as UTF-8
CHARSET_REPAIRED = {"windows1252_prolog_but_utf8_bytes.xml": "Euro €"}
NOT_FEEDS = {"not_a_feed_html_document_moved.rss"}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_each_corpus_feed_title_is_what_a_full_parse_finds(path: Path) -> None:
    body = path.read_bytes()
    plain = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    if path.suffix == ".json":
        data = json.loads(plain)
        expected = data.get("title") or data.get("rss", {}).get("channel", {}).get("title")
    elif path.name in CHARSET_REPAIRED:
        expected = CHARSET_REPAIRED[path.name]
    elif path.name in NOT_FEEDS:
        return  # its body never reaches the title (the poll reports it as not a feed)
    else:
        expected = feedparser.parse(plain).feed.get("title")
    assert feed_title(body) == (plain_text(expected) or None)


def test_item_titles_and_markup_are_not_taken_for_the_feed_title() -> None:
    untitled = (
        b'<rss version="2.0"><channel><link>x</link><item><title>An item</title></item></channel></rss>'
    )
    assert feed_title(untitled) is None
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Tom &amp;amp; Jerry &lt;b&gt;news&lt;/b&gt;</title></feed>'
    assert feed_title(atom) == "Tom & Jerry news"
    cdata = b"<rss><channel><title><![CDATA[Salt & <i>Pepper</i>]]></title></channel></rss>"
    assert feed_title(cdata) == "Salt & Pepper"
    latin1 = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>Notícias</title>'.encode(
        "latin-1"
    )
    assert feed_title(latin1) == "Notícias"
    assert feed_title(b"") is None and feed_title(b"\x1f\x8bnot gzip") is None


def test_a_title_past_a_long_head_is_still_found_when_the_head_is_cut_mid_character() -> None:
    padding = "<!-- " + "é" * (HEAD_BYTES // 2 - 10) + " -->"
    body = f'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Le Monde</title>{padding}'
    body += "<item><title>x</title></item></channel></rss>"
    assert feed_title(body.encode()) == "Le Monde"
    long_json = json.dumps({"title": "Daring Fireball", "items": [{"title": "x" * HEAD_BYTES}]})
    assert feed_title(long_json.encode()) == "Daring Fireball"
