"""Who the ministers of a sentence are: people named, and role titles ("the Home Secretary",
"il ministro dell'Interno") resolved to who held them on the day; and whom a traveller meets."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from monitors.classify.entities import Mention
from monitors.classify.patterns import words_pattern
from monitors.classify.terms import Terms
from monitors.classify.topic_model import Person, Topic

_ITALIAN_ROLES = Terms(
    r"\b(?:il |la )?(?:(?P<interior>ministr[oa] dell'Interno|titolare del Viminale)"
    r"|(?P<foreign>ministr[oa] degli Esteri|titolare della Farnesina)"
    r"|(?P<prime>premier|presidente del Consiglio|primo ministro))"
    r"|(?P<home>\bhome secretar(?:y|ies)\b|\btitolare dell'Home Office)"
)
# Someone named by a role relative to another: "il collega britannico", "her Italian counterpart",
# or by nationality only: "il ministro inglese", "the British minister".
_RELATIVE_ROLES = Terms(
    r"\b(?:(?:il|la|l'|suo|sua|his|her|their|the)\s*)?(?:(?P<counterpart>collega|omologo|omologa)\s+(?P<c1>britannic[oa]"
    r"|inglese|italian[oa])|(?P<c2>British|UK|Italian)\s+(?:counterpart|opposite number)"
    r"|(?:counterpart|opposite number) (?:from|in) (?P<c3>Britain|the UK|Italy)"
    r"|(?P<minister>ministr[oa])\s+(?P<c4>britannic[oa]|inglese|italian[oa])(?!\s+(?:dell'|degli|della|del)\b)"
    r"|(?P<c5>British|UK|Italian)\s+(?P<minister2>minister)(?!\s+(?:for|of)\b))"
)
ITALIAN_ROLE_HINTS = (
    " ministr",
    " premier",
    " presidente del consiglio",
    " primo ministro",
    " home secretar",
)
# Words one of which every _ITALIAN_ROLES match holds (a cheap test per sentence).
_ITALIAN_HINTS = re.compile("ministr|premier|presidente del consiglio|primo ministro|home secretar|titolare")
_ITALIAN_TITLES = {
    "interior": "Interior Minister",
    "foreign": "Foreign Minister",
    "prime": "Prime Minister",
    "home": "Home Secretary",
}
_UK_QUALIFIER = re.compile(
    r"\b(?:British|UK|Britain['’]s|UK['’]s|britannic[oa]|inglese|del Regno Unito)\W*$", re.IGNORECASE
)
_IT_QUALIFIER = re.compile(r"\b(?:Italian|Italy['’]s|italian[oa])\W*$", re.IGNORECASE)
_UK_AFTER = re.compile(
    r"^\W*(?:britannic[oa]|of (?:the )?(?:UK|United Kingdom|Britain)|inglese|laburista|conservatore|tory)\b",
    re.IGNORECASE,
)
# Another country's minister: "Iraq's interior minister", "the French interior minister", "il
# ministro dell'Interno tedesco".
_FOREIGN_BEFORE = re.compile(
    r"(?<![\w'’])(?!(?:Italian|British|Italy|Britain|UK|English|Tory|Labour)\b)[A-Z][a-z]+(?:['’]s|an|ese|ish|i|ch)"
    r"\s+(?:(?:new|former|then|own)\s+)?$"
)
_FOREIGN_AFTER = re.compile(
    r"^\s+(?!britannic|italian|inglese)[a-z]+(?:es[ei]|an[oa]|in[oa]|ic[oa]|esc[oa]|ens[ei]|ac[oa]|ga)\b"
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
        terms = [re.escape(t) + "s?" for t in titles]
        pattern = Terms(words_pattern(terms, ignore_case=True).pattern, topic.generic_words)
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


_SHADOW_BEFORE = re.compile(r"\bshadow\s+$", re.IGNORECASE)


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
    lowered = text.lower()
    if italian and _ITALIAN_HINTS.search(lowered):
        spans += [
            (m.group(0), m.start(), m.end(), _ITALIAN_TITLES[m.lastgroup or "prime"])
            for m in _ITALIAN_ROLES.finditer(text)
        ]
    seen: set[int] = set()
    for raw, start, end, fixed in spans:
        # "Prime Minister Giorgia Meloni": a title before a name is that name; "interior ministers"
        # are a group, not one person.
        if start in seen or any(0 <= m.start - end <= 2 for m in named):
            continue
        seen.add(start)
        if _is_plural(raw):
            found += _both_sides(topic, raw, text[end : end + 60], titles, mentioned, reference, start)
            continue
        title = fixed or next(t for t in titles if raw.lower().rstrip("s").startswith(t.lower().rstrip("s")))
        countries = titles.get(title, set()) or {"uk", "it"}
        before, after = text[max(0, start - 25) : start], text[end : end + 30]
        if _FOREIGN_BEFORE.search(before) or _FOREIGN_AFTER.match(after):
            continue  # "Iraq's interior minister", "il ministro dell'Interno tedesco"
        if _SHADOW_BEFORE.search(before):
            continue  # "shadow home secretary Yvette Cooper": the opposition's, no minister
        if _UK_QUALIFIER.search(before) or _UK_AFTER.match(after):
            country = "uk"
        elif _IT_QUALIFIER.search(before) or _IT_AFTER.match(after):
            country = "it"
        elif len(countries) == 1:
            country = next(iter(countries))
        else:
            country = "it" if language == "it" else "uk"
        # "il ministro dell'Interno britannico" is the Home Secretary: the same office, named the
        # other country's way.
        equivalent = _COUNTERPART_ROLES.get(title)
        person = _holder(topic, title, country, mentioned, reference) or (
            _holder(topic, equivalent, country, mentioned, reference) if equivalent else None
        )
        if person is not None:
            found.append(Minister(start, person))
    if _RELATIVE_HINTS.search(lowered):
        found += _relative_roles(topic, text, named, found, mentioned, reference)
    return found


_OF_BOTH = re.compile(
    r"^\s*(?:of|from|di|del|dei)\s+(?:the\s+)?(?:UK|United Kingdom|Britain|Regno Unito|Gran Bretagna|Italy|Italia)"
    r"\s+(?:and|e)\s+(?:the\s+)?(?:UK|United Kingdom|Britain|Regno Unito|Gran Bretagna|Italy|Italia)\b",
    re.IGNORECASE,
)


def _both_sides(
    topic: Topic,
    raw: str,
    after: str,
    titles: dict[str, set[str]],
    mentioned: list[Person],
    reference: date | None,
    start: int,
) -> list[Minister]:
    """ "The home secretaries of the UK and Italy": the holder on each side (a group named
    otherwise, "interior ministers from the G7", is nobody in particular)."""
    if not _OF_BOTH.match(after):
        return []
    singular = re.sub(r"(?:ies|s)$", lambda m: "y" if m.group(0) == "ies" else "", raw.strip(), flags=re.I)
    title = next((t for t in titles if t.lower() == singular.lower()), None)
    if title is None:
        return []
    found = []
    for country in ("uk", "it"):
        wanted = title if country in titles[title] else _COUNTERPART_ROLES.get(title)
        person = _holder(topic, wanted, country, mentioned, reference) if wanted else None
        if person is not None:
            found.append(Minister(start, person))
    return found


def _is_plural(raw: str) -> bool:
    last = raw.rsplit(" ", 1)[-1].lower()
    return last.endswith(("ies", "ers", "ri", "tri")) or (last.endswith("s") and not last.endswith("ss"))


_RELATIVE_HINTS = re.compile(
    "colleg|omolog|counterpart|opposite number|ministr[oa] (?:britannic|ingl|italian)|(?:british|uk|italian) minister"
)


def _country_word(word: str) -> str:
    return "it" if word.lower().startswith("ital") else "uk"


def _relative_roles(
    topic: Topic,
    text: str,
    named: list[Mention],
    found: list[Minister],
    mentioned: list[Person],
    reference: date | None,
) -> list[Minister]:
    """ "La premier ha accolto il collega britannico": the British holder of the premier's
    counterpart role; "il ministro inglese": the British minister the text names."""
    here = [Minister(m.start, m.entity.person) for m in named if m.entity.person is not None] + found
    out: list[Minister] = []
    for match in _RELATIVE_ROLES.finditer(text):
        word = next(g for g in (match.group(f"c{n}") for n in range(1, 6)) if g)
        country = _country_word(word)
        if any(0 <= m.start - match.end() <= 2 for m in named):
            continue  # "il collega britannico Yvette Cooper": the name says who
        if match.group("minister") or match.group("minister2"):
            person = next((p for p in mentioned if p.country == country and p.minister), None)
        else:
            other = next((m.person for m in here if m.person.country != country), None)
            person = _counterpart_holder(topic, other, country, mentioned, reference)
        if person is not None:
            out.append(Minister(match.start(), person))
    return out


def _counterpart_holder(
    topic: Topic, other: Person | None, country: str, mentioned: list[Person], reference: date | None
) -> Person | None:
    """Who holds, in `country`, the role that is the counterpart of `other`'s: someone the text
    names first, else the holder on the reference day."""
    if other is None:
        return next((p for p in mentioned if p.country == country and p.minister), None)
    wanted = _COUNTERPART_ROLES.get(other.role_on(reference).removesuffix(" of Italy"))
    if wanted is None:
        return None
    return _holder(topic, wanted, country, mentioned, reference)


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
