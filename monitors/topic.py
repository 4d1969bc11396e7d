"""Load a topic file (TOML) into typed, compiled rules. The topic is data; this is its reader."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from monitors.errors import ConfigError

DEFAULT_TOPIC = Path(__file__).parent / "topics" / "uk_italy_migration.toml"


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


@dataclass(frozen=True, slots=True)
class NegativeGroup:
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Entity:
    """What a name in the text refers to: a person, an agency or a place."""

    kind: str  # "person" | "agency" | "place"
    key: str
    country: str
    person: Person | None = None
    agency: Agency | None = None
    place: Place | None = None


def words_pattern(terms: list[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One alternation of `terms` (regexes), longest first, bounded so it matches whole words."""
    if not terms:
        return re.compile(r"(?!x)x")
    alternation = "|".join(sorted(terms, key=len, reverse=True))
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", flags)


def literal_pattern(aliases: list[str]) -> re.Pattern[str]:
    return words_pattern([re.escape(a) for a in aliases], ignore_case=False)


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
    uk_terms: re.Pattern[str]
    italy_terms: re.Pattern[str]
    migration_terms: re.Pattern[str]
    negatives: tuple[NegativeGroup, ...]
    figure_context: re.Pattern[str]
    figure_people: re.Pattern[str]
    figure_exclude_sentence: re.Pattern[str]
    figure_exclude_after: re.Pattern[str]
    figure_exclude_before: re.Pattern[str]
    routes: tuple[tuple[str, re.Pattern[str]], ...]
    visit_done: re.Pattern[str]
    visit_planned: re.Pattern[str]
    visit_nouns: re.Pattern[str]
    visit_remote: re.Pattern[str]
    names: re.Pattern[str] = field(init=False)
    entity_by_alias: dict[str, Entity] = field(init=False)
    fuzzy_names: dict[str, Person] = field(init=False)
    prefilter: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        by_alias: dict[str, Entity] = {}
        for person in self.people:
            for alias in person.aliases:
                by_alias[alias] = Entity("person", person.id, person.country, person=person)
        for agency in self.agencies:
            for alias in agency.aliases:
                by_alias[alias] = Entity("agency", agency.id, agency.country, agency=agency)
        for place in self.places:
            for alias in place.aliases:
                by_alias[alias] = Entity("place", place.name, place.country, place=place)
        object.__setattr__(self, "entity_by_alias", by_alias)
        object.__setattr__(self, "names", literal_pattern(list(by_alias)))
        fuzzy = {name: p for p in self.people for name in p.fuzzy}
        object.__setattr__(self, "fuzzy_names", fuzzy)
        # The cheap first pass: an item that names nothing Italian cannot be relevant.
        italian_aliases = [a for a, e in by_alias.items() if e.country == "it"]
        stems = [re.escape(a) for a in italian_aliases] + [self.italy_terms.pattern]
        object.__setattr__(self, "prefilter", re.compile("|".join(stems), re.IGNORECASE))

    def person(self, person_id: str) -> Person:
        for person in self.people:
            if person.id == person_id:
                return person
        raise KeyError(person_id)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _strs(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"topic file: {what} must be a list of strings")
    return list(value)


def _compile(terms: list[str], what: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    try:
        return words_pattern(terms, ignore_case=ignore_case)
    except re.error as exc:
        raise ConfigError(f"topic file: bad pattern in {what}: {exc}") from exc


def parse_topic(data: dict[str, Any]) -> Topic:
    try:
        thresholds = data["thresholds"]
        weights = Weights(**data["weights"])
        people = tuple(
            Person(
                id=p["id"],
                name=p["name"],
                country=p["country"],
                aliases=tuple(_strs(p["aliases"], f"people.{p['id']}.aliases")),
                ambiguous_aliases=frozenset(p.get("ambiguous_aliases", [])),
                fuzzy=tuple(p.get("fuzzy", [])),
                roles=tuple(
                    Role(r["title"], _date(r.get("start")), _date(r.get("end"))) for r in p.get("roles", [])
                ),
                minister=bool(p.get("minister", True)),
            )
            for p in data.get("people", [])
        )
        agencies = tuple(
            Agency(a["id"], a["name"], a["country"], a.get("city"), tuple(a["aliases"]))
            for a in data.get("agencies", [])
        )
        places = tuple(
            Place(
                p["name"],
                p["country"],
                bool(p.get("country_only", False)),
                tuple(_strs(p["aliases"], f"places.{p['name']}.aliases")),
                bool(p.get("region", False)),
            )
            for p in data.get("places", [])
        )
        terms = data["terms"]
        figures = data["figures"]
        visits = data["visits"]
        routes = tuple(
            (route, _compile(_strs(patterns, f"routes.{route}"), f"routes.{route}"))
            for route, patterns in data["routes"].items()
        )
        return Topic(
            name=data["topic"]["name"],
            version=int(data["topic"].get("version", 1)),
            relevant_threshold=float(thresholds["relevant"]),
            fuzzy_threshold=float(thresholds.get("fuzzy_name", 80)),
            fuzzy_min_length=int(thresholds.get("fuzzy_min_length", 8)),
            alert_signals=frozenset(data.get("alerts", {}).get("signals", [])),
            weights=weights,
            people=people,
            agencies=agencies,
            places=places,
            uk_terms=_compile(_strs(terms["uk"], "terms.uk"), "terms.uk"),
            italy_terms=_compile(_strs(terms["italy"], "terms.italy"), "terms.italy"),
            migration_terms=_compile(_strs(terms["migration"], "terms.migration"), "terms.migration"),
            negatives=tuple(
                NegativeGroup(float(g["weight"]), _compile(_strs(g["terms"], "negative"), "negative"))
                for g in data.get("negative", [])
            ),
            figure_context=_compile(_strs(figures["context"], "figures.context"), "figures.context"),
            figure_people=_compile(_strs(figures["people"], "figures.people"), "figures.people"),
            figure_exclude_sentence=_compile(
                _strs(figures["exclude_sentence"], "figures.exclude_sentence"),
                "figures.exclude_sentence",
            ),
            figure_exclude_after=_compile(
                _strs(figures["exclude_after"], "figures.exclude_after"), "figures.exclude_after"
            ),
            figure_exclude_before=_compile(
                _strs(figures.get("exclude_before", []), "figures.exclude_before"),
                "figures.exclude_before",
            ),
            routes=routes,
            visit_done=_compile(_strs(visits["verbs_done"], "visits.verbs_done"), "visits"),
            visit_planned=_compile(_strs(visits["verbs_planned"], "visits.verbs_planned"), "visits"),
            visit_nouns=_compile(_strs(visits["nouns"], "visits.nouns"), "visits.nouns"),
            visit_remote=_compile(_strs(visits.get("remote", []), "visits.remote"), "visits.remote"),
        )
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"topic file: missing or malformed entry: {exc}") from exc


def load_topic(path: Path | None = None) -> Topic:
    return _load_topic_cached(str(path or DEFAULT_TOPIC))


@lru_cache(maxsize=8)
def _load_topic_cached(path: str) -> Topic:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"topic file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"topic file {path} is not valid TOML: {exc}") from exc
    return parse_topic(data)
