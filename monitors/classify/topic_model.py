"""The topic as the classifier uses it: people, agencies and places, weights, compiled terms, and
the indexes built from them once (names, the first pass, the joint signal pattern)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from monitors.classify.first_pass import QuickCheck, StemSet
from monitors.classify.patterns import (
    GATE_COUNT_SUBJECTS,
    alternation_of,
    alternatives,
    first_char_gate,
    literal_pattern,
)
from monitors.classify.terms import Terms


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    start: date | None
    end: date | None

    def held_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    country: str
    aliases: tuple[str, ...]
    ambiguous_aliases: frozenset[str]
    fuzzy: tuple[str, ...]
    roles: tuple[Role, ...]
    minister: bool

    def role_on(self, day: date | None) -> str:
        if not self.roles:
            return ""
        if day is not None:
            for role in self.roles:
                if role.held_on(day):
                    return role.title
        return self.roles[-1].title


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    country: str
    city: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    country_only: bool
    aliases: tuple[str, ...]
    region: bool = False  # a region ("Sicily"): a visit there is reported only without a named town
    capital: bool = False  # the country's capital: what "nella capitale" means


@dataclass(frozen=True, slots=True)
class Summit:
    """A gathering with a known venue (topic file `[[summits]]`): `within` are the wider places
    (region, country) a report may name instead of the venue."""

    name: str
    venue: str
    within: frozenset[str]
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Weights:
    title_all_three: float
    title_two: float
    sentence_cooccurrence: float
    max_cooccurring_sentences: int
    named_pair: float
    migration_term: float
    max_migration_terms: int
    visit_found: float
    scale: float
    named_sentence: float = 0.0  # once: named UK and Italian actors in one sentence, migration nearby


@dataclass(frozen=True, slots=True)
class NegativeGroup:
    weight: float
    pattern: Terms


@dataclass(frozen=True, slots=True)
class Entity:
    """What a name in the text refers to: a person, an agency or a place."""

    kind: str  # "person" | "agency" | "place"
    key: str
    country: str
    person: Person | None = None
    agency: Agency | None = None
    place: Place | None = None


@dataclass(frozen=True)
class Topic:
    name: str
    version: int
    relevant_threshold: float
    fuzzy_threshold: float
    fuzzy_min_length: int
    alert_signals: frozenset[str]
    weights: Weights
    people: tuple[Person, ...]
    agencies: tuple[Agency, ...]
    places: tuple[Place, ...]
    uk_terms: Terms
    italy_terms: Terms
    migration_terms: Terms
    comparison_terms: Terms
    negatives: tuple[NegativeGroup, ...]
    figure_context: Terms
    figure_people: Terms
    figure_exclude_sentence: Terms
    figure_exclude_after: Terms
    figure_exclude_before: Terms
    figure_exclude_clause: Terms
    routes: tuple[tuple[str, Terms], ...]
    visit_done: Terms
    visit_planned: Terms
    visit_nouns: Terms
    visit_remote: Terms
    visit_past: Terms
    visit_events: Terms
    generic_words: frozenset[str] = frozenset()
    summits: tuple[Summit, ...] = ()
    names: re.Pattern[str] = field(init=False)
    entity_by_alias: dict[str, Entity] = field(init=False)
    fuzzy_names: dict[str, Person] = field(init=False)
    quick: QuickCheck = field(init=False)
    signal_terms: Terms = field(init=False)

    def __post_init__(self) -> None:
        by_alias = _entities_by_alias(self.people, self.agencies, self.places)
        object.__setattr__(self, "entity_by_alias", by_alias)
        object.__setattr__(self, "names", literal_pattern(list(by_alias)))
        fuzzy = {name: p for p in self.people for name in p.fuzzy}
        object.__setattr__(self, "fuzzy_names", fuzzy)
        object.__setattr__(self, "quick", self._quick_check(by_alias))
        # UK, Italian and migration terms in one pattern, so a sentence is read once for all three.
        groups = {"uk": self.uk_terms, "it": self.italy_terms, "mig": self.migration_terms}
        parts = {name: alternatives(terms.pattern) for name, terms in groups.items()}
        gate = first_char_gate([t for ts in parts.values() for t in ts], True)
        inner = "|".join(f"(?P<{name}>{alternation_of(ts, fold=True)})" for name, ts in parts.items())
        object.__setattr__(self, "signal_terms", Terms(rf"{gate}(?<![\w])(?:{inner})(?![\w])"))

    def _quick_check(self, by_alias: dict[str, Entity]) -> QuickCheck:
        """The first pass's stem sets for the required combination and for crossing figures."""
        by_country: dict[str, list[str]] = {"uk": [], "it": []}
        for alias, entity in by_alias.items():
            if entity.country in by_country:
                by_country[entity.country].append(alias)
        fuzzy_stems = [name[:4] for p in self.people for name in p.fuzzy if p.country == "it"]
        roles = [r.title for p in self.people for r in p.roles if p.country == "uk"]
        generic = self.generic_words
        return QuickCheck(
            uk=StemSet.build(by_country["uk"] + roles, [self.uk_terms.pattern], generic),
            italy=StemSet.build(by_country["it"] + fuzzy_stems, [self.italy_terms.pattern], generic),
            migration=StemSet.build([], [self.migration_terms.pattern], generic),
            figures=StemSet.build([], [self.figure_context.pattern], generic),
            # A count may be named by its subject rather than its people: "gli sbarchi sono stati 25.000"
            # (only the subjects no people word stands beside: "number" or "total" would open the gate
            # to most of a feed mix, and a crossing count always names its people somewhere).
            people=StemSet.build([], [self.figure_people.pattern, GATE_COUNT_SUBJECTS], generic),
        )

    def person(self, person_id: str) -> Person:
        for person in self.people:
            if person.id == person_id:
                return person
        raise KeyError(person_id)


def _entities_by_alias(
    people: tuple[Person, ...], agencies: tuple[Agency, ...], places: tuple[Place, ...]
) -> dict[str, Entity]:
    by_alias: dict[str, Entity] = {}
    for person in people:
        for alias in person.aliases:
            by_alias[alias] = Entity("person", person.id, person.country, person=person)
    for agency in agencies:
        for alias in agency.aliases:
            by_alias[alias] = Entity("agency", agency.id, agency.country, agency=agency)
    for place in places:
        for alias in place.aliases:
            by_alias[alias] = Entity("place", place.name, place.country, place=place)
    return by_alias
