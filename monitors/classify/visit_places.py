"""Where a sentence puts someone: the places of the UK and Italy written as a location ("in Rome",
"a Londra", "al Viminale", "in the province of Avellino", "Rome and Lampedusa"), not as an origin
("from London"), a metonym ("a spokesperson at Downing Street", "da quando è a Palazzo Chigi") or
a past trip cited in passing ("who held talks in Rome last month")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitors.classify.entities import Mention
from monitors.classify.topic_model import Topic

COUNTRY_NAMES = {"uk": "United Kingdom", "it": "Italy"}

# What stands right before a place when someone is (or goes) there.
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|to|at|on|into|inside|island of|city of|province of|region of|visit(?:ed|ing|s)?|tour(?:ed|ing)?"
    r"|reach(?:ed)?|arriv(?:ed|es|ing) in|landed in|left|leaving|leaves|flew to|headed to|heading to|bound for"
    r"|a|ad|al|alla|allo|nella|nel|presso|visitat[oa]|visiterà|visitare|visita|isola di|città di|provincia di"
    r"|regione di|lasciat[oa]|lascia|partit[oaie] (?:insieme )?per|partono per|dirett[oaie] a|davanti al|davanti a"
    r"|outside|(?:portone|porta|door) (?:del|of)|(?:incontro|vertice|colloqui|visita|missione|trasferta|G7|G20"
    r"|summit|riunione|conferenza|palco|festa) di|(?:G7|G20|vertice|summit))\s+(?:the\s+)?(?:Italian\s+|British\s+)?"
    r"(?:island of\s+|isola di\s+)?)$",
    re.IGNORECASE,
)
# An elided article before a place: "nell'Oxfordshire", "all'Eliseo".
_ELIDED_BEFORE = re.compile(r"\b(?:nell|all)['’]$", re.IGNORECASE)
# A place named before the trip it was: "after her London trip", "on an Italy trip", "after London talks".
_TRIP_OWNER_BEFORE = re.compile(r"(?:\b(?:his|her|their|after|an?)|'s|’s)\s+$", re.IGNORECASE)
_TRIP_AFTER = re.compile(r"\s+(?:trip|visit|talks|meeting|stopover)\b", re.IGNORECASE)
# Back from a place: a trip there, done ("di ritorno da Londra", "back from Rome").
_BACK_FROM = re.compile(
    r"\b(?:rientrat[oaie]|tornat[oaie]|di ritorno|back|returning|returned|flew home)\s+(?:da|dalla|dal|from)\s+$",
    re.IGNORECASE,
)
_ORIGIN_BEFORE = re.compile(r"\b(?:from|da|dalla|dal)\s+$", re.IGNORECASE)
# People speaking for a place, not people at it: "a spokesperson at Downing Street said".
_SPEAKING_FOR = re.compile(
    r"\b(?:spokes(?:person|man|woman)|sources?|officials?|fonti|portavoce)\s+(?:at|of|from|in|di|da)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
# A part of the country, not the country: "in southern Italy", "nel sud Italia".
_PART_OF = re.compile(r"\b(?:southern|northern|central|sud|nord|centro|north of|south of)\s+$", re.IGNORECASE)
# "Rome and Lampedusa", "a Roma e a Lampedusa": a place listed after another one.
_LISTED = re.compile(r"^\s*(?:,|and|e|ed|&|as well as)\s*(?:to|in|a|ad)?\s*$", re.IGNORECASE)
# "nella capitale" in Italian copy is Rome (unless another country's capital is meant).
_BARE_CAPITAL = re.compile(
    r"\b(?:nella|alla|la|della|dalla) capitale\b(?!\s+(?:di|del|della|[a-zà-ÿ]+(?:ese|an[oa]|in[oa]|ic[oa]|esc[oa]"
    r"|ens[ei])\b))"
)
# A country's name used for its state, not a place: "on the UK Government's scheme", "Italy's deal".
_ATTRIBUTIVE = re.compile(
    r"(?:'s|’s|\s+(?:[Gg]overnment|governo|authorities|autorità|officials|ministers?|ministr[oi]|side|police"
    r"|[Bb]order|[Hh]ome [Oo]ffice|delegation|delegazione)\b)"
)
# A headline that opens with a place and a break is set there: "Lampedusa, visita del ministro".
_HEADING_AFTER = re.compile(r"\s*[,:–—-]")
_NUMBER_AFTER = re.compile(r"\s+(?:a quota\s+|quota\s+|at\s+)?\d")
# A count of people: "42mila migranti", "1,200 more people".
_COUNT = re.compile(r"(?<![\w.,])\d[\d.,]*(?:mila)?\s+(?:(\w+)\s+)?")
# How far around a place a past-trip marker may stand, in its clause.
_CLAUSE_CUT = re.compile(r"[,;:]")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    start: int
    country_only: bool = False  # "to Italy": a visit there when the trip names no town in it


def locations(
    topic: Topic, text: str, here: list[Mention], title: bool, language: str, past: bool = True
) -> list[Place]:
    """Places of the UK or Italy that the sentence puts someone at. `past`: the item may cite a
    past trip (when False the markers are not looked for)."""
    found: list[Place] = []
    last_end = -1
    for mention in sorted(here, key=lambda m: m.start):
        place = _as_place(mention)
        if place is None:
            continue
        before = text[max(0, mention.start - 40) : mention.start]
        listed = last_end >= 0 and _LISTED.match(text[last_end : mention.start]) is not None
        after = mention.start + len(mention.text)
        heading = (
            title
            and mention.start == 0
            and _HEADING_AFTER.match(text, after)
            # "No 10: Starmer and Meloni discussed ...": an office before a colon is who speaks
            and not (mention.entity.place is None and text[after : after + 1] == ":")
        )
        back = _BACK_FROM.search(before)  # "Rientrata da Londra": she was there
        trip = _TRIP_OWNER_BEFORE.search(before) and _TRIP_AFTER.match(
            text, mention.start + len(mention.text)
        )
        locative = _LOCATIVE_BEFORE.search(before) or _ELIDED_BEFORE.search(before)
        if not (listed or back or trip or locative or (heading and not place.country_only)):
            continue
        if (_ORIGIN_BEFORE.search(before) and not back) or _SPEAKING_FOR.search(before):
            continue
        if _NUMBER_AFTER.match(text, mention.start + len(mention.text)):
            continue  # where a count was made: "a Londra 33mila", "in Italy 66,000"
        if place.country_only and (
            _PART_OF.search(before)
            or _ATTRIBUTIVE.match(text, mention.start + len(mention.text))
            or not _trip_in_clause(topic, text, mention)
        ):
            continue
        if past and _told_as_past(topic, text, mention.start, mention.start + len(mention.text)):
            continue
        found.append(place)
        last_end = mention.start + len(mention.text)
    if language == "it" and "capitale" in text:
        found += _capital(topic, text, found, past)
    return found


def clause_at(text: str, start: int) -> str:
    """The comma-delimited clause of `text` that holds position `start`."""
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(text, 0, start)]
    after = _CLAUSE_CUT.search(text, start)
    return text[cuts[-1] if cuts else 0 : after.start() if after else len(text)]


def _counts_people(topic: Topic, clause: str) -> bool:
    """The clause counts people ("42mila migranti", "1,200 more people"), as a figure does."""
    for match in _COUNT.finditer(clause):
        word = match.start(1) if match.group(1) else match.end()
        if topic.figure_people.match(clause[word:]) or topic.figure_people.match(clause[match.end() :]):
            return True
    return False


def _trip_in_clause(topic: Topic, text: str, mention: Mention) -> bool:
    """A whole country is a destination only in a clause that tells a trip or a meeting: "will
    travel to Italy", "la visita in Italia", not "arrivals in Italy fell"."""
    clause = clause_at(text, mention.start)
    if _counts_people(topic, clause):
        return False  # people counted arriving: "in Italia sono arrivati circa 42mila migranti"
    return bool(
        topic.visit_nouns.search(clause)
        or topic.visit_done.search(clause)
        or topic.visit_planned.search(clause)
    )


def _as_place(mention: Mention) -> Place | None:
    entity = mention.entity
    if entity.country not in COUNTRY_NAMES:
        return None
    if entity.place is not None:
        return Place(entity.place.name, entity.country, mention.start, entity.place.country_only)
    if entity.agency is not None and entity.agency.city:
        return Place(entity.agency.city, entity.country, mention.start)
    return None


def _capital(topic: Topic, text: str, found: list[Place], past: bool) -> list[Place]:
    match = _BARE_CAPITAL.search(text)
    if match is None or (past and _told_as_past(topic, text, match.start(), match.end())):
        return []
    capital = next((p for p in topic.places if p.country == "it" and p.capital), None)
    if capital is None or any(p.name == capital.name for p in found):
        return []
    return [Place(capital.name, "it", match.start())]


def _told_as_past(topic: Topic, text: str, start: int, end: int) -> bool:
    """A past trip cited in passing: a past marker in the place's clause ("who held talks in Rome
    last month", "a due giorni dalla visita di Sunak a Roma"), or opening the sentence ("Il giorno
    dopo il vertice, a Londra...")."""
    before = text[max(0, start - 80) : start]
    cut = list(_CLAUSE_CUT.finditer(before))
    clause_before = before[cut[-1].end() :] if cut else before
    after = text[end : end + 40]
    clause_after = after[: m.start()] if (m := _CLAUSE_CUT.search(after)) else after
    if topic.visit_past.search(f"{clause_before} {text[start:end]} {clause_after}"):
        return True
    opening = topic.visit_past.match(text.lstrip())
    return opening is not None and opening.end() < start
