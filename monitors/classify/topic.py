"""Load a topic file (TOML) into typed, compiled rules. The topic is data; this is its reader:
the schema (topic_file) checks it, then its terms are compiled and its indexes built
(topic_model)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from monitors.classify.patterns import words_pattern
from monitors.classify.terms import Terms
from monitors.classify.topic_file import TopicFile
from monitors.classify.topic_model import (
    Agency,
    NegativeGroup,
    Person,
    Place,
    Role,
    Summit,
    Topic,
    Weights,
)
from monitors.errors import ConfigError

__all__ = ["DEFAULT_TOPIC", "Topic", "load_topic", "parse_topic"]

DEFAULT_TOPIC = Path(__file__).parent / "topics" / "uk_italy_migration.toml"


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
    return parse_topic(data, source=path)


def parse_topic(data: dict[str, Any], *, source: str = "(given as data)") -> Topic:
    """A topic from the parsed TOML; ConfigError naming the field when it is malformed."""
    try:
        spec = TopicFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"topic file {source}: {_field(first['loc'], data)}: {_problem(first)}") from exc
    return _build(spec, source)


def _field(loc: tuple[int | str, ...], data: Any) -> str:
    """A pydantic location as a reader finds it: `people[matteo-piantedosi].aliases`."""
    out = ""
    node = data
    for part in loc:
        if part == "[key]":
            continue  # the key itself is wrong ("routes.lampedusa_island")
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = (node.get("id") or node.get("name")) if isinstance(node, dict) else None
            out += f"[{label or part}]"
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


_LISTS_OF_TABLES = frozenset(["people", "agencies", "places", "negative", "roles"])


def _problem(error: ErrorDetails) -> str:
    kind, last = error["type"], error["loc"][-1] if error["loc"] else ""
    if kind == "list_type":
        return "must be a list" if last in _LISTS_OF_TABLES else "must be a list of strings"
    if kind == "string_type" and isinstance(last, int):
        return "must be a list of strings"
    if kind == "missing":
        return "missing or malformed: required"
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    return f"missing or malformed: {error['msg']}"


def _build(spec: TopicFile, source: str) -> Topic:
    generic = frozenset(spec.first_pass.generic_words)

    def terms(values: list[str], what: str) -> Terms:
        try:
            return Terms(words_pattern(values, ignore_case=True).pattern, generic)
        except re.error as exc:
            raise ConfigError(f"topic file {source}: {what}: bad pattern: {exc}") from exc

    people = tuple(
        Person(
            id=p.id,
            name=p.name,
            country=p.country,
            aliases=tuple(p.aliases),
            ambiguous_aliases=frozenset(p.ambiguous_aliases),
            fuzzy=tuple(p.fuzzy),
            roles=tuple(Role(r.title, r.start, r.end) for r in p.roles),
            minister=p.minister,
        )
        for p in spec.people
    )
    figures, visits = spec.figures, spec.visits
    place_names = {p.name for p in spec.places}
    for summit in spec.summits:
        for name in [summit.venue, *summit.within]:
            if name not in place_names:
                raise ConfigError(f"topic file {source}: summits: {summit.name}: unknown place {name!r}")
    return Topic(
        name=spec.topic.name,
        version=spec.topic.version,
        relevant_threshold=spec.thresholds.relevant,
        fuzzy_threshold=spec.thresholds.fuzzy_name,
        fuzzy_min_length=spec.thresholds.fuzzy_min_length,
        alert_signals=frozenset(spec.alerts.signals),
        weights=Weights(**spec.weights.model_dump()),
        people=people,
        agencies=tuple(Agency(a.id, a.name, a.country, a.city, tuple(a.aliases)) for a in spec.agencies),
        places=tuple(
            Place(p.name, p.country, p.country_only, tuple(p.aliases), p.region, p.capital)
            for p in spec.places
        ),
        uk_terms=terms(spec.terms.uk, "terms.uk"),
        italy_terms=terms(spec.terms.italy, "terms.italy"),
        migration_terms=terms(spec.terms.migration, "terms.migration"),
        comparison_terms=terms(spec.terms.comparison, "terms.comparison"),
        negatives=tuple(
            NegativeGroup(g.weight, terms(g.terms, f"negative[{n}].terms"))
            for n, g in enumerate(spec.negative)
        ),
        figure_context=terms(figures.context, "figures.context"),
        figure_people=terms(figures.people, "figures.people"),
        figure_exclude_sentence=terms(figures.exclude_sentence, "figures.exclude_sentence"),
        figure_exclude_after=terms(figures.exclude_after, "figures.exclude_after"),
        figure_exclude_before=terms(figures.exclude_before, "figures.exclude_before"),
        figure_exclude_clause=terms(figures.exclude_clause, "figures.exclude_clause"),
        routes=tuple((route, terms(patterns, f"routes.{route}")) for route, patterns in spec.routes.items()),
        visit_done=terms(visits.verbs_done, "visits.verbs_done"),
        visit_planned=terms(visits.verbs_planned, "visits.verbs_planned"),
        visit_nouns=terms(visits.nouns, "visits.nouns"),
        visit_remote=terms(visits.remote, "visits.remote"),
        visit_past=terms(visits.past, "visits.past"),
        visit_events=terms(visits.events, "visits.events"),
        generic_words=generic,
        summits=tuple(Summit(s.name, s.venue, frozenset(s.within), s.start, s.end) for s in spec.summits),
    )
