"""Crossing figures: how many people crossed or arrived, by which route, over what period.

A number is a figure when its sentence is about crossing or arriving and the number counts people
(people_counts.py says when it does); this module reads an item's sentences in order, places them,
gives each figure its route and period (periods.py) and keeps one figure per count. Each number read,
kept or not, leaves a note saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from monitors.classify.first_pass import Words
from monitors.classify.headline_figures import headline_periods, one_per_count
from monitors.classify.numbers import (
    APPROXIMATE_WORDS,
    WORD_KEYS,
    Number,
    change_after,
    has_digit,
    never_people,
    numbers_in,
)
from monitors.classify.people_counts import (
    ADVERB,
    ARTICLE,
    COMPARISON,
    LARGEST_GROUP,
    SO_FAR_HERE,
    SUBJECT_BEFORE,
    compared,
    counts_people,
)
from monitors.classify.periods import ANY_YEAR, FoundPeriod, as_of, find_period, year_of
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Topic
from monitors.models import CrossingFigure, Route, RuleHit

# The same, for a running total: it tells a count so far, whatever day it is read on.
_CUMULATIVE_BEFORE = re.compile(
    r"(?:\bbringing\b.{0,40}?\b(?:to|past|above|over)|\bportando\b.{0,40}?\ba|pass(?:ed|es|ing)?|past"
    r"|topp(?:ed|ing)|tops|nears?|nearing|surpass(?:ed|es)?|hit(?:s|ting)?|stands? at|stood at|superato"
    r"|supera|superano|sale a|salgono a|quota|(?:the|year's|annual|running|'s) total (?:\w+ ){0,5}?(?:to|of|is|was|at|reached)"
    r"|(?:bilancio|totale|conto) (?:[\w',]+ ){0,8}?è di)"
    rf"{ADVERB}{ARTICLE}(?:\s+{APPROXIMATE_WORDS})?\s*$",
    re.IGNORECASE,
)
# Words one of which every _CUMULATIVE_BEFORE match holds: a cheap test before the regex.
_CUMULATIVE_HINTS = re.compile(
    "bring|portand|pass|past|top|near|hit|stand|stood|super|sale|salgono|quota|total|bilancio|conto"
)
# A sentence set against the one before: its count with no period has the same span.
_CONTRAST = re.compile(
    r"\b(?:by contrast|in contrast|in comparison|by comparison|meanwhile|per contro|invece|al contrario)\b",
    re.IGNORECASE,
)
# A running total named in a sentence of its own after a crossing: "The total for 2023 so far is 1,180.",
# "The numbers stood at 25,000 for the year."
_TOTAL_BEFORE = re.compile(
    r"\b(?:total|tally|numbers?|figure|count)(?:\s+(?:for|in|of)\s+(?:the year|this year|(?:19|20)\d\d))?(?:\s+so far)?"
    r"\s+(?:is|was|stands at|stood at|has (?:now |already )?reached|reached|rose to)(?:\s+now)?\s+(?:(?:about|around|some|over|more than|nearly)\s+)?(?=\d)",
    re.IGNORECASE,
)
# A Channel headline in the present tense tells one day's crossings ("Ninety people cross Channel").
_PRESENT_CROSSING = re.compile(r"\b(?:cross|arrive|land|reach|intercept|rescue)\b", re.IGNORECASE)
# "More than 5,000 people landed on Tuesday, and roughly 2,000 more on Wednesday": the same people.
_MORE_AFTER = re.compile(
    r"\s+(?:more|others|further|altri|altre)\s+(?:on|in|a|ad|il|la|nel|nella)\b", re.IGNORECASE
)
# People who came by sea, wherever they landed (not people moved on to Italy's centres in Albania).
_BY_SEA = re.compile(
    r"\bby (?:sea|boat|small boat|dinghy)\b|\bvia mare\b|\bsea arrivals\b|\bin (?:small )?boats\b"
    r"|\bon (?:small )?boats\b|\bsu (?:barchini|barconi|gommoni)\b|\bsbarcat[ie]\b|\bapprodat[ie]\b"
    # islands reached only by sea: "The Canary Islands recorded 46,843 irregular arrivals"
    r"|\bCanary Islands\b|\bCanarie\b|\bEl Hierro\b|\bCrete\b|\bCreta\b|\bLesbos\b|\bSamos\b|\bMalta\b"
    r"|\bCyprus\b|\bCipro\b|\bGreek islands\b|\bisole greche\b",
    re.IGNORECASE,
)
_ALBANIA = re.compile(r"Albani|Shengjin|Gjader", re.IGNORECASE)
# A place named as where people left from is not where they arrived: "from Albania".
_ORIGIN_BEFORE = re.compile(r"\b(?:from|da|dalla|dal|dall'|dalle|dai)\s*$", re.IGNORECASE)


@dataclass(slots=True)
class _Reading:
    """What extraction has read so far in one item."""

    figures: list[CrossingFigure] = field(default_factory=list)
    notes: list[RuleHit] = field(default_factory=list)
    seen: set[tuple[int, str, str | None]] = field(default_factory=set)
    found: list[FoundPeriod] = field(default_factory=list)  # the period read for each figure
    in_words: bool = True  # the item may write a number in words
    title: str = ""
    title_abroad: bool | None = None  # the headline places the item abroad (read when first needed)
    previous_lead: FoundPeriod | None = None  # the period of the previous sentence's first figure
    previous_text: str = ""  # the previous sentence


def _clean_part(topic: Topic, text: str) -> str | None:
    """The part of a sentence cut by colons or semicolons that tells a crossing with none of the
    words that rule the rest out: "Dopo il naufragio ...: nell'ultima settimana 1.865 persone",
    "sono sbarcati 1.500 migranti; la Guardia costiera tunisina ha fermato altre 900 persone"."""
    parts = _CUTS.split(text)
    if len(parts) < 2:
        return None
    clean = [
        p
        for p in parts
        if has_digit(p) and topic.figure_context.search(p) and not topic.figure_exclude_sentence.search(p)
    ]
    return clean[0] if len(clean) == 1 else None


_CUTS = re.compile(r"[:;]\s")


def _route(routes: tuple[tuple[str, Terms], ...], text: str) -> Route | None:
    for route, pattern in routes:
        if pattern.search(text):
            return route  # type: ignore[return-value]
    return None


def _title_abroad(topic: Topic, reading: _Reading) -> bool:
    """A headline that names no route, no crossing and only places abroad ("Denver declares state of
    emergency after 600 migrants ...") places the body's sentences that name no place of their own."""
    if reading.title_abroad is None:
        title = reading.title
        reading.title_abroad = (
            bool(title)
            and not any(pattern.search(title) for _, pattern in topic.routes)
            and not topic.figure_context.search(title)  # "Rwanda bill passes as crossings rise"
            and _names_elsewhere(topic, title)
        )
    return reading.title_abroad


def _placed(topic: Topic, text: str) -> str | None:
    """Where the sentence puts people: "home" when it names a place in the UK or Italy, "elsewhere"
    when it names only places outside them (Albania's centres, Greece), None when it names none."""
    elsewhere = False
    for match in topic.names.finditer(text):
        entity = topic.entity_by_alias.get(match.group(0))
        if entity is None or entity.place is None:
            continue
        if entity.country in ("uk", "it"):
            return "home"
        if entity.country == "other" and not _ORIGIN_BEFORE.search(
            text[max(0, match.start() - 8) : match.start()]
        ):
            elsewhere = True
    return "elsewhere" if elsewhere else None


def _names_elsewhere(topic: Topic, text: str) -> bool:
    """The sentence puts people somewhere outside the UK and Italy and names no place in either."""
    return _placed(topic, text) == "elsewhere"


def may_have_numbers(words: Words) -> bool:
    """The item has a number in digits or in words (the first pass's cheap test)."""
    return has_digit(words.text) or not WORD_KEYS.isdisjoint(words.keys)


def extract_figures(
    topic: Topic,
    sentences: list[Sentence],
    published: date | None,
    *,
    words: Words | None = None,
    notes: list[RuleHit] | None = None,
) -> list[CrossingFigure]:
    """Crossing figures told by `sentences`. `words` (the item read by the first pass) lets
    patterns that cannot match anywhere be skipped; `notes` collects why each number was kept or not."""
    in_words = words is None or not WORD_KEYS.isdisjoint(words.keys)
    reading = _Reading(in_words=in_words)
    last_route: Route | None = None
    previous_had_figure = False
    # Patterns that match nowhere in the item need not be tried on each sentence.
    routes = tuple((route, p) for route, p in topic.routes if p.may_occur(words))
    may_exclude = topic.figure_exclude_sentence.may_occur(words)
    title = next((s.text for s in sentences if s.where == "title"), "")
    reading.title = title
    for sentence in sentences:
        text = sentence.text
        route_here = _route(routes, text) if routes else None
        route = route_here or last_route
        if route_here:
            last_route = route_here
        found_here = False
        before = len(reading.found)
        if has_digit(text) or in_words:
            excluded = topic.figure_exclude_sentence.search(text) if may_exclude else None
            if (
                excluded is not None
                and sentence.where != "title"  # a headline's "Topic: ..." sets the whole of it
                and (part := _clean_part(topic, text)) is not None
            ):
                # "Dopo il naufragio ..., le partenze sono riprese: nell'ultima settimana 1.865 persone"
                sentence, excluded = replace(sentence, text=part), None
            if excluded is None:
                found_here = _read_sentence(
                    topic, sentence, (route_here, route), published, previous_had_figure, reading
                )
            elif has_digit(text) and topic.figure_context.search(text):
                what = f"numbers of a sentence about '{excluded.group(0)}'"
                reading.notes.append(RuleHit("figure_rejected", what, _where(sentence), 0.0))
        previous_had_figure = found_here
        reading.previous_lead = reading.found[before] if len(reading.found) > before else None
        reading.previous_text = text
    if notes is not None:
        notes.extend(reading.notes)
    figures = _with_years(reading, published)
    unstated = [
        f.period is None and not found.stated for f, found in zip(figures, reading.found, strict=True)
    ]
    return one_per_count(headline_periods(figures, unstated, title, published), title)


def _read_sentence(
    topic: Topic,
    sentence: Sentence,
    routes: tuple[Route | None, Route | None],
    published: date | None,
    follows: bool,
    reading: _Reading,
) -> bool:
    """Read one sentence's numbers into `reading`; whether it told a figure. `routes`: the route
    the sentence names, and the one it goes by (its own, else the last one named)."""
    text = sentence.text
    route_here, route = routes
    # A sentence right after a figure may lean on it: "compared with...", "the total passed...".
    has_context = bool(topic.figure_context.search(text)) or (
        follows
        and bool(
            COMPARISON.search(text)
            or SUBJECT_BEFORE.search(text)
            or SO_FAR_HERE.search(text)
            or LARGEST_GROUP.search(text)
        )
    )
    if not has_context and _TOTAL_BEFORE.search(text) and topic.figure_context.search(reading.previous_text):
        has_context = True  # "No migrants crossed for a week. The total for 2023 so far is 1,180."
    tokens: list[Number] = []
    where = _where(sentence)
    for token in numbers_in(text, in_words=reading.in_words):
        reason = never_people(topic, text, token)
        if reason is None:
            tokens.append(token)
        elif has_context and not token.word and not token.is_year and reason != "a date":
            reading.notes.append(RuleHit("figure_rejected", f"{token.value}: {reason}", where, 0.0))
    counted = [(t, why) for t in tokens if (why := counts_people(topic, text, t, has_context, follows))]
    if counted:
        kept = {t for t, _ in counted}
        counted += [
            (t, "set against a figure before it")
            for t in tokens
            if t not in kept and (compared(text, t) or (not t.is_year and _MORE_AFTER.match(text[t.end :])))
        ]
        counted.sort(key=lambda pair: pair[0].start)
    # People arriving in Albania's centres or in Greece, unless the sentence names a route.
    placed = _placed(topic, text) if counted and route_here in (None, "italy") else "home"
    if placed != "home" and _BY_SEA.search(text) and not _ALBANIA.search(text):
        placed = "home"  # sea arrivals anywhere count, by route "other": "8,000 have reached Greece by sea"
    if placed == "elsewhere" or (
        placed is None and sentence.where != "title" and route is None and _title_abroad(topic, reading)
    ):
        reading.notes.append(
            RuleHit("figure_rejected", "people arriving outside the UK and Italy", where, 0.0)
        )
        return False
    if has_context:
        kept = {t for t, _ in counted}
        for token in tokens:
            if not token.word and not token.is_year and token not in kept:
                what = f"{token.value}: not a count of people crossing"
                reading.notes.append(RuleHit("figure_rejected", what, where, 0.0))
    for token, why in counted:
        _add_figure(text, sentence.where == "title", token, why, route or "other", published, reading, where)
    return bool(counted)


def _add_figure(
    text: str,
    title: bool,
    token: Number,
    why: str,
    route: Route,
    published: date | None,
    reading: _Reading,
    where: str,
) -> None:
    window = text[max(0, token.start - 60) : token.start]
    lowered = window.lower()
    cumulative = (
        _CUMULATIVE_HINTS.search(lowered) is not None and _CUMULATIVE_BEFORE.search(window) is not None
    )
    found = find_period(text, token.start, token.end, cumulative=cumulative, published=published)
    lead = reading.previous_lead
    if (
        found.period is None
        and lead is not None
        and lead.period is not None
        and (_CONTRAST.search(text) or why.startswith("a share") or LARGEST_GROUP.search(text))
    ):
        found = lead  # "Italy, by contrast, has seen more than 150,000 ...": the same span as before
    unstated = found.period is None and not found.stated
    year_earlier = found.period == "year" and bool(_YEAR_EARLIER.search(found.around))
    if (
        (unstated or (year_earlier and not ANY_YEAR.search(found.around)))
        and why.startswith("set against")
        and reading.found
    ):
        found = _like_the_one_before(found, reading, text)
    if (
        found.period is None
        and not found.stated  # "arrivals reach 43,309 in year to June" states a span
        and title
        and route == "channel"
        and not cumulative
        and _PRESENT_CROSSING.search(text)
    ):
        found = FoundPeriod("day", found.around)
    period = found.period
    reading.notes.append(
        RuleHit("figure_found", f"{token.value} ({route}, {period or 'no period'}): {why}", where, 0.0)
    )
    key = (token.value, route, period)
    if key in reading.seen:
        return
    reading.seen.add(key)
    reading.figures.append(
        CrossingFigure(
            count=token.value,
            route=route,
            period=period,
            as_of=(day := as_of(found, published)),
            change=change_after(text[token.end :]),
            sentence=text,
            year=year_of(found, day, published.year) if published else None,
        )
    )
    reading.found.append(found)


def _like_the_one_before(found: FoundPeriod, reading: _Reading, text: str) -> FoundPeriod:
    """A count set against the figure before it in its sentence, with no period of its own, counts
    over the same span, a year earlier when it says so: "46,843 in 2024, up from 39,910 a year
    earlier", "133,000 since 1 January, up from 71,000 a year earlier"."""
    before, figure = reading.found[-1], reading.figures[-1]
    if before.period is None or figure.sentence != text:
        return found
    if before.period == "year_to_date":
        return FoundPeriod("year_to_date", found.around)  # as_of reads "a year earlier" in it
    earlier = _YEAR_EARLIER.search(found.around) is not None
    year = figure.year - 1 if earlier and figure.year else figure.year
    return FoundPeriod(before.period, found.around, year)


_YEAR_EARLIER = re.compile(
    r"\b(?:a year earlier|the year before|un anno prima|l'anno prima)\b", re.IGNORECASE
)


def _with_years(reading: _Reading, published: date | None) -> list[CrossingFigure]:
    """Each figure with the year it refers to. An undated item's year is the one it names for a
    count so far ("as of Tuesday, 25,244 people ... in 2024"), and its comparisons are dated from it."""
    if published is not None:
        return reading.figures  # dated as they were read
    reference = next((f.year for f in reading.found if f.period == "year_to_date" and f.year), None)
    return [
        replace(figure, year=year_of(found, figure.as_of, reference))
        for figure, found in zip(reading.figures, reading.found, strict=True)
    ]


def _where(sentence: Sentence) -> str:
    return "title" if sentence.where == "title" else f"sentence {sentence.index}"
