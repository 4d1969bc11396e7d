"""Text clean-up: strip markup and page clutter, split into sentences."""

from __future__ import annotations

import html
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\u00a0\u200b]+")

# A section that starts here is page furniture (lists of other headlines, sign-up forms).
_STOP_LINE = re.compile(
    r"^(?:See more )?(?:More Latest News|Latest News|Most Read|Most Popular|Related (?:articles|stories|news)"
    r"|More (?:from|on) |Create a FREE account|Subscribe to .{0,40}(?:to bookmark|Premium)|Trending"
    r"|Leggi anche|Potrebbe interessarti|Altre notizie|Ti potrebbe interessare|I più letti)",
    re.IGNORECASE,
)
# A line that starts like this is a link to another article or a player control.
_DROP_LINE = re.compile(
    r"^(?:Read More|Read more|READ MORE|Also read|LEGGI ANCHE|Leggi anche|Listen to this article"
    r"|Loading audio|Watch:|WATCH:|Picture:|Image:|Foto:|Advertisement|Pubblicità)",
)
# Sentences carrying these are banners, paywalls and forms, never reporting.
_BOILERPLATE = re.compile(
    r"your support|subscri(?:be|ption)|sign (?:up|in)\b|newsletter|privacy (?:notice|policy)|cookie"
    r"|paywall|donation|independent premium|recaptcha|terms of (?:use|service)|required fields"
    r"|create (?:a|an) (?:free )?account|at least \d+ characters|years old to create|already have an account"
    r"|registration is|log(?:ged)? in\b|bookmark|trusted by \d|award-winning|our journalism"
    r"|abbonati|iscriviti|accedi|informativa sulla privacy|^(?:Picture|Image|Photo|Foto|Credit)\s*:",
    re.IGNORECASE,
)
# The same, lower-case, for one pass over a whole lower-cased body: most bodies have no clutter.
_BOILERPLATE_ANY = re.compile(
    re.sub(r"(\\.)|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), _BOILERPLATE.pattern),
    re.MULTILINE,
)
# Substrings every _BOILERPLATE match contains one of: a cheap test before the regex.
_BOILERPLATE_HINTS = (
    "support",
    "subscri",
    "sign ",
    "newsletter",
    "privacy",
    "cookie",
    "paywall",
    "donation",
    "premium",
    "recaptcha",
    "terms of",
    "required",
    "account",
    "characters",
    "years old",
    "registration",
    "log",
    "bookmark",
    "trusted by",
    "award",
    "journalism",
    "abbonati",
    "iscriviti",
    "accedi",
    "informativa",
    "picture",
    "image",
    "photo",
    "foto",
    "credit",
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Ý])|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"
)


def strip_markup(text: str) -> str:
    """HTML to plain text: tags removed, entities decoded, spaces squeezed."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def _is_headline_like(line: str) -> bool:
    """A short line without closing punctuation: a caption, a byline or another story's title."""
    stripped = line.rstrip()
    if stripped.endswith((".", "!", "?", '"', "”", "’", ":", ";", "…")):
        return False
    return len(stripped.split()) <= 15


def article_lines(text: str) -> list[str]:
    """The lines of a page that are the article: clutter sections cut, link lines dropped."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _SPACE.sub(" ", raw).strip()
        if not line:
            continue
        if _STOP_LINE.match(line) and len(lines) >= 3:
            break
        if _DROP_LINE.match(line) or _is_headline_like(line):
            continue
        lines.append(line)
    return lines


_STOP = re.compile(r"[.!?…][\"”’')\]]*")
_NEXT_STARTS = re.compile(r"\s+(?=[\"“‘'(\[]?[A-Z0-9À-Ý])")
_JOINED = re.compile(r"[A-Z][a-z]")
_INITIALS = re.compile(r"(?<![\w.])[A-Z]\.[A-Z]$")


def split_sentences(text: str) -> list[str]:
    """Sentences: a stop (and closing quotes) then a space and a capital or digit, or a stop glued
    to the next sentence's capitalised word ("record.The"). Same cuts as _SENTENCE_END, but the
    engine only looks at the stops."""
    parts: list[str] = []
    start = 0
    for stop in _STOP.finditer(text):
        end = stop.end()
        space = _NEXT_STARTS.match(text, end)
        if space is not None:
            if stop.end() - stop.start() == 1 and _INITIALS.search(
                text, max(0, stop.start() - 4), stop.start()
            ):
                continue  # "the U.S. Border Patrol": initials, not the end of a sentence
            cut, resume = end, space.end()
        elif (
            stop.end() - stop.start() == 1
            and stop.start() >= 2
            and text[stop.start() - 2 : stop.start()].isalpha()
            and text[stop.start() - 2 : stop.start()].islower()
            and text[stop.start()] != "…"
            and _JOINED.match(text, end)
        ):
            cut, resume = end, end
        else:
            continue
        part = text[start:cut].strip()
        if part:
            parts.append(part)
        start = resume
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    where: str  # "title" or "text"
    index: int


def article_sentences(title: str, body: str, *, page: bool, lead: str = "") -> list[Sentence]:
    """Title, lead, then body sentences, deduplicated, boilerplate removed.

    `page` says the body is a scraped page (line structure carries meaning); a feed summary is
    one paragraph and keeps its short lines. `lead`: a summary read before a page body (a feed's
    description that the page may or may not repeat; a sentence told twice is read once).
    """
    sentences = [Sentence(strip_markup(title), "title", 0)] if title.strip() else []
    seen = {sentences[0].text} if sentences else set()
    lines = article_lines(body) if page else [strip_markup(body)]
    if lead.strip():
        lines.insert(0, strip_markup(lead))
    lowered = body.lower()
    clutter = (
        any(hint in lowered for hint in _BOILERPLATE_HINTS) and _BOILERPLATE_ANY.search(lowered) is not None
    )
    for line in lines:
        for part in split_sentences(line):
            if part in seen or (clutter and _BOILERPLATE.search(part)):
                continue
            seen.add(part)
            sentences.append(Sentence(part, "text", len(sentences)))
    return sentences


_IT_SET = frozenset(
    [
        "il",
        "lo",
        "gli",
        "della",
        "delle",
        "degli",
        "che",
        "per",
        "con",
        "sono",
        "è",
        "una",
        "nel",
        "nella",
        "ha",
        "hanno",
        "dal",
        "alla",
        "ai",
    ]
)
_EN_SET = frozenset(
    ["the", "of", "and", "to", "is", "was", "for", "with", "that", "are", "has", "have", "by", "from", "on"]
)


def language_of_keys(words: AbstractSet[str]) -> str:
    """'it' or 'en' for a text's set of lower-case words: which language's function words it uses
    more of (distinct ones; enough to pick the phrase lists)."""
    return "it" if len(_IT_SET.intersection(words)) > len(_EN_SET.intersection(words)) else "en"
