"""Crossing figures: how many people crossed or arrived, by which route, over what period.

A number is a figure when its sentence is about crossing or arriving and the number counts people:
the people follow it ("609 people"), or it is linked to them ("the number of arrivals passed
30,000"), or it is set against a figure already read ("compared with more than 120,000 a year
earlier", "including 882 on Tuesday"). Each number read, kept or not, leaves a note saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from monitors.classify.dates import MONTH_WORD
from monitors.classify.first_pass import Words
from monitors.classify.numbers import (
    APPROXIMATE_WORDS,
    HAS_DIGIT,
    WORD_KEYS,
    Number,
    change_after,
    never_people,
    numbers_in,
)
from monitors.classify.periods import FoundPeriod, as_of, find_period, year_of
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Topic
from monitors.models import CrossingFigure, Route, RuleHit

_A = APPROXIMATE_WORDS
_ADVERB = r"(?:\s+(?:now|already|just|così|ora|già|ormai))?"
# What links a number to the people named before it: "the number of arrivals passed 30,000".
_LINKING_BEFORE = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es|ing)?|r(?:o|i)sen? to|rising to|climb(?:ed|s)? to|stands? at|stood at"
    r"|was|were|is|are|totall?(?:ed|ing|s)?|hit(?:s|ting)?|pass(?:ed|es|ing)?|past|topp(?:ed|ing)|tops"
    r"|nears?|nearing|to|of|at|with|surpass(?:ed|es)?|over|above|recorded|registrat[ie]"
    r"|superato|superano|supera|raggiunto|raggiungono|sono stat[ie]|erano stat[ie]|sono|erano|è di|pari a|quota|a|di"
    r"|contat[ie]"
    r"|fell to|dropped to|drop to|rose to|fallen to|risen to|scesi a|scese a|saliti a|salite a|calati a"
    r"|sale a|salgono a|ai|agli|intorno ai|intorno agli|attorno ai)"
    rf"{_ADVERB}(?:\s+(?:le|i|gli|quota))?(?:\s+{_A})?\s*$",
    re.IGNORECASE,
)
# The same, for a running total: it tells a count so far, whatever day it is read on.
_CUMULATIVE_BEFORE = re.compile(
    r"(?:\bbringing\b.{0,40}?\b(?:to|past|above|over)|\bportando\b.{0,40}?\ba|pass(?:ed|es|ing)?|past"
    r"|topp(?:ed|ing)|tops|nears?|nearing|surpass(?:ed|es)?|hit(?:s|ting)?|stands? at|stood at|superato"
    r"|supera|superano|sale a|salgono a|quota|(?:the|year's|annual|running) total (?:\w+ ){0,4}?(?:to|of|is|was|at))"
    rf"{_ADVERB}(?:\s+(?:le|i|gli|quota))?(?:\s+{_A})?\s*$",
    re.IGNORECASE,
)
# Words one of which every _CUMULATIVE_BEFORE match holds: a cheap test before the regex.
_CUMULATIVE_HINTS = re.compile(
    "bring|portand|pass|past|top|near|hit|stand|stood|super|sale|salgono|quota|total"
)
# A year after a preposition is a date even when a noun follows: "Nel 2025 le traversate".
_YEAR_PREPOSITION = re.compile(
    r"(?:\b(?:in|of|since|by|for|until|during|nel|del|dal|al|entro|durante)|nell'|dall')\s*$", re.IGNORECASE
)
# People who are counted by what they did: "upwards of 45,000 made the journey", "350 intercepted".
_CROSSING_VERB_AFTER = re.compile(
    r"^\s*(?:who |that |che )?(?:have |had |has |were |was |are |have been |had been )?(?:made the"
    r" (?:journey|crossing|trip|voyage)|cross(?:ed|es|ing)?\b|arriv(?:ed|es|ing)\b|arrive\b|land(?:ed|ing)?\b"
    r"|came\b|came ashore|reach(?:ed|es|ing)?\b|intercepted|picked up|brought (?:ashore|to (?:shore|land|safety))"
    r"|detected|(?:sono|erano) (?:sbarcat|arrivat|approdat|giunt)\w*|hanno (?:attraversato|raggiunto)"
    r"|sbarcat[ie]|arrivat[ie]|giunt[ie])",
    re.IGNORECASE,
)
_SUBJECT_BEFORE = re.compile(
    r"number|total|tally|figure|crossings|arrivals|sbarchi|arrivi|traversate|attraversamenti|numero|cifra"
    r"|partenze",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"than|compared|same (?:period|point|time)|this time last year|at this point last year|up from|down from"
    r"|rispetto|stesso periodo|a fronte|contro|including|di cui|year before|un anno fa|a year ago",
    re.IGNORECASE,
)
# A second number set against a figure already read: "compared with more than 120,000", "contro i 157.651".
_COMPARED_BEFORE = re.compile(
    r"(?:compared (?:with|to)|against|from|than|up from|down from|versus|vs\.?|contro|including|compresi"
    r"|di cui|rispetto (?:a|ai|agli|alle|al|allo)|a fronte (?:di|dei|degli|delle)|(?:più|meno|doppio) d(?:i|ei|egli|elle)"
    r"|as the|record (?:di|of)|lontan[oi] da(?:i|gli|lle)?|far from|well below|erano stat[ie]|erano|were|but (?:just|only)|ma (?:solo|appena))\s+(?:(?:i|gli|le|the)\s+)?"
    rf"(?:{_A}\s+)?$",
    re.IGNORECASE,
)
# What may follow a number that counts the people of the figure before it.
_BARE_AFTER = re.compile(
    r"^\s*(?:[,.;:)]|$|in\b|on\b|at\b|by\b|a year|the (?:previous|same|year)|last\b|del\b|dello\b|nel\b"
    r"|nello\b|di\b|dell'|l'anno|over\b|during\b|for\b|who\b|che\b|registrat\w*|recorded|arriv\w*|sbarcat\w*"
    rf"|of (?:the same|last|(?:19|20)\d\d|(?:{MONTH_WORD.pattern})))",
    re.IGNORECASE,
)
_STRONG_LINK = re.compile(
    r"(?:exceed(?:ed|s)?|reach(?:ed|es)?|totall?(?:ed|ing|s)|topped|surpassed|passed|fell to|dropped to|rose to"
    r"|superato|supera|raggiunto|sono stat[ie]|erano stat[ie]|scesi a|scese a|saliti a|salite a|calati a|sale a"
    r"|registrat[ie]|recorded)"
    rf"{_ADVERB}(?:\s+(?:le|i|gli|quota))?(?:\s+{_A})?\s*$",
    re.IGNORECASE,
)
# What may follow a number whose people were named before it.
_AFTER_LINKED = re.compile(
    r"^\s*(?:[,.;:)\-–—]|$|in\b|on\b|this\b|so far|last\b|since\b|by\b|as\b|and\b|with\b|yesterday\b|is\b|was\b|è\b"
    r"|today\b|according\b|nel\b|nello\b|nella\b|negli\b|nell'|dal|during\b|for\b|ieri\b|oggi\b|unità\b)",
    re.IGNORECASE,
)
# After the people a number counts: "40 people have died" counts deaths.
_AUXILIARY = re.compile(
    r"^\s*(?:have|has|had|were|was|are|is|sono|erano|hanno|è)?\s*(?:been|stati|state)?\s*"
)
# Words that may stand between a number and the people it counts: "609 more people", "88 Haitian migrants".
_FILLER = re.compile(
    r"^\s*(?:(?:more|other|further|new|additional|irregular|illegal|undocumented|small[- ]boat|boat|desperate|sea"
    r"|migrant|Channel|maritime|i|gli|le|single|adult|male|unaccompanied|young|altri|nuovi|ulteriori"
    r"|(?-i:[A-Z][a-z]+(?:an|ese|ish|i)))\s+)*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,.;:()]|\s[-–—]\s")
_RANGE_START = re.compile(r"\b(?:from|da|dai|dagli)\s+$", re.IGNORECASE)
_NAMED_YEAR_AFTER = re.compile(r"^\s+(?:in|nel)\s+(?:19|20)\d\d\b", re.IGNORECASE)
# A headline that gives the crossings of a year: "Crossing numbers in 2021 triple 2020's figure".
_HEADLINE_YEAR = re.compile(
    r"\b(?:crossings?|crossing numbers|arrivals|landings|arrivi|sbarchi|traversate|approdi)\b[^.;:0-9]{0,20}?"
    r"\b(?:in|nel|during|for) ((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# A sentence set against the one before: its count with no period has the same span.
_CONTRAST = re.compile(
    r"\b(?:by contrast|in contrast|in comparison|by comparison|meanwhile|per contro|invece|al contrario)\b",
    re.IGNORECASE,
)
_DEATHS_BEFORE = re.compile(r"\b(?:deaths?|died|dead|toll|morti|vittime|decessi)\b", re.IGNORECASE)
# A running total named in a sentence of its own after a crossing: "The total for 2023 so far is 1,180."
_TOTAL_BEFORE = re.compile(
    r"\b(?:total|tally)(?:\s+(?:for|in|of)\s+(?:the year|this year|(?:19|20)\d\d))?(?:\s+so far)?"
    r"\s+(?:is|was|stands at|stood at|has reached|reached|rose to)\s+(?:(?:about|around|some|over|more than|nearly)\s+)?(?=\d)",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# A share of the people counted before: "Of the 40,000 who crossed, around 12,000 were Albanian".
_SHARE_AFTER = re.compile(
    r"^\s+(?:of them\s+|di loro\s+)?(?:were|are|erano|sono)\s+(?:(?-i:[A-Z][a-z]+(?:an|ese|ish|i))|[a-z]+(?:esi|ani|eni|ini|ei))\b",
    re.IGNORECASE,
)
_INTRINSIC = re.compile(r"arrivals|crossings|arrivi|traversate|sbarcati", re.IGNORECASE)
# A Channel headline in the present tense tells one day's crossings ("Ninety people cross Channel").
_PRESENT_CROSSING = re.compile(r"\b(?:cross|arrive|land|reach|intercept|rescue)\b", re.IGNORECASE)
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


def _route(routes: tuple[tuple[str, Terms], ...], text: str) -> Route | None:
    for route, pattern in routes:
        if pattern.search(text):
            return route  # type: ignore[return-value]
    return None


def _counts_people(topic: Topic, sentence: str, token: Number, has_context: bool, follows: bool) -> str:
    """Why `token` counts people crossing ("" when it does not); see the module docstring.
    `follows`: the sentence comes right after one with a figure ("ne erano stati registrati N")."""
    after = sentence[token.end :]
    before = sentence[: token.start]
    # "55 people who had crossed ... were returned to France": the clause says what they did.
    clause = _CLAUSE_END.split(after, maxsplit=1)[0][:100]
    if topic.figure_exclude_clause.search(clause):
        return ""
    rest = after[_FILLER.match(after).end() :]  # type: ignore[union-attr]
    noun = topic.figure_people.match(rest)
    if noun:
        if token.is_year and (_YEAR_PREPOSITION.search(before) or _INTRINSIC.match(noun.group(0))):
            return ""  # "Nel 2025 le traversate", "Italy's 2023 arrivals"
        if topic.figure_exclude_after.match(rest):
            return ""
        tail = rest[noun.end() :]
        tail = tail[_AUXILIARY.match(tail).end() :]  # type: ignore[union-attr]
        if topic.figure_exclude_after.match(tail):
            return ""
        return (
            f"people after it ('{noun.group(0)}')" if has_context or _INTRINSIC.match(noun.group(0)) else ""
        )
    if follows and not token.word and not token.is_year and _SHARE_AFTER.match(after):
        return "a share of the people before it"  # "Around 13,000 of them were Albanian."
    if token.word or token.is_year or topic.figure_exclude_after.match(rest) or not has_context:
        return ""
    if _CROSSING_VERB_AFTER.match(after):
        return "a crossing verb after it"
    if _SHARE_AFTER.match(after) and (
        follows or _COMPARISON.search(before) or re.search(r"\bof the\b", before, re.IGNORECASE)
    ):
        return "a share of the people before it"
    if _RANGE_START.search(before[-30:]) and _NAMED_YEAR_AFTER.match(after):
        return "the start of a range in a named year"  # "from 299 in 2018 to possibly 50,000"
    if re.match(r"^\s*\)", after) and before.rstrip().endswith("("):
        return (
            "in brackets after a figure"
            if _COMPARISON.search(sentence) or _SUBJECT_BEFORE.search(before)
            else ""
        )
    # "the number of people crossing ... exceeded 34,500": the people come before the number.
    if _AFTER_LINKED.match(after):
        if _DEATHS_BEFORE.search(before[-40:]):
            return ""  # "Crossing deaths this year pass 50"
        if _LINKING_BEFORE.search(before[-80:]) and (
            topic.figure_people.search(before) or _SUBJECT_BEFORE.search(before)
        ):
            return "linked to the people before it"
        # "... dal primo gennaio. Un anno fa erano poco più di 70mila.": set against the figure before
        if follows and _COMPARISON.search(sentence) and _LINKING_BEFORE.search(before[-80:]):
            return "compared with the figure before it"
        # "Nel 2023 erano stati 157.651, nel 2024 sono scesi a 66.317: il crollo degli sbarchi"
        if _STRONG_LINK.search(before[-80:]) and (_SUBJECT_BEFORE.search(sentence) or follows):
            return "a total linked to crossings"
    return ""


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


def _compared(sentence: str, token: Number) -> bool:
    """A number set against a figure of the same sentence: "compared with more than 120,000 by ..."."""
    return (
        not token.word
        and not token.is_year
        and token.value >= 100
        and bool(_COMPARED_BEFORE.search(sentence[max(0, token.start - 80) : token.start]))
        and bool(_BARE_AFTER.match(sentence[token.end :]))
    )


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
    return HAS_DIGIT.search(words.text) is not None or not WORD_KEYS.isdisjoint(words.keys)


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
        if HAS_DIGIT.search(text) or in_words:
            excluded = topic.figure_exclude_sentence.search(text) if may_exclude else None
            if excluded is None:
                found_here = _read_sentence(
                    topic, sentence, (route_here, route), published, previous_had_figure, reading
                )
            elif HAS_DIGIT.search(text) and topic.figure_context.search(text):
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
    return _one_per_count(_headline_periods(figures, unstated, title, published))


def _headline_periods(
    figures: list[CrossingFigure], unstated: list[bool], title: str, published: date | None
) -> list[CrossingFigure]:
    """A body's count with no period takes the period of the headline's count that rounds it:
    "More than 500 migrants crossed the Channel yesterday" over "528 people were detained"; or,
    when the headline has no count, the year the headline gives the crossings ("Crossing numbers
    in 2021 triple 2020's figure" over "following 28,400 people crossing the Channel"), or the one
    year it names ("2024 was the deadliest year in the Channel" over "Arrivals rose to 36,816")."""
    if not any(u and f.sentence != title for f, u in zip(figures, unstated, strict=True)):
        return figures
    headline = [f for f in figures if f.sentence == title and f.period is not None]
    dated = None if headline else _HEADLINE_YEAR.search(title)
    if dated is None and not headline and len(set(_ANY_YEAR.findall(title))) == 1:
        dated = _ANY_YEAR.search(title)  # "2024 was the deadliest year in the Channel"
    out = []
    for figure, no_phrase in zip(figures, unstated, strict=True):
        if no_phrase and figure.sentence != title:
            rounded = next((h for h in headline if _rounds(h.count, figure.count)), None)
            if rounded is not None:
                figure = replace(figure, period=rounded.period, as_of=rounded.as_of, year=rounded.year)
            elif dated is not None:
                year = int(dated.group(1))
                so_far = published is not None and published.year == year
                figure = replace(
                    figure,
                    period="year_to_date" if so_far else "year",
                    as_of=published if so_far else date(year, 12, 31),
                    year=year,
                )
        out.append(figure)
    return out


def _rounds(rounded: int, exact: int) -> bool:
    """`rounded` is a round number within a tenth of `exact` ("more than 500" for 528)."""
    return rounded != exact and rounded % 10 == 0 and abs(rounded - exact) * 10 <= exact


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
        follows and bool(_COMPARISON.search(text) or _SUBJECT_BEFORE.search(text))
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
    counted = [(t, why) for t in tokens if (why := _counts_people(topic, text, t, has_context, follows))]
    if counted:
        kept = {t for t, _ in counted}
        counted += [
            (t, "set against a figure before it") for t in tokens if t not in kept and _compared(text, t)
        ]
        counted.sort(key=lambda pair: pair[0].start)
    # People arriving in Albania's centres or in Greece, unless the sentence names a route.
    placed = _placed(topic, text) if counted and route_here in (None, "italy") else "home"
    if placed == "elsewhere" or (
        placed is None and sentence.where != "title" and _title_abroad(topic, reading)
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
        and (_CONTRAST.search(text) or why.startswith("a share"))
    ):
        found = lead  # "Italy, by contrast, has seen more than 150,000 ...": the same span as before
    if (
        found.period is None
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


def _one_per_count(figures: list[CrossingFigure]) -> list[CrossingFigure]:
    """A count told twice is one figure: a headline's without a period or a route gives way to the
    body's that has them."""
    with_period = {f.count for f in figures if f.period is not None}
    kept = [f for f in figures if f.period is not None or f.count not in with_period]
    routed = {(f.count, f.period) for f in kept if f.route != "other"}
    return [f for f in kept if f.route != "other" or (f.count, f.period) not in routed]


def _where(sentence: Sentence) -> str:
    return "title" if sentence.where == "title" else f"sentence {sentence.index}"
