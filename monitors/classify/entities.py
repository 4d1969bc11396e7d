"""Find the people, agencies and places a text names, exactly or by a near spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from monitors.classify.text import Sentence
from monitors.classify.topic_model import Entity, Topic

# A fuzzy surname is trusted only after one of these (or the person's first name).
_HONORIFICS = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Sir",
        "Dame",
        "Lord",
        "Dr",
        "Signor",
        "Signora",
        "minister",
        "Minister",
        "ministro",
        "ministra",
        "Ministro",
        "Ministra",
        "counterpart",
        "omologo",
        "omologa",
        "Secretary",
        "Interior",
        "Premier",
        "premier",
    ]
)
_TITLE_BEFORE = re.compile(
    r"\b(?:ministr[oa]|minister|secretary|segretari[oa]|titolare|britannic[oa]|inglese|British)\s+$",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![\w])([A-Z][a-zà-ÿ]{3,})(?![\w])")
_PREVIOUS_WORD = re.compile(r"([\w']+)[\s,]*$")


@dataclass(frozen=True, slots=True)
class Mention:
    entity: Entity
    text: str
    start: int
    sentence: int
    fuzzy: bool = False


def find_mentions(topic: Topic, sentences: list[Sentence]) -> list[Mention]:
    mentions: list[Mention] = []
    for sentence in sentences:
        covered: list[tuple[int, int]] = []
        for match in topic.names.finditer(sentence.text):
            entity = topic.entity_by_alias[match.group(0)]
            mentions.append(Mention(entity, match.group(0), match.start(), sentence.index))
            covered.append(match.span())
        if topic.fuzzy_names:
            mentions.extend(_fuzzy_mentions(topic, sentence, covered))
    # A short alias ("Cooper") counts only when the full name appears somewhere in the text, or
    # the sentence names another of the topic's people ("Piantedosi e Cooper") or a title stands
    # before it ("la ministra Cooper").
    confirmed = {
        m.entity.key
        for m in mentions
        if m.entity.person is None or m.text not in m.entity.person.ambiguous_aliases
    }
    with_people = {m.sentence for m in mentions if m.entity.person is not None and not _ambiguous(m)}
    return [
        m
        for m in mentions
        if not _ambiguous(m)
        or m.entity.key in confirmed
        or m.sentence in with_people
        or _TITLE_BEFORE.search(sentences[m.sentence].text[max(0, m.start - 30) : m.start]) is not None
    ]


def _ambiguous(mention: Mention) -> bool:
    person = mention.entity.person
    return person is not None and mention.text in person.ambiguous_aliases


def _fuzzy_mentions(topic: Topic, sentence: Sentence, covered: list[tuple[int, int]]) -> list[Mention]:
    found: list[Mention] = []
    cutoff = topic.fuzzy_threshold / 100.0
    for match in _CAPITALISED.finditer(sentence.text):
        word = match.group(1)
        if len(word) < topic.fuzzy_min_length or any(s <= match.start() < e for s, e in covered):
            continue
        best: tuple[float, str] | None = None
        for name in topic.fuzzy_names:
            if name[0] != word[0] or name == word:
                continue
            score = Levenshtein.normalized_similarity(word.lower(), name.lower())
            if score >= cutoff and (best is None or score > best[0]):
                best = (score, name)
        if best is None:
            continue
        person = topic.fuzzy_names[best[1]]
        previous = _PREVIOUS_WORD.search(sentence.text[: match.start()])
        before = previous.group(1) if previous else ""
        first_name = person.name.split()[0]
        if before not in _HONORIFICS and before != first_name:
            continue
        entity = Entity("person", person.id, person.country, person=person)
        found.append(Mention(entity, word, match.start(), sentence.index, fuzzy=True))
    return found
