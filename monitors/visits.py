"""Ministerial visits: a UK minister in Italy or an Italian minister in the UK, done or planned."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date

from monitors.dates import find_day_month, find_full_date, weekday_near
from monitors.entities import Mention
from monitors.models import MinisterialVisit, VisitStatus
from monitors.text import Sentence
from monitors.topic import Person, Topic

COUNTRY_NAMES = {"uk": "United Kingdom", "it": "Italy"}
_PRONOUN = re.compile(r"^(?:She|He|Lei|Lui)\b")


def _role_pattern(topic: Topic) -> re.Pattern[str]:
    titles = {role.title for person in topic.people for role in person.roles}
    titles |= {t.removesuffix(" of Italy") for t in titles}
    alternation = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:the |The )?(?:{alternation})(?![\w])")


def _resolve_role(topic: Topic, title: str, mentioned: list[Person], published: date | None) -> Person | None:
    """Who "the Home Secretary" is: someone named in the text who held that title, else who held it
    on the publication date."""
    title = title.removeprefix("the ").removeprefix("The ")
    holders = [p for p in mentioned if any(r.title.removesuffix(" of Italy") == title for r in p.roles)]
    if published is not None:
        for person in holders or list(topic.people):
            for role in person.roles:
                if role.title.removesuffix(" of Italy") == title and role.held_on(published):
                    return person
    return holders[0] if holders else None


def extract_visits(
    topic: Topic, sentences: list[Sentence], mentions: list[Mention], published: date | None
) -> list[MinisterialVisit]:
    by_sentence: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    mentioned_people = list(dict.fromkeys(m.entity.person for m in mentions if m.entity.person is not None))
    italian_ministers = Counter(
        m.entity.person.id
        for m in mentions
        if m.entity.person is not None and m.entity.country == "it" and m.entity.person.minister
    )
    uk_ministers = Counter(
        m.entity.person.id
        for m in mentions
        if m.entity.person is not None and m.entity.country == "uk" and m.entity.person.minister
    )
    roles = _role_pattern(topic)
    role_hints = {
        m.group(0).removeprefix("the ").removeprefix("The ")
        for s in sentences
        for m in roles.finditer(s.text)
    }
    visits: dict[tuple[str, str], MinisterialVisit] = {}
    told: defaultdict[tuple[str, str], set[VisitStatus]] = defaultdict(set)
    ids = {p.name: p.id for p in topic.people}
    last_minister: Person | None = None
    for sentence in sentences:
        text = sentence.text
        here = by_sentence.get(sentence.index, [])
        ministers: list[tuple[int, Person]] = [
            (m.start, m.entity.person)
            for m in here
            if m.entity.person is not None and m.entity.person.minister
        ]
        for match in roles.finditer(text):
            person = _resolve_role(topic, match.group(0), mentioned_people, published)
            if person is not None:
                ministers.append((match.start(), person))
        if not ministers and last_minister is not None and _PRONOUN.match(text):
            ministers.append((0, last_minister))
        ministers.sort(key=lambda pair: pair[0])
        if ministers:
            last_minister = ministers[0][1]
        if not ministers or not (topic.visit_nouns.search(text) or topic.visit_done.search(text)):
            continue
        places = [m for m in here if m.entity.place is not None]
        cities = {
            country: [
                m.entity.place.name
                for m in places
                if m.entity.country == country and m.entity.place and not m.entity.place.country_only
            ]
            + [
                m.entity.agency.city
                for m in here
                if m.entity.agency is not None and m.entity.agency.city and m.entity.country == country
            ]
            for country in ("it", "uk")
        }
        countries_named = {m.entity.country for m in places}
        foreign_only = "other" in countries_named and not countries_named & {"it", "uk"}
        if foreign_only:
            continue
        ministers_by_country = {
            country: [p for _, p in ministers if p.country == country] for country in ("it", "uk")
        }
        for traveller_country, host_country in (("uk", "it"), ("it", "uk")):
            travellers = ministers_by_country[traveller_country]
            if not travellers:
                continue
            hosts = ministers_by_country[host_country]
            destinations = list(dict.fromkeys(cities[host_country]))
            if not destinations:
                host_named = host_country in countries_named or any(
                    m.entity.country == host_country and m.entity.agency for m in here
                )
                if host_named or hosts:
                    destinations = [COUNTRY_NAMES[host_country]]
            if not destinations:
                continue
            if traveller_country == "it" and not cities["uk"]:
                continue  # an Italian minister travels only when a UK city is named
            traveller = travellers[0]
            role = _role_of(traveller, published, role_hints)
            counterpart = (
                hosts[0]
                if hosts
                else _counterpart(
                    topic,
                    role,
                    italian_ministers if host_country == "it" else uk_ministers,
                    published,
                )
            )
            status = _status(topic, text)
            day = _visit_date(text, published, status)
            for destination in destinations:
                key = (traveller.id, destination)
                visit = MinisterialVisit(
                    minister=traveller.name,
                    role=traveller.role_on(day) if day else role,
                    from_country=COUNTRY_NAMES[traveller_country],
                    destination=destination,
                    destination_country=COUNTRY_NAMES[host_country],
                    counterpart=counterpart.name if counterpart else None,
                    date=day,
                    status=status or "done",
                    sentence=text,
                )
                visits[key] = _merge(visits.get(key), visit)
                if status is not None:
                    told[key].add(status)
                    told[(traveller.id, "")].add(status)
            break
    resolved = []
    for key, visit in visits.items():
        # A sentence with no tense ("Ms Cooper's trip to Rome") takes the tense of the trip.
        statuses = told[key] or told[(ids[visit.minister], "")] or {"done"}
        resolved.append(replace(visit, status="done" if "done" in statuses else "planned"))
    return _drop_country_only(resolved)


# Who meets whom: a Home Secretary's counterpart is an interior minister, and so on.
_COUNTERPART_ROLES = {
    "Home Secretary": "Interior Minister",
    "Interior Minister": "Home Secretary",
    "Prime Minister": "Prime Minister",
    "Foreign Secretary": "Foreign Minister",
    "Foreign Minister": "Foreign Secretary",
}


def _role_of(person: Person, published: date | None, hints: set[str]) -> str:
    """The role a text gives a person: held on the publication date, else one the text names."""
    if published is not None:
        return person.role_on(published)
    for role in person.roles:
        if role.title in hints or role.title.removesuffix(" of Italy") in hints:
            return role.title
    return person.role_on(None)


def _counterpart(topic: Topic, role: str, mentioned: Counter[str], published: date | None) -> Person | None:
    wanted = _COUNTERPART_ROLES.get(role.removesuffix(" of Italy"))
    if wanted is None:
        return None
    for person_id, _ in mentioned.most_common():
        person = topic.person(person_id)
        if any(
            r.title.removesuffix(" of Italy") == wanted and (published is None or r.held_on(published))
            for r in person.roles
        ):
            return person
    return None


def _status(topic: Topic, text: str) -> VisitStatus | None:
    if topic.visit_planned.search(text):
        done = topic.visit_done.search(text)
        planned = topic.visit_planned.search(text)
        if (
            done
            and planned
            and done.start() < planned.start()
            and not re.search(r"\bwill\b|\bis to\b|\bare to\b", text[: done.start()])
        ):
            return "done"
        return "planned"
    return "done" if topic.visit_done.search(text) else None


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
    status: VisitStatus = old.status
    return MinisterialVisit(
        minister=old.minister,
        role=old.role,
        from_country=old.from_country,
        destination=old.destination,
        destination_country=old.destination_country,
        counterpart=old.counterpart or new.counterpart,
        date=old.date or new.date,
        status=status,
        sentence=old.sentence,
    )


def _drop_country_only(visits: list[MinisterialVisit]) -> list[MinisterialVisit]:
    """ "Cooper travelled to Italy" adds nothing when another sentence says she was in Rome."""
    with_city = {
        (v.minister, v.destination_country) for v in visits if v.destination not in COUNTRY_NAMES.values()
    }
    return [
        v
        for v in visits
        if v.destination not in COUNTRY_NAMES.values() or (v.minister, v.destination_country) not in with_city
    ]
