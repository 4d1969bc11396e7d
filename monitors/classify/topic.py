"""Load a topic file (TOML) into typed, compiled rules. The topic is data; this is its reader."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
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


def words_pattern(terms: list[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One alternation of `terms` (regexes), longest first, bounded so it matches whole words."""
    if not terms:
        return re.compile(r"(?!x)x")
    alternation = "|".join(sorted(terms, key=len, reverse=True))
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"{_first_char_gate(terms, ignore_case)}(?<![\w])(?:{alternation})(?![\w])", flags)


_GATE = re.compile(r"^\(\?=\[(?:\\.|[^\]\\])*\]\)")


def _first_char_gate(terms: list[str], ignore_case: bool) -> str:
    """A look-ahead for the characters the terms can start with: the engine then skips, in C, the
    positions where no term can start (four times faster on long alternations). Empty when a term
    may start with anything."""
    firsts: set[str] = set()
    for term in terms:
        first = term[:1]
        if not first or not (first.isalnum() or first in "'’") or term[1:2] in ("?", "*", "{"):
            return ""
        firsts |= {first.lower(), first.upper()} if ignore_case else {first}
    return "(?=[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "])"


_META = set("\\.^$*+?{}[]|()")


def literal_stem(term: str) -> str:
    """The literal text a regex term starts with, lower-cased ("italian[oaie]" -> "italian",
    "Brits?" -> "brit"); empty when it starts with a group or class."""
    stem: list[str] = []
    for index, ch in enumerate(term):
        if ch in _META:
            if ch in "?*{" and stem:
                stem.pop()  # the character before is optional
            break
        if ch == "\\":
            break
        stem.append(ch)
        if index + 1 < len(term) and term[index + 1] in "?*{":
            stem.pop()
            break
    return "".join(stem).lower()


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern made by `words_pattern`."""
    inner = _GATE.sub("", pattern)
    prefix, suffix = "(?<![\\w])(?:", ")(?![\\w])"
    if inner.startswith(prefix) and inner.endswith(suffix):
        inner = inner[len(prefix) : -len(suffix)]
    parts, depth, current = [], 0, []
    escaped = False
    for ch in inner:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            current.append(ch)
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


# Lower-case, punctuation to spaces: what the first pass splits into words.
_PUNCTUATION = str.maketrans({ch: " " for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»–—…\n\r\t"})
STEM = 6  # the first pass compares the first STEM letters of words
# Words too common to stand for a name in the first pass ("Matteo Piantedosi" stands as "piantedosi").
_GENERIC = frozenset(
    [
        "the",
        "of",
        "di",
        "a",
        "and",
        "for",
        "e",
        "del",
        "dell",
        "della",
        "dei",
        "degli",
        "minister",
        "ministry",
        "ministero",
        "ministro",
        "ministra",
        "interior",
        "interno",
        "government",
        "governo",
        "villa",
        "palazzo",
        "police",
        "polizia",
        "guardia",
        "coast",
        "national",
        "agency",
        "state",
        "stato",
        "home",
        "office",
        "prime",
        "secretary",
        "deputy",
        "foreign",
        "border",
        "security",
        "matteo",
        "mario",
        "giorgia",
        "antonio",
        "luciana",
        "guido",
        "nicola",
        "alfredo",
        "james",
        "keir",
        "rishi",
        "david",
        "yvette",
        "shabana",
        "suella",
        "priti",
        "boris",
        "liz",
        "robert",
        "michael",
        "angela",
        "seema",
        "alex",
        "mike",
        "martin",
        "lord",
        "sir",
        "dame",
        "mr",
        "ms",
        "mrs",
        "small",
        "came",
        "reached",
        "rescued",
    ]
)


def _key_word(text: str, *, open_end: bool) -> tuple[str, bool] | None:
    """The word of a name or phrase the first pass looks for (the longest one that is not generic),
    cut to STEM letters, and whether it is only the start of a word shorter than that ("sbarc" of
    "sbarc\\w*"), which a set of cut words cannot find."""
    words = quick_words(text)
    if not words:
        return None
    telling = [w for w in words if w not in _GENERIC] or words[:1]
    word = max(telling, key=len)
    return word[:STEM], open_end and word is words[-1] and len(word) < STEM


def quick_text(text: str) -> str:
    """Lower case, punctuation and line breaks as spaces, a space in front: the text the first
    pass reads."""
    return " " + text.lower().translate(_PUNCTUATION)


_CUT = itemgetter(slice(None, STEM))


def quick_keys(text: str) -> tuple[str, set[str]]:
    """The first pass's text (quick_text) and the starts (up to STEM letters) of its words."""
    folded = quick_text(text)
    return folded, set(map(_CUT, folded.split()))


def quick_words(text: str) -> list[str]:
    return quick_text(text).split()


@dataclass(frozen=True, slots=True)
class StemSet:
    """A superset test for a list of names and regex terms: the first word of each, cut to STEM
    letters, looked up among the text's words cut the same way. Terms without a literal start of at
    least 3 letters are kept as a (small) regex."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]  # word starts shorter than STEM, each after a space
    rest: re.Pattern[str] | None  # terms with no literal start, on the original text

    @classmethod
    def build(cls, literals: list[str], patterns: list[Terms]) -> StemSet:
        starts = [(literal.lower(), False) for literal in literals if literal]
        rest: list[str] = []
        for pattern in patterns:
            for term in _alternatives(pattern.pattern):
                stem = literal_stem(term)
                if len(stem) >= 3:
                    starts.append((stem, stem != term.lower()))
                elif term:
                    rest.append(f"(?:{term})")
        stems: set[str] = set()
        prefixes: set[str] = set()
        for start, open_end in starts:
            key = _key_word(start, open_end=open_end)
            if key is not None:
                (prefixes if key[1] else stems).add(key[0])
        return cls(
            frozenset(stems),
            tuple(f" {p}" for p in sorted(prefixes)),
            re.compile("|".join(rest), re.IGNORECASE) if rest else None,
        )

    def found(self, keys: AbstractSet[str], folded: str, text: str) -> bool:
        """`keys`: the text's words cut to STEM; `folded`: quick_text(text); `text`: the original."""
        if not self.stems.isdisjoint(keys):
            return True
        if self.prefixes:
            # `folded` starts with a space (quick_text), so every word follows one: plain
            # substring searches, much faster than a regex over the whole text.
            for prefix in self.prefixes:
                if prefix in folded:
                    return True
        return self.rest is not None and self.rest.search(text) is not None


@dataclass(frozen=True, slots=True)
class QuickCheck:
    uk: StemSet
    italy: StemSet
    migration: StemSet
    figures: StemSet
    people: StemSet

    def may_be_relevant(self, keys: AbstractSet[str], folded: str, text: str) -> bool:
        return self.missing(keys, folded, text) is None

    def missing(self, keys: AbstractSet[str], folded: str, text: str) -> str | None:
        """What of the required combination the text surely lacks (the first found), or None."""
        if not self.italy.found(keys, folded, text):
            return "Italian actor"
        if not self.migration.found(keys, folded, text):
            return "migration term"
        if not self.uk.found(keys, folded, text):
            return "UK actor"
        return None

    def may_have_figures(self, keys: AbstractSet[str], folded: str, text: str) -> bool:
        return self.people.found(keys, folded, text) and self.figures.found(keys, folded, text)


_KEEP = re.compile(r"(\\.|\(\?P<\w+>|\(\?P=\w+\))|([A-Z])")


def fold_case(pattern: str) -> str:
    """A pattern's letters in lower case, escapes and group names kept: for lower-cased text."""
    return _KEEP.sub(lambda m: m.group(1) or m.group(2).lower(), pattern)


class Terms:
    """A case-insensitive pattern of topic terms, run as a lower-case pattern on lower-cased text
    (four times faster than re.IGNORECASE). Matches are on the lower-cased text; positions are
    the same as in the original (a text whose length lower-casing changes uses re.IGNORECASE)."""

    __slots__ = ("_folded", "_ignore_case", "_stems", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._stems: StemSet | None = None
        self._ignore_case = re.compile(pattern, re.IGNORECASE)
        self._folded = re.compile(fold_case(pattern))

    def _pick(self, text: str) -> tuple[re.Pattern[str], str]:
        lowered = text.lower()
        if len(lowered) == len(text):
            return self._folded, lowered
        return self._ignore_case, text

    def search(self, text: str) -> re.Match[str] | None:
        pattern, subject = self._pick(text)
        return pattern.search(subject)

    def match(self, text: str) -> re.Match[str] | None:
        pattern, subject = self._pick(text)
        return pattern.match(subject)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pattern, subject = self._pick(text)
        return pattern.finditer(subject)

    def may_occur(self, words: Words | None) -> bool:
        """False when no term can be in the text `words` were read from (a set lookup); True
        when one may be, or when there are no words to ask."""
        if words is None:
            return True
        if self._stems is None:
            self._stems = StemSet.build([], [self])
        return self._stems.found(words.keys, words.folded, words.text)


@dataclass(frozen=True, slots=True)
class Words:
    """An item's text as the first pass reads it, kept to gate later patterns."""

    text: str
    folded: str
    keys: AbstractSet[str]

    @classmethod
    def of(cls, text: str) -> Words:
        folded, keys = quick_keys(text)
        return cls(text, folded, keys)


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
    uk_terms: Terms
    italy_terms: Terms
    migration_terms: Terms
    negatives: tuple[NegativeGroup, ...]
    figure_context: Terms
    figure_people: Terms
    figure_exclude_sentence: Terms
    figure_exclude_after: Terms
    figure_exclude_before: Terms
    routes: tuple[tuple[str, Terms], ...]
    visit_done: Terms
    visit_planned: Terms
    visit_nouns: Terms
    visit_remote: Terms
    names: re.Pattern[str] = field(init=False)
    entity_by_alias: dict[str, Entity] = field(init=False)
    fuzzy_names: dict[str, Person] = field(init=False)
    quick: QuickCheck = field(init=False)
    signal_terms: Terms = field(init=False)

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
        # The first pass proper: word stems looked up in a set, so that an item that cannot meet the
        # required combination (or hold a crossing figure) costs a few microseconds.
        by_country: dict[str, list[str]] = {"uk": [], "it": []}
        for alias, entity in by_alias.items():
            if entity.country in by_country:
                by_country[entity.country].append(alias)
        fuzzy_stems = [name[:4] for p in self.people for name in p.fuzzy if p.country == "it"]
        roles = [r.title for p in self.people for r in p.roles if p.country == "uk"]
        quick = QuickCheck(
            uk=StemSet.build(by_country["uk"] + roles, [self.uk_terms]),
            italy=StemSet.build(by_country["it"] + fuzzy_stems, [self.italy_terms]),
            migration=StemSet.build([], [self.migration_terms]),
            figures=StemSet.build([], [self.figure_context]),
            people=StemSet.build([], [self.figure_people]),
        )
        object.__setattr__(self, "quick", quick)
        # UK, Italian and migration terms in one pattern, so a sentence is read once for all three.
        groups = {"uk": self.uk_terms, "it": self.italy_terms, "mig": self.migration_terms}
        alternatives = {name: _alternatives(terms.pattern) for name, terms in groups.items()}
        gate = _first_char_gate([t for ts in alternatives.values() for t in ts], True)
        inner = "|".join(f"(?P<{name}>{'|'.join(ts)})" for name, ts in alternatives.items())
        object.__setattr__(self, "signal_terms", Terms(rf"{gate}(?<![\w])(?:{inner})(?![\w])"))

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


def _compile(terms: list[str], what: str) -> Terms:
    try:
        return Terms(words_pattern(terms, ignore_case=True).pattern)
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
