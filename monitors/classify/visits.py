"""Ministerial visits: a UK minister in Italy or an Italian minister in the UK, done or planned.

A visit is read from a sentence that puts a minister of one country at a place of the other
("in Rome", "to London", "a Londra", "al Viminale", "visited Lampedusa") with evidence of an
in-person meeting, and no sign that the contact was remote (a phone or video call). The traveller
is a minister of the other country named in the sentence, or, when the sentence says "he", "the
two" or (in Italian) leaves the subject implicit, the minister the previous sentences were about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from monitors.classify.cast import Cast
from monitors.classify.dates import find_day_month, find_full_date, weekday_near
from monitors.classify.first_pass import Words
from monitors.classify.ministers import Minister, counterpart_of, role_of
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Person, Topic
from monitors.classify.visit_places import COUNTRY_NAMES, Place, clause_at, locations
from monitors.models import MinisterialVisit, VisitStatus

OTHER = {"uk": "it", "it": "uk"}
# A sentence that starts with these is about the person the previous sentence was about.
_PRONOUN = re.compile(
    r"\b(?:he|she|they|the two|the pair|both|lui|lei|i due|entrambi|the (?:home|foreign) secretary"
    r"|the prime minister|the minister)\b",
    re.IGNORECASE,
)
_PLURAL = Terms(r"\b(?:they|the two|the pair|both|i due|entrambi)\b")
_SCENE_REACH = 2  # how many sentences after an event's place ("the G7 met in Avellino") may use it


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
    cast: Cast


def extract_visits(cast: Cast, published: date | None, words: Words | None = None) -> list[MinisterialVisit]:
    """The visits an item tells, read from the people of each sentence (`cast`)."""
    topic, sentences = cast.topic, cast.sentences
    places_in = [
        locations(
            topic, s.text, cast.mentions_in(s.index), s.where == "title", cast.language, cast.past_possible
        )
        if cast.mentions_in(s.index) or "capitale" in s.text
        else []
        for s in sentences
    ]
    last_with_place = max((i for i, p in enumerate(places_in) if p), default=-1)
    if last_with_place < 0:
        return []  # nobody is anywhere: no visit
    context = _Context(topic, published, cast)
    reader = _Reader(context, cast, topic.visit_remote.may_occur(words))
    for position, sentence in enumerate(sentences[: last_with_place + 1 + _SCENE_REACH]):
        if position > last_with_place and not reader.scene:
            break  # past the last place, only an event's place can still be used
        reader.read(sentence, position, places_in[position])
    return reader.resolved()


@dataclass(slots=True)
class _Reader:
    """Reads an item's sentences in order, keeping who the last ones were about."""

    context: _Context
    cast: Cast
    may_be_remote: bool
    told: _Told = field(default_factory=lambda: _Told())
    previous: list[Minister] = field(default_factory=list)
    previous_remote: bool = False
    last_traveller: Person | None = None
    scene: list[Place] = field(default_factory=list)  # an event's place no traveller was put at yet
    scene_age: int = 0

    def read(self, sentence: Sentence, position: int, places: list[Place]) -> None:
        topic, text = self.context.topic, sentence.text
        ministers = self.cast.ministers(position)
        evidence = bool(places or self.scene) and (sentence.where == "title" or _tells_a_meeting(topic, text))
        remote = self.may_be_remote and topic.visit_remote.search(text) is not None
        traveller_here: Person | None = None
        if evidence and not remote:
            implicit = (self.previous, self.last_traveller, self.cast.language, self.previous_remote)
            # A sentence with no place of its own may be at the event the one before placed.
            at = places or self._at_scene(text, ministers)
            traveller_here = _read_places(self.context, self.told, text, at, ministers, implicit)
        self.scene_age += 1
        if places:
            # An event set somewhere with nobody named yet ("the G7 opened in Avellino").
            # (Its host may be named: "Opening the summit in London, Starmer said...")
            # The gathering must be told in the place's own clause: "riunito a Fiuggi".
            self.scene = (
                [
                    p
                    for p in places
                    if not p.country_only and topic.visit_events.search(clause_at(text, p.start))
                ]
                if traveller_here is None
                else []
            )
            self.scene_age = 0
        elif self.scene_age > _SCENE_REACH or traveller_here is not None:
            self.scene = []
        if ministers:
            self.previous, self.previous_remote = ministers, remote
        self.last_traveller = traveller_here or (self.last_traveller if not ministers else None)

    def _at_scene(self, text: str, ministers: list[Minister]) -> list[Place]:
        """The event's place, for a sentence about one of its guests that does not open in the
        past ("Il giorno dopo il vertice, ...")."""
        if not self.scene or self.context.topic.visit_past.match(text) is not None:
            return []
        return [p for p in self.scene if any(m.person.country == OTHER[p.country] for m in ministers)]

    def resolved(self) -> list[MinisterialVisit]:
        topic, told = self.context.topic, self.told
        ids = {p.name: p.id for p in topic.people}
        visits = []
        for key, visit in told.visits.items():
            # A sentence with no tense ("Ms Cooper's trip to Rome") takes the tense of the trip.
            statuses = told.tenses[key] or told.tenses[(ids[visit.minister], "")] or {"done"}
            visits.append(replace(visit, status="done" if "done" in statuses else "planned"))
        context = self.context
        return _drop_wider(topic, _at_venues(topic, visits, context.published, context.cast.sentences))


# How long before a summit a trip to it is reported ("sarà in Campania da mercoledì"), and after.
_SUMMIT_BEFORE = timedelta(days=10)
_SUMMIT_AFTER = timedelta(days=3)


def _at_venues(
    topic: Topic, visits: list[MinisterialVisit], published: date | None, sentences: list[Sentence]
) -> list[MinisterialVisit]:
    """A trip to a summit's region ("in Puglia per il vertice", "on a trip to England for the European
    Political Community") is a trip to its venue, when the item names a gathering and
    was published while the summit was near (the topic's `[[summits]]`)."""
    if not visits or published is None:
        return visits
    near = [s for s in topic.summits if s.start - _SUMMIT_BEFORE <= published <= s.end + _SUMMIT_AFTER]
    if not near or not any(topic.visit_events.search(s.text) for s in sentences):
        return visits
    kept: dict[tuple[str, str], MinisterialVisit] = {}
    for visit in visits:
        summit = next((s for s in near if visit.destination in s.within), None)
        if summit is not None:
            visit = replace(visit, destination=summit.venue)
        key = (visit.minister, visit.destination)
        kept[key] = _merge(kept.get(key), visit)
    return list(kept.values())


def _tells_a_meeting(topic: Topic, text: str) -> bool:
    return bool(
        topic.visit_nouns.search(text) or topic.visit_done.search(text) or topic.visit_planned.search(text)
    )


def _read_places(
    context: _Context,
    told: _Told,
    text: str,
    places: list[Place],
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
            # A whole country needs a traveller the sentence points to, not Italian's dropped
            # subject ("Nel Regno Unito sono arrivate 29mila persone" is nobody's trip).
            language = "" if place.country_only else language
            travellers = _implicit(text, previous, last_traveller, wanted, language, previous_remote)
            # After a call, "the two" can only have fixed a trip: a meeting told as done ("dopo
            # l'incontro di Blenheim") is a past one cited, not this item's trip.
            if previous_remote and travellers and _status(topic, text) != "planned":
                continue
        if not travellers:
            continue
        traveller = traveller_here = travellers[0]
        hosts = [m.person for m in ministers if m.person.country == place.country]
        status = _status(topic, text)
        day = _visit_date(text, context.published, status)
        reference = context.cast.reference
        role = role_of(
            traveller, day or reference, context.cast.hints if (day or reference) is None else set()
        )
        counterpart = (
            hosts[0] if hosts else counterpart_of(topic, traveller, role, reference, context.cast.counts)
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


def _drop_wider(topic: Topic, visits: list[MinisterialVisit]) -> list[MinisterialVisit]:
    """ "In Puglia" or "in Italy" adds nothing when the same trip names the town (Borgo Egnazia): a
    region is reported only for a trip that names no town in it, the whole country only for a
    trip that names no town or region in it."""
    regions = {p.name for p in topic.places if p.region}
    countries = {p.name for p in topic.places if p.country_only}
    towns = {(v.minister, v.destination_country) for v in visits if v.destination not in regions | countries}
    placed = {(v.minister, v.destination_country) for v in visits if v.destination not in countries}
    kept = []
    for visit in visits:
        trip = (visit.minister, visit.destination_country)
        if (visit.destination in regions and trip in towns) or (
            visit.destination in countries and trip in placed
        ):
            continue
        kept.append(visit)
    return kept


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
