"""Who the ministers of a sentence are: people named, and role titles ("the Home Secretary",
"il ministro dell'Interno") resolved to who held them on the day; and whom a traveller meets."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from monitors.classify.entities import Mention
from monitors.classify.terms import Terms
from monitors.classify.topic_model import Person, Topic

_ITALIAN_ROLES = Terms(
    r"\b(?:il |la )?(?:(?P<interior>ministr[oa] dell'Interno)|(?P<foreign>ministr[oa] degli Esteri)"
    r"|(?P<prime>premier|presidente del Consiglio|primo ministro))|(?P<home>\bhome secretar(?:y|ies)\b)"
)
ITALIAN_ROLE_HINTS = (
    " ministr",
    " premier",
    " presidente del consiglio",
    " primo ministro",
    " home secretar",
)
_ITALIAN_TITLES = {
    "interior": "Interior Minister",
    "foreign": "Foreign Minister",
    "prime": "Prime Minister",
    "home": "Home Secretary",
}
_UK_QUALIFIER = re.compile(
    r"\b(?:British|UK|Britain's|britannic[oa]|inglese|del Regno Unito)\W*$", re.IGNORECASE
)
_IT_QUALIFIER = re.compile(r"\b(?:Italian|Italy's|italian[oa])\W*$", re.IGNORECASE)
_UK_AFTER = re.compile(
    r"^\W*(?:britannic[oa]|of (?:the )?(?:UK|United Kingdom|Britain)|inglese)\b", re.IGNORECASE
)
_IT_AFTER = re.compile(r"^\W*(?:italian[oa]|of Italy)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Minister:
    start: int
    person: Person


def _role_titles(people: tuple[Person, ...]) -> dict[str, set[str]]:
    """Role title (without " of Italy") -> the countries it exists in."""
    titles: dict[str, set[str]] = defaultdict(set)
    for person in people:
        if not person.minister:
            continue
        for role in person.roles:
            titles[role.title.removesuffix(" of Italy")].add(person.country)
    return titles


_ROLE_CACHE: dict[int, tuple[Topic, dict[str, set[str]], Terms]] = {}


def roles_of(topic: Topic) -> tuple[dict[str, set[str]], Terms]:
    """Role titles and their pattern, built once per topic."""
    cached = _ROLE_CACHE.get(id(topic))
    if cached is None or cached[0] is not topic:
        titles = _role_titles(topic.people)
        alternation = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
        pattern = Terms(rf"(?<![\w])(?:{alternation})(?:s)?(?![\w])", topic.generic_words)
        cached = (topic, titles, pattern)
        _ROLE_CACHE[id(topic)] = cached
    return cached[1], cached[2]


def _holder(
    topic: Topic, title: str, country: str, mentioned: list[Person], reference: date | None
) -> Person | None:
    """Who "the Home Secretary" is: someone named in the text who held that title, else who held it
    on the reference date, else its last holder."""

    def holds(person: Person, on: date | None) -> bool:
        return person.country == country and any(
            r.title.removesuffix(" of Italy") == title and (on is None or r.held_on(on)) for r in person.roles
        )

    for person in mentioned:
        if holds(person, reference):
            return person
    for person in mentioned:
        if holds(person, None):
            return person
    if reference is not None:
        for person in topic.people:
            if person.minister and holds(person, reference):
                return person
    return None


def roles_in(
    topic: Topic,
    text: str,
    pattern: Terms,
    titles: dict[str, set[str]],
    named: list[Mention],
    mentioned: list[Person],
    reference: date | None,
    language: str,
    *,
    english: bool,
    italian: bool,
) -> list[Minister]:
    found: list[Minister] = []
    spans: list[tuple[str, int, int, str | None]] = []
    if english:
        spans += [(m.group(0), m.start(), m.end(), None) for m in pattern.finditer(text)]
    if italian:
        spans += [
            (m.group(0), m.start(), m.end(), _ITALIAN_TITLES[m.lastgroup or "prime"])
            for m in _ITALIAN_ROLES.finditer(text)
        ]
    for raw, start, end, fixed in spans:
        # "Prime Minister Giorgia Meloni": a title before a name is that name.
        if any(0 <= m.start - end <= 2 for m in named):
            continue
        title = fixed or next(t for t in titles if raw.lower().rstrip("s").startswith(t.lower().rstrip("s")))
        countries = titles.get(title, set()) or {"uk", "it"}
        before, after = text[max(0, start - 25) : start], text[end : end + 30]
        if _UK_QUALIFIER.search(before) or _UK_AFTER.match(after):
            country = "uk"
        elif _IT_QUALIFIER.search(before) or _IT_AFTER.match(after):
            country = "it"
        elif len(countries) == 1:
            country = next(iter(countries))
        else:
            country = "it" if language == "it" else "uk"
        person = _holder(topic, title, country, mentioned, reference)
        if person is not None:
            found.append(Minister(start, person))
    return found


# Who meets whom: a Home Secretary's counterpart is an interior minister, and so on.
_COUNTERPART_ROLES = {
    "Home Secretary": "Interior Minister",
    "Interior Minister": "Home Secretary",
    "Prime Minister": "Prime Minister",
    "Foreign Secretary": "Foreign Minister",
    "Foreign Minister": "Foreign Secretary",
}


def role_of(person: Person, reference: date | None, hints: set[str]) -> str:
    """The role a person held on the reference date, else one the text names, else the last one."""
    if reference is not None:
        return person.role_on(reference)
    for role in person.roles:
        if role.title.removesuffix(" of Italy").lower().rstrip("s") in hints:
            return role.title
    return person.role_on(None)


def counterpart_of(
    topic: Topic, traveller: Person, role: str, reference: date | None, counts: Counter[str]
) -> Person | None:
    wanted = _COUNTERPART_ROLES.get(role.removesuffix(" of Italy"))
    if wanted is None:
        return None
    for person_id, _ in counts.most_common():
        person = topic.person(person_id)
        if person.country != traveller.country and any(
            r.title.removesuffix(" of Italy") == wanted and (reference is None or r.held_on(reference))
            for r in person.roles
        ):
            return person
    return None
