"""Crossing figures: how many people crossed or arrived, by which route, over what period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from monitors.classify.dates import MONTH_WORD, MONTHS, WEEKDAY_WORD, month_end, weekday_near
from monitors.classify.first_pass import Words
from monitors.classify.patterns import fold_case
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Topic
from monitors.models import CrossingFigure, Period, Route

# 34,500 · 110.000 (Italian thousands) · 609. Decimals ("2.5") are never matched.
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+|\d+)(?![\w]|[.,]\d)")
# Italian thousands in words: "20mila", "110 mila" (the number ends after "mila").
_MILA = re.compile(r"(?<![\w.,])(\d{1,3})\s?mila(?!\w)", re.IGNORECASE)
_APPROXIMATE_WORDS = (
    r"(?:more than|over|almost|nearly|around|about|some|roughly|at least|oltre|quasi|circa|più di)"
)

_MONEY_BEFORE = re.compile(r"(?:[£€$]|\b(?:EUR|GBP|USD|US\$))\s*$")
_MONEY_AFTER = re.compile(
    r"^\s*(?:m|bn|k|million|billion|milioni|miliardi|mln|mld|euros?|pounds?|dollars?|sterline)\b",
    re.IGNORECASE,
)
_PERCENT_AFTER = re.compile(r"^\s*(?:%|per ?cent|percent|per cento|pc\b|percentage)", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"(?:aged|age of|età di|di età|anni di)\s*$", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^\s*(?:-year-old|years? old|-year|anni\b|enne\b)", re.IGNORECASE)
_MONTH_BEFORE = re.compile(rf"(?:{MONTH_WORD.pattern})\.?\s*$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:{MONTH_WORD.pattern})", re.IGNORECASE)
_TIME = re.compile(r"^[:.]\d\d")
_LINKING_BEFORE = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es)?|r(?:o|i)sen? to|rising to|climb(?:ed|s)? to|stands? at|stood at"
    r"|was|were|is|are|totall?(?:ed|ing|s)?|hit|pass(?:ed|es)?|topped|to|of|at|with|surpassed|over"
    r"|superato|superano|raggiunto|raggiungono|sono stati|erano stati|sono|è di|pari a|quota|a|di"
    r"|fell to|dropped to|drop to|rose to|fallen to|risen to|scesi a|scese a|saliti a|salite a|calati a"
    r"|ai|agli|intorno ai|intorno agli|attorno ai)"
    rf"(?:\s+(?:le|i|gli|quota))?(?:\s+{_APPROXIMATE_WORDS})?\s*$",
    re.IGNORECASE,
)
# A year after a preposition is a date even when a noun follows: "Nel 2025 le traversate".
_YEAR_PREPOSITION = re.compile(
    r"(?:\b(?:in|of|since|by|for|until|during|nel|del|dal|al|entro|durante)|nell'|dall')\s*$", re.IGNORECASE
)
# People who are counted by what they did: "upwards of 45,000 made the journey".
_CROSSING_VERB_AFTER = re.compile(
    r"^\s*(?:have |had |has )?(?:made the (?:journey|crossing|trip)|crossed|arrived|landed|came ashore"
    r"|(?:sono|erano) (?:sbarcat|arrivat|approdat)\w*|hanno attraversato)",
    re.IGNORECASE,
)
_SUBJECT_BEFORE = re.compile(
    r"number of|total|tally|figure|crossings|arrivals|sbarchi|arrivi|traversate|attraversamenti|numero",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"than|compared|same (?:period|point|time)|this time last year|up from|down from|rispetto|stesso periodo",
    re.IGNORECASE,
)
# A second number set against a figure already read: "compared with more than 120,000", "contro i 157.651".
_COMPARED_BEFORE = re.compile(
    r"(?:compared (?:with|to)|against|from|than|up from|down from|versus|vs\.?|contro|rispetto a|rispetto ai"
    r"|erano stati|erano|were|but (?:just|only)|ma (?:solo|appena))\s+(?:(?:i|gli|le|the)\s+)?(?:{a}\s+)?$".replace(
        "{a}", _APPROXIMATE_WORDS
    ),
    re.IGNORECASE,
)
# What may follow a number that counts the people of the figure before it.
_BARE_AFTER = re.compile(
    r"^\s*(?:[,.;:)]|$|in\b|by\b|a year|the (?:previous|same)|last\b|del\b|dello\b|nel\b|nello\b"
    r"|dell'|l'anno|over\b|during\b|for\b)",
    re.IGNORECASE,
)
_STRONG_LINK = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es)?|totall?(?:ed|ing|s)|topped|surpassed|passed|fell to|dropped to|rose to"
    r"|superato|raggiunto|sono stati|erano stati|scesi a|scese a|saliti a|salite a|calati a)"
    rf"(?:\s+(?:le|i|gli|quota))?(?:\s+{_APPROXIMATE_WORDS})?\s*$",
    re.IGNORECASE,
)
# After the people a number counts: "40 people have died" counts deaths.
_AUXILIARY = re.compile(
    r"^\s*(?:have|has|had|were|was|are|is|sono|erano|hanno|è)?\s*(?:been|stati|state)?\s*"
)
# Words that may stand between a number and the people it counts: "609 more people".
_FILLER = re.compile(
    r"^\s*(?:(?:more|other|further|new|additional|irregular|illegal|undocumented|small[- ]boat|boat|desperate|sea"
    r"|migrant|Channel|maritime|i|gli|le"
    r"|unaccompanied|young|adult|altri|nuovi|ulteriori)\s+)*",
    re.IGNORECASE,
)

_PERIODS: tuple[tuple[Period, re.Pattern[str]], ...] = (
    (
        "day",
        re.compile(
            rf"\bon (?:{WEEKDAY_WORD.pattern})|\byesterday\b|in a single day|in one day|on a single day"
            r"|\bieri\b|\boggi\b|in un solo giorno|in una sola giornata|nelle ultime 24 ore|on (?:the )?\d{1,2}"
            rf"(?:st|nd|rd|th)? (?:{MONTH_WORD.pattern})|\bday\b|\bgiornata\b",
            re.IGNORECASE,
        ),
    ),
    (
        "week",
        re.compile(
            r"this week|last week|in a week|past week|over the weekend|questa settimana|in una settimana"
            r"|ultima settimana|settimana scorsa|\bweek\b",
            re.IGNORECASE,
        ),
    ),
    (
        "year_to_date",
        re.compile(
            r"so far this year|this year|to date|so far in|as of|since (?:the start of |1 )?January"
            r"|same (?:point|period|time)(?: (?:in|of|last) (?:19|20)\d\d| last year)?|this time last year|dall'inizio dell'anno|da inizio anno|finora"
            r"|quest'anno|dal primo gennaio|dal 1 gennaio|stesso periodo|so far",
            re.IGNORECASE,
        ),
    ),
    (
        "month",
        re.compile(
            rf"\b(?:in|for|during|of|nel mese di|a|di) (?:{MONTH_WORD.pattern})\b|this month|last month"
            rf"|questo mese|mese scorso|\bmonth\b|\bmese\b",
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        re.compile(
            r"last year|\bin (?:19|20)\d\d\b|throughout (?:19|20)\d\d|l'anno scorso|lo scorso anno"
            r"|\bnel (?:19|20)\d\d\b|whole of (?:19|20)\d\d|over the year|\byear\b|\banno\b",
            re.IGNORECASE,
        ),
    ),
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CHANGE = re.compile(
    r"(?:an? |\()?([+-]?\d+(?:[.,]\d+)?)\s*(?:%|per ?cent|percent|per cento)\s+"
    r"(increase|rise|up|higher|more|jump|decrease|fall|drop|down|lower|fewer|in più|in meno|in aumento"
    r"|in calo)\s*(?:on|than|from|compared (?:with|to)|rispetto a(?:l|llo)?)?\s*"
    r"(?:the same (?:point|period|time) (?:in|of|last) |lo stesso periodo del )?((?:19|20)\d\d|last year)?",
    re.IGNORECASE,
)
_DECREASE = re.compile(r"decrease|fall|drop|down|lower|fewer|in meno|in calo", re.IGNORECASE)


_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class _NumberToken:
    value: int
    start: int
    end: int


def parse_count(raw: str) -> int:
    return int(raw.replace(",", "").replace(".", ""))


def _route(routes: tuple[tuple[str, Terms], ...], text: str) -> Route | None:
    for route, pattern in routes:
        if pattern.search(text):
            return route  # type: ignore[return-value]
    return None


_PERIOD_REACH = 160  # how far from a number its period phrase may be
_FOLDED_PERIODS = tuple((period, re.compile(fold_case(p.pattern))) for period, p in _PERIODS)


@dataclass(frozen=True, slots=True)
class _Span:
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


def _period(text: str, start: int, end: int) -> tuple[Period | None, str]:
    """The period phrase nearest the number at text[start:end], and that phrase's surroundings."""
    best: tuple[int, int, Period, int, int] | None = None
    # Only the text around the number, lower-cased for the folded patterns (same offsets).
    offset = max(0, start - _PERIOD_REACH)
    segment = text[offset : end + _PERIOD_REACH].lower()
    if len(segment) != len(text[offset : end + _PERIOD_REACH]):
        segment, offset = text.lower(), 0
        if len(segment) != len(text):
            return None, text
    for rank, (period, pattern) in enumerate(_FOLDED_PERIODS):
        for found in pattern.finditer(segment):
            match = _Span(found.start() + offset, found.end() + offset)
            if match.end() <= start:
                distance = start - match.end()
            elif match.start() >= end:
                distance = match.start() - end
            else:
                distance = 0
            candidate = (distance, rank, period, match.start(), match.end())
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None:
        return None, text
    _, _, period, phrase_start, phrase_end = best
    return period, text[max(0, min(phrase_start, start) - 40) : max(phrase_end, end) + 40]


def _as_of(period: Period | None, clause: str, published: date | None) -> date | None:
    if published is None or period is None:
        return None
    years = [int(y) for y in _YEAR.findall(clause)]
    if period == "day":
        return weekday_near(clause, published, future=False) or published
    if period == "week":
        return published
    if period == "year_to_date":
        if re.search(r"this time last year|same (?:period|point|time) last year", clause, re.I):
            return _replace_year(published, published.year - 1)
        if years and years[-1] != published.year:
            return _replace_year(published, years[-1])
        return weekday_near(clause, published, future=False) if WEEKDAY_WORD.search(clause) else published
    if period == "month":
        month_match = MONTH_WORD.search(clause)
        if month_match:
            month = MONTHS[month_match.group(0).lower()]
            year = published.year if month <= published.month else published.year - 1
            return month_end(year, month)
        return published
    if re.search(r"last year|l'anno scorso|lo scorso anno", clause, re.I):
        return date(published.year - 1, 12, 31)
    return date(years[0], 12, 31) if years else None


def _replace_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _change(after: str) -> str | None:
    match = _CHANGE.match(after[:120].lstrip(" ,(—–-"))
    if not match:
        return None
    amount, direction, against = match.groups()
    sign = "-" if _DECREASE.search(direction) or amount.startswith("-") else "+"
    text = f"{sign}{amount.lstrip('+-')}%"
    return f"{text} on {against}" if against else text


@lru_cache(maxsize=16)
def _ends_with(terms: str) -> re.Pattern[str]:
    """`terms` right before a number, maybe with an approximation: "cover around 50"."""
    return re.compile(rf"(?:{terms})\s+(?:{_APPROXIMATE_WORDS}\s+|up to\s+|only\s+|just\s+)?$", re.IGNORECASE)


def _is_excluded_number(topic: Topic, sentence: str, token: _NumberToken) -> bool:
    before = sentence[max(0, token.start - 80) : token.start]  # what ends right before
    after = sentence[token.end :]
    if token.value < 2:
        return True
    if _ends_with(topic.figure_exclude_before.pattern).search(before[-60:]):
        return True
    if _MONEY_BEFORE.search(before) or _MONEY_AFTER.match(after) or _PERCENT_AFTER.match(after):
        return True
    if _TIME.match(after) or before.endswith(":"):
        return True
    if _AGE_BEFORE.search(before) or _AGE_AFTER.match(after):
        return True
    if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after.lstrip()):
        return True
    # "dad, 60, dead": a small number between commas right after a word is an age.
    return bool(re.search(r"\w, $", before) and after.startswith(",") and token.value < 120)


def _numbers(sentence: str) -> list[_NumberToken]:
    tokens = [_NumberToken(parse_count(m.group(1)), m.start(1), m.end(1)) for m in NUMBER.finditer(sentence)]
    if "mila" in sentence.lower():
        thousands = [
            _NumberToken(int(m.group(1)) * 1000, m.start(), m.end()) for m in _MILA.finditer(sentence)
        ]
        starts = {t.start for t in thousands}
        tokens = sorted([t for t in tokens if t.start not in starts] + thousands, key=lambda t: t.start)
    return tokens


def _counts_people(topic: Topic, sentence: str, token: _NumberToken, has_context: bool) -> bool:
    after = sentence[token.end :]
    before = sentence[: token.start]
    is_year = 1900 <= token.value <= 2100 and "," not in sentence[token.start : token.end]
    rest = after[_FILLER.match(after).end() :]  # type: ignore[union-attr]
    noun = topic.figure_people.match(rest)
    if noun:
        if is_year and _YEAR_PREPOSITION.search(before):
            return False
        if topic.figure_exclude_after.match(rest):
            return False
        tail = rest[noun.end() :]
        tail = tail[_AUXILIARY.match(tail).end() :]  # type: ignore[union-attr]
        if topic.figure_exclude_after.match(tail):
            return False
        intrinsic = re.match(r"arrivals|crossings|sbarchi|arrivi|traversate|sbarcati", noun.group(0), re.I)
        return has_context or bool(intrinsic)
    if is_year or topic.figure_exclude_after.match(rest):
        return False
    if not has_context:
        return False
    if _CROSSING_VERB_AFTER.match(after):
        return True
    if re.match(r"^\s*\)", after) and before.rstrip().endswith("("):
        return bool(_COMPARISON.search(sentence) or _SUBJECT_BEFORE.search(before))
    # "the number of people crossing ... exceeded 34,500": the people come before the number.
    if re.match(
        r"^\s*(?:[,.;:)]|$|in\b|on\b|this\b|so far|last\b|since\b|by\b|as\b|and\b|nel\b|nello\b|nella\b"
        r"|negli\b|nell'|dal|during\b|for\b)",
        after,
    ):
        if _LINKING_BEFORE.search(before[-80:]) and (
            topic.figure_people.search(before) or _SUBJECT_BEFORE.search(before)
        ):
            return True
        # "Nel 2023 erano stati 157.651, nel 2024 sono scesi a 66.317: il crollo degli sbarchi"
        return bool(_STRONG_LINK.search(before[-80:]) and _SUBJECT_BEFORE.search(sentence))
    return False


def _compared(sentence: str, token: _NumberToken) -> bool:
    """A number set against a figure of the same sentence: "compared with more than 120,000 by ..."."""
    is_year = 1900 <= token.value <= 2100 and "," not in sentence[token.start : token.end]
    return (
        not is_year
        and token.value >= 100
        and bool(_COMPARED_BEFORE.search(sentence[max(0, token.start - 80) : token.start]))
        and bool(_BARE_AFTER.match(sentence[token.end :]))
    )


def _names_elsewhere(topic: Topic, text: str) -> bool:
    return any(
        (entity := topic.entity_by_alias.get(m.group(0))) is not None and entity.country == "other"
        for m in topic.names.finditer(text)
    )


def extract_figures(
    topic: Topic, sentences: list[Sentence], published: date | None, *, words: Words | None = None
) -> list[CrossingFigure]:
    """Crossing figures told by `sentences`. `words` (the item read by the first pass) lets
    patterns that cannot match anywhere be skipped."""
    figures: list[CrossingFigure] = []
    seen: set[tuple[int, str, str | None]] = set()
    last_route: Route | None = None
    previous_had_figure = False
    # Patterns that match nowhere in the item need not be tried on each sentence.
    routes = tuple((route, p) for route, p in topic.routes if p.may_occur(words))
    may_exclude = topic.figure_exclude_sentence.may_occur(words)
    for sentence in sentences:
        text = sentence.text
        route_here = _route(routes, text) if routes else None
        route = route_here or last_route
        if route_here:
            last_route = route_here
        found_here = False
        if _HAS_DIGIT.search(text) and not (may_exclude and topic.figure_exclude_sentence.search(text)):
            has_context = bool(topic.figure_context.search(text)) or (
                previous_had_figure and bool(_COMPARISON.search(text))
            )
            tokens = [t for t in _numbers(text) if not _is_excluded_number(topic, text, t)]
            counted = [t for t in tokens if _counts_people(topic, text, t, has_context)]
            if counted:
                counted += [t for t in tokens if t not in counted and _compared(text, t)]
                counted.sort(key=lambda t: t.start)
            if counted and route is None and _names_elsewhere(topic, text):
                counted = []  # people arriving somewhere else (Albania's centres, Greece)
            for token in counted:
                period, around = _period(text, token.start, token.end)
                figure_route: Route = route or "other"
                key = (token.value, figure_route, period)
                found_here = True
                if key in seen:
                    continue
                seen.add(key)
                figures.append(
                    CrossingFigure(
                        count=token.value,
                        route=figure_route,
                        period=period,
                        as_of=_as_of(period, around, published),
                        change=_change(text[token.end :]),
                        sentence=text,
                    )
                )
        previous_had_figure = found_here
    return figures
