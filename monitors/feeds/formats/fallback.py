"""When feedparser must read a document again after feedparser-rs, and what its reading is for.

feedparser-rs is right on nearly every real feed and ~35x faster, so it reads first, and the
fallback must stay rare: each sign below is either cheap to look for in the bytes or only looked
for when an entry of the fast reading lacks the field it concerns. The signs are what the peer
suites under ../shared/corpus/peers and the real feeds of ../shared/corpus/feeds showed
feedparser-rs to miss and feedparser to read. Two kinds:

`misread`: the fast reading is wrong, so feedparser's replaces it:
- fewer entries than the document has entry tags (illegally nested items, an unescaped ampersand:
  feedparser's loose parser recovers more), or none at all;
- base64 Atom content (`mode="base64"`, `type="application/octet-stream"`), left encoded;
- entities declared in the document's DTD, left unexpanded;
- markup written as elements inside a description or title: only the text before the first
  element is kept;
- `xml:base` beside a relative link, which feedparser resolves against it;
- clashing titles: a `dc:title` that is no title feedparser-rs read, or two titles in an entry
  (feedparser keeps `title`, and the first; feedparser-rs the `dc:` one, or the last).

`gaps`: an entry of the fast reading lacks a field the document holds, so feedparser's reading
fills only the missing fields (its own choices elsewhere, such as taking `media:description` for
the summary, are not wanted): a date (dcterms:issued/modified, RSS 1.0 pubDate,
atom:published/updated inside RSS, a pubDate after an empty `<dc:creator/>`), a link
(atom:link inside RSS), an id (atom:id inside RSS), text (atom:content inside RSS, an XHTML body).
"""

from __future__ import annotations

import re
from typing import Any

from monitors.feeds.sniff import entry_tags
from monitors.feeds.text import plain_text
from monitors.models import FeedItem

Read = list[tuple[Any, FeedItem]]  # feedparser-rs's entries that carry anything, each with its item

# Atom 0.3's mode="base64", or Atom 1.0 content whose type is neither text nor XML. Each pattern
# is looked for only after a cheap search for a literal it must contain.
_BASE64_MODE = re.compile(rb"""mode=["']base64["']""")
_BINARY_CONTENT = re.compile(rb"""<content\b[^>]*?\btype=["'](?!text/|[^"']*xml["'])[\w.+-]+/""")
# Date elements feedparser-rs does not read as an entry's date.
_FOREIGN_DATE = re.compile(
    rb"<(?:dcterms:(?:issued|modified|created|date)|atom:(?:published|updated)|\w+:(?:issued|modified)|lastmod)[\s>]"
)
_RSS_DATE = re.compile(rb"<(?:pubDate|dc:date)>")
_LINK_HREF = re.compile(rb"<(?:\w+:)?link\b[^>]*\bhref=")
_TEXT_TAG = re.compile(rb"<(?:atom:content|atom:summary|(?:\w+:)?body|fullitem|content:items)[\s>]")
_TITLE_TAG = re.compile(rb"<title[\s>]")
_DC_TITLE = re.compile(rb"<dc:title>(.*?)</dc:title>", re.DOTALL)
# Markup written as elements inside a text element: feedparser-rs keeps only the text before it.
_NAKED_MARKUP = re.compile(rb"<(?:description|summary|title)>[^<]*<[A-Za-z]")
_CHANNEL_TITLES = 2  # a channel's and its text input's (an <image> has its own title too)


def _relative(link: Any) -> bool:
    return isinstance(link, str) and bool(link.strip()) and "://" not in link[:12]


def _base64(body: bytes) -> bool:
    if b"octet-stream" in body:
        return True
    if b"base64" in body and _BASE64_MODE.search(body):
        return True
    return b"<content" in body and _BINARY_CONTENT.search(body) is not None


def _dc_title_differs(body: bytes, read: Read, feed_title: str) -> bool:
    """A dc:title whose text is neither the feed's title nor any entry's: where the two clash,
    feedparser-rs may have taken the dc: one. Publishers that write both mostly write the same."""
    titles = {item.title for _, item in read} | {feed_title}
    for raw in _DC_TITLE.findall(body):
        text = plain_text(raw.decode("utf-8", "replace").replace("<![CDATA[", "").replace("]]>", ""))
        if text and text not in titles:
            return True
    return False


def misread(body: bytes, parsed: Any, read: Read) -> str | None:
    """Why feedparser's reading of `body` should replace feedparser-rs's `parsed`, or None."""
    entries = [entry for entry, _ in read]
    if not entries:  # a feed with no entries at all is common, and no reason to read it twice
        return "no entries" if parsed.entries or entry_tags(body) or b"<ITEM" in body else None
    if len(parsed.entries) < entry_tags(body):  # an empty <item></item> is read, not missed
        return "fewer entries than entry tags"
    if _base64(body):
        return "base64 content"
    if b"<!ENTITY" in body:
        return "entities declared in the document"
    if _NAKED_MARKUP.search(body):
        return "markup as elements inside a text element"
    if b"xml:base" in body and any(_relative(e.get("link")) for e in entries):
        return "xml:base beside a relative link"
    if b"<dc:title" in body and _dc_title_differs(body, read, plain_text(parsed.feed.get("title"))):
        return "dc:title beside title"
    if len(_TITLE_TAG.findall(body)) > len(entries) + _CHANNEL_TITLES + body.count(b"<image>"):
        return "more titles than entries"
    return None


def gaps(body: bytes, read: Read) -> str | None:
    """Which field feedparser should fill in feedparser-rs's reading, or None."""
    undated = sum(
        1 for e, item in read if item.published is None and not (e.get("published") or e.get("updated"))
    )
    rss1_pubdate = b"<rdf:RDF" in body and b"<pubDate>" in body  # RSS 1.0 has none; feedparser reads it
    if undated and (
        rss1_pubdate or _FOREIGN_DATE.search(body) or len(_RSS_DATE.findall(body)) > len(read) - undated + 1
    ):
        return "an entry without a date"
    if any(item.url is None and not e.get("links") for e, item in read) and _LINK_HREF.search(body):
        return "an entry without a link"
    if any(not item.id for _, item in read) and b"<atom:id" in body:
        return "an entry without an id"
    if any(not (item.summary or item.content) for _, item in read) and _TEXT_TAG.search(body):
        return "an entry without text"
    return None
