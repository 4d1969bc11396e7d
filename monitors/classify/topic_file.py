"""The topic file's schema (pydantic): what each section may hold, so that a malformed file is
refused with the name of the field that is wrong."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from monitors.models import Route

Country = Literal["uk", "it", "intl", "other"]


class _Section(BaseModel):
    # An unknown key is a typo until proven otherwise: refuse it rather than ignore it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicMeta(_Section):
    name: str
    version: int = 1


class Thresholds(_Section):
    relevant: float
    fuzzy_name: float = 80
    fuzzy_min_length: int = 8


class Alerts(_Section):
    signals: list[str] = Field(default_factory=list)


class WeightsEntry(_Section):
    title_all_three: float
    title_two: float
    sentence_cooccurrence: float
    max_cooccurring_sentences: int
    named_pair: float
    migration_term: float
    max_migration_terms: int
    visit_found: float
    scale: float
    named_sentence: float = 0.0


class RoleEntry(_Section):
    title: str
    start: date | None = None
    end: date | None = None


class PersonEntry(_Section):
    id: str
    name: str
    country: Country
    aliases: list[str]
    ambiguous_aliases: list[str] = Field(default_factory=list)
    fuzzy: list[str] = Field(default_factory=list)
    roles: list[RoleEntry] = Field(default_factory=list)
    minister: bool = True


class AgencyEntry(_Section):
    id: str
    name: str
    country: Country
    city: str | None = None
    aliases: list[str]


class PlaceEntry(_Section):
    name: str
    country: Country
    country_only: bool = False
    region: bool = False
    capital: bool = False
    aliases: list[str]


class SummitEntry(_Section):
    """A gathering the topic knows the venue of: a trip "to England" or "in Puglia" for it, told
    while it met, went to the venue."""

    name: str
    venue: str
    within: list[str]
    start: date
    end: date


class TermsSection(_Section):
    uk: list[str]
    italy: list[str]
    migration: list[str]
    comparison: list[str] = Field(default_factory=list)


class NegativeEntry(_Section):
    weight: float
    terms: list[str]


class FiguresSection(_Section):
    context: list[str]
    people: list[str]
    exclude_sentence: list[str]
    exclude_after: list[str]
    exclude_before: list[str] = Field(default_factory=list)
    exclude_clause: list[str] = Field(default_factory=list)


class VisitsSection(_Section):
    verbs_done: list[str]
    verbs_planned: list[str]
    nouns: list[str]
    remote: list[str] = Field(default_factory=list)
    past: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)


class FirstPassSection(_Section):
    generic_words: list[str] = Field(default_factory=list)


class TopicFile(_Section):
    topic: TopicMeta
    thresholds: Thresholds
    alerts: Alerts = Field(default_factory=Alerts)
    weights: WeightsEntry
    people: list[PersonEntry] = Field(default_factory=list)
    agencies: list[AgencyEntry] = Field(default_factory=list)
    places: list[PlaceEntry] = Field(default_factory=list)
    summits: list[SummitEntry] = Field(default_factory=list)
    terms: TermsSection
    negative: list[NegativeEntry] = Field(default_factory=list)
    figures: FiguresSection
    routes: dict[Route, list[str]]
    visits: VisitsSection
    first_pass: FirstPassSection = Field(default_factory=FirstPassSection)
