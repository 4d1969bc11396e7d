"""Ministerial visits: a UK minister in Italy or an Italian minister in the UK, done or planned.

A visit is read from a sentence that puts a minister of one country at a place of the other
("in Rome", "to London", "a Londra", "al Viminale", "visited Lampedusa") with evidence of an
in-person meeting, and no sign that the contact was remote (a phone or video call). The traveller
is a minister of the other country named in the sentence, or, when the sentence says "he", "the
two" or (in Italian) leaves the subject implicit, the minister the previous sentences were about.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from monitors.classify.dates import find_day_month, find_full_date, weekday_near
from monitors.classify.entities import Mention
from monitors.classify.first_pass import Words
from monitors.classify.ministers import (
    ITALIAN_ROLE_HINTS,
    Minister,
    counterpart_of,
    role_of,
    roles_in,
    roles_of,
)
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Person, Topic
from monitors.models import MinisterialVisit, VisitStatus

COUNTRY_NAMES = {"uk": "United Kingdom", "it": "Italy"}
OTHER = {"uk": "it", "it": "uk"}

# What stands right before a place when someone is (or goes) there.
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|to|at|on|into|inside|island of|city of|visit(?:ed|ing|s)?|tour(?:ed|ing)?|reach(?:ed)?"
    r"|arriv(?:ed|es|ing) in|a|ad|al|alla|allo|nella|nel|presso|visitat[oa]|visiterà|visitare|visita"
    r"|isola di|città di|(?:incontro|vertice|colloqui|visita|missione|trasferta) di)\s+(?:the\s+)?(?:Italian\s+|British\s+)?(?:island of\s+|isola di\s+)?)$",
    re.IGNORECASE,
)
_ORIGIN_BEFORE = re.compile(r"\b(?:from|da|dalla|dal)\s+$", re.IGNORECASE)
# A sentence that starts with these is about the person the previous sentence was about.
_PRONOUN = re.compile(
    r"\b(?:he|she|they|the two|the pair|both|lui|lei|i due|entrambi|the (?:home|foreign) secretary"
    r"|the prime minister|the minister)\b",
    re.IGNORECASE,
)
_PLURAL = Terms(r"\b(?:they|the two|the pair|both|i due|entrambi)\b")


# Role phrases the gazetteer's English titles do not cover.
@dataclass(frozen=True, slots=True)
class _Place:
    name: str
    country: str
    start: int
    country_only: bool = False  # "to Italy": tells the tense of a trip, but a visit needs a place


def _locations(topic: Topic, text: str, here: list[Mention], *, title: bool) -> list[_Place]:
    """Places of the UK or Italy that the sentence puts someone at."""
    found: list[_Place] = []
    for mention in here:
        entity = mention.entity
        if entity.country not in COUNTRY_NAMES:
            continue
        country_only = entity.place is not None and entity.place.country_only
        if entity.place is not None:
            name = entity.place.name
        elif entity.agency is not None and entity.agency.city:
            name = entity.agency.city
        else:
            continue
        before = text[max(0, mention.start - 40) : mention.start]
        if _ORIGIN_BEFORE.search(before):
            continue
        if _LOCATIVE_BEFORE.search(before) or (title and mention.start == 0):
            found.append(_Place(name, entity.country, mention.start, country_only))
    return found


@dataclass(slots=True)
class _Told:
    """The visits read so far, by (traveller id, place), and the tenses each was told in; the
    place "" collects the tenses of a traveller's trip told without a place ("to Italy")."""

    visits: dict[tuple[str, str], MinisterialVisit] = field(default_factory=dict)
    tenses: defaultdict[tuple[str, str], set[VisitStatus]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True, slots=True)
class _Context:
    """What every sentence of an item is read against."""

    topic: Topic
    published: date | None
    reference: date | None
    hints: set[str]
    counts: Counter[str]


def extract_visits(
    topic: Topic,
    sentences: list[Sentence],
    mentions: list[Mention],
    published: date | None,
    *,
    language: str = "en",
    words: Words | None = None,
) -> list[MinisterialVisit]:
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_sentence[mention.sentence].append(mention)
    mentioned = list(dict.fromkeys(m.entity.person for m in mentions if m.entity.person is not None))
    counts = Counter(m.entity.person.id for m in mentions if m.entity.person is not None)
    reference = published or next(
        (d for s in sentences[:3] if (d := find_full_date(s.text)) is not None), None
    )
    places_in = [
        _locations(topic, s.text, by_sentence.get(s.index, []), title=s.where == "title") for s in sentences
    ]
    last_with_place = max((i for i, p in enumerate(places_in) if p), default=-1)
    if last_with_place < 0:
        return []  # nobody is anywhere: no visit
    titles, role_pattern = roles_of(topic)
    english_roles = role_pattern.may_occur(words)
    may_be_remote = topic.visit_remote.may_occur(words)
    italian_roles = words is None or any(hint in words.folded for hint in ITALIAN_ROLE_HINTS)
    # Role titles the text names, to tell an undated person's role ("the Home Secretary").
    hints = (
        {m.group(0).lower().rstrip("s") for s in sentences for m in role_pattern.finditer(s.text)}
        if reference is None and english_roles
        else set()
    )
    context = _Context(topic, published, reference, hints, counts)
    told = _Told()
    previous: list[Minister] = []
    previous_remote = False
    last_traveller: Person | None = None
    for position, sentence in enumerate(sentences[: last_with_place + 1]):
        text = sentence.text
        here = by_sentence.get(sentence.index, [])
        named = [m for m in here if m.entity.person is not None and m.entity.person.minister]
        ministers = [Minister(m.start, m.entity.person) for m in named if m.entity.person is not None]
        ministers += roles_in(
            topic,
            text,
            role_pattern,
            titles,
            named,
            mentioned,
            reference,
            language,
            english=english_roles,
            italian=italian_roles,
        )
        ministers.sort(key=lambda m: m.start)
        places = places_in[position]
        evidence = bool(places) and (sentence.where == "title" or _tells_a_meeting(topic, text))
        remote = may_be_remote and topic.visit_remote.search(text) is not None
        traveller_here: Person | None = None
        if places and evidence and not remote:
            implicit = (previous, last_traveller, language, previous_remote)
            traveller_here = _read_places(context, told, text, places, ministers, implicit)
        if ministers:
            previous, previous_remote = ministers, remote
        last_traveller = traveller_here or (last_traveller if not ministers else None)

    ids = {p.name: p.id for p in topic.people}
    resolved = []
    for key, visit in told.visits.items():
        # A sentence with no tense ("Ms Cooper's trip to Rome") takes the tense of the trip.
        statuses = told.tenses[key] or told.tenses[(ids[visit.minister], "")] or {"done"}
        resolved.append(replace(visit, status="done" if "done" in statuses else "planned"))
    return _drop_regions(topic, resolved)


def _tells_a_meeting(topic: Topic, text: str) -> bool:
    return bool(
        topic.visit_nouns.search(text) or topic.visit_done.search(text) or topic.visit_planned.search(text)
    )


def _read_places(
    context: _Context,
    told: _Told,
    text: str,
    places: list[_Place],
    ministers: list[Minister],
    implicit: tuple[list[Minister], Person | None, str, bool],
) -> Person | None:
    """Record the visits one sentence tells (a traveller at each of its places); the traveller
    of the last one, if any. `implicit`: what an unnamed traveller is read from (see _implicit)."""
    topic = context.topic
    traveller_here: Person | None = None
    for place in places:
        wanted = OTHER[place.country]
        travellers = [m.person for m in ministers if m.person.country == wanted]
        if not travellers:
            previous, last_traveller, language, previous_remote = implicit
            travellers = _implicit(text, previous, last_traveller, wanted, language, previous_remote)
        if not travellers:
            continue
        traveller = travellers[0]
        if place.country_only:
            if (status := _status(topic, text)) is not None:
                told.tenses[(traveller.id, "")].add(status)
            continue
        traveller_here = traveller
        hosts = [m.person for m in ministers if m.person.country == place.country]
        status = _status(topic, text)
        day = _visit_date(text, context.published, status)
        role = role_of(traveller, day or context.reference, context.hints)
        counterpart = (
            hosts[0] if hosts else counterpart_of(topic, traveller, role, context.reference, context.counts)
        )
        key = (traveller.id, place.name)
        visit = MinisterialVisit(
            minister=traveller.name,
            role=role,
            from_country=COUNTRY_NAMES[wanted],
            destination=place.name,
            destination_country=COUNTRY_NAMES[place.country],
            counterpart=counterpart.name if counterpart else None,
            date=day,
            status=status or "done",
            sentence=text,
        )
        told.visits[key] = _merge(told.visits.get(key), visit)
        if status is not None:
            told.tenses[key].add(status)
            told.tenses[(traveller.id, "")].add(status)
    return traveller_here


def _drop_regions(topic: Topic, visits: list[MinisterialVisit]) -> list[MinisterialVisit]:
    """ "In Puglia" adds nothing when the same trip names the town (Borgo Egnazia)."""
    regions = {p.name for p in topic.places if p.region}
    towns = {(v.minister, v.destination_country) for v in visits if v.destination not in regions}
    return [
        v for v in visits if v.destination not in regions or (v.minister, v.destination_country) not in towns
    ]


def _implicit(
    text: str,
    previous: list[Minister],
    last_traveller: Person | None,
    wanted: str,
    language: str,
    previous_remote: bool = False,
) -> list[Person]:
    """The traveller a sentence refers to without naming: by a pronoun, or by Italian's dropped subject."""
    if last_traveller is not None and last_traveller.country == wanted:
        return [last_traveller]
    if previous and _PLURAL.search(text):
        return [m.person for m in previous if m.person.country == wanted][:1]
    # "She" after a phone call is not known to have travelled; "the two" may have fixed a meeting.
    if previous and not previous_remote and (_PRONOUN.search(text) or language == "it"):
        first = previous[0].person
        if first.country == wanted:
            return [first]
    return []


def _status(topic: Topic, text: str) -> VisitStatus | None:
    planned = topic.visit_planned.search(text)
    done = topic.visit_done.search(text)
    if planned:
        if (
            done
            and done.start() < planned.start()
            and not re.search(r"\bwill\b|\bis to\b|\bare to\b", text[: done.start()])
        ):
            return "done"
        return "planned"
    return "done" if done else None


def _visit_date(text: str, published: date | None, status: VisitStatus | None) -> date | None:
    return (
        find_full_date(text)
        or find_day_month(text, published)
        or weekday_near(text, published, future=status == "planned")
    )


def _merge(old: MinisterialVisit | None, new: MinisterialVisit) -> MinisterialVisit:
    """One visit told by several sentences keeps the first sentence and fills in what it lacks."""
    if old is None:
        return new
    return replace(old, counterpart=old.counterpart or new.counterpart, date=old.date or new.date)
