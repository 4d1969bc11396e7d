"""Who each sentence of an item is about: the ministers it names and those it names by role ("the
Home Secretary", "il collega britannico"), resolved once per sentence and shared by the visit
reader and the relevance score."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from monitors.classify.dates import find_full_date
from monitors.classify.entities import Mention
from monitors.classify.first_pass import Words
from monitors.classify.ministers import ITALIAN_ROLE_HINTS, Minister, roles_in, roles_of
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Person, Topic


@dataclass(slots=True)
class Cast:
    topic: Topic
    sentences: list[Sentence]
    language: str
    reference: date | None  # the day roles are resolved on: the item's date, else one it states
    mentioned: list[Person]  # people named anywhere in the item, in order
    counts: Counter[str]  # how often each person is named
    by_sentence: dict[int, list[Mention]]
    roles: tuple[dict[str, set[str]], Terms, bool, bool]  # titles, pattern, English, Italian
    past_possible: bool  # the item may cite a past trip (a first-pass test of the topic's words)
    _ministers: dict[int, list[Minister]] = field(default_factory=dict)
    _hints: set[str] | None = None

    @classmethod
    def of(
        cls,
        topic: Topic,
        sentences: list[Sentence],
        mentions: list[Mention],
        published: date | None,
        language: str,
        words: Words | None,
    ) -> Cast:
        by_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_sentence.setdefault(mention.sentence, []).append(mention)
        mentioned = list(dict.fromkeys(m.entity.person for m in mentions if m.entity.person is not None))
        counts = Counter(m.entity.person.id for m in mentions if m.entity.person is not None)
        reference = published or next(
            (d for s in sentences[:3] if (d := find_full_date(s.text)) is not None), None
        )
        titles, role_pattern = roles_of(topic)
        english = role_pattern.may_occur(words)
        italian = words is None or any(hint in words.folded for hint in ITALIAN_ROLE_HINTS)
        roles = (titles, role_pattern, english, italian)
        past = topic.visit_past.may_occur(words)
        return cls(topic, sentences, language, reference, mentioned, counts, by_sentence, roles, past)

    @property
    def hints(self) -> set[str]:
        """Role titles the text names, to tell an undated person's role ("the Home Secretary")."""
        if self._hints is None:
            _, pattern, english, _ = self.roles
            self._hints = (
                {m.group(0).lower().rstrip("s") for s in self.sentences for m in pattern.finditer(s.text)}
                if self.reference is None and english
                else set()
            )
        return self._hints

    def mentions_in(self, index: int) -> list[Mention]:
        return self.by_sentence.get(index, [])

    def _in_office(self, mention: Mention) -> bool:
        """A named minister counts when in office on the item's day: Starmer in 2022, or Cooper
        as shadow home secretary, is in opposition and travels as no minister."""
        person = mention.entity.person
        if person is None or not person.minister:
            return False
        day = self.reference
        return day is None or not person.roles or any(role.held_on(day) for role in person.roles)

    def ministers(self, index: int) -> list[Minister]:
        """The ministers of sentence `index`, named or by role, in the order the text gives them."""
        cached = self._ministers.get(index)
        if cached is not None:
            return cached
        text = self.sentences[index].text
        named = [m for m in self.mentions_in(index) if self._in_office(m)]
        found = [Minister(m.start, m.entity.person) for m in named if m.entity.person is not None]
        titles, pattern, english, italian = self.roles
        found += roles_in(
            self.topic,
            text,
            pattern,
            titles,
            named,
            self.mentioned,
            self.reference,
            self.language,
            english=english,
            italian=italian,
        )
        found.sort(key=lambda m: m.start)
        self._ministers[index] = found
        return found
