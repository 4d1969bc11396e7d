"""Who each sentence of an item is about: the ministers it names and those it names by role ("the
Home Secretary", "il collega britannico"), resolved once per sentence and shared by the visit
reader and the relevance score."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from monitors.classify.dates import find_full_date
from monitors.classify.entities import Mention
from monitors.classify.first_pass import Words
from monitors.classify.ministers import ITALIAN_ROLE_HINTS, Minister, roles_in, roles_of
from monitors.classify.terms import Terms
from monitors.classify.text import Sentence
from monitors.classify.topic_model import Person, Topic

# A leader's name standing for the government: "il governo Meloni", "the Sunak government".
_GOVERNMENT_BEFORE = re.compile(r"\b(?:governo|esecutivo|government of|administration of)\s+$", re.IGNORECASE)
_GOVERNMENT_AFTER = re.compile(r"(?:'s)?\s+(?:government|administration)\b", re.IGNORECASE)


def _names_a_government(text: str, mention: Mention) -> bool:
    before = text[max(0, mention.start - 20) : mention.start]
    return bool(
        _GOVERNMENT_BEFORE.search(before) or _GOVERNMENT_AFTER.match(text, mention.start + len(mention.text))
    )


class Cast:
    """The people of an item, read lazily: an item whose sentences put nobody anywhere costs
    only the grouping of its mentions."""

    __slots__ = (
        "_hints",
        "_mentioned",
        "_ministers",
        "_reference",
        "_roles",
        "by_sentence",
        "language",
        "mentions",
        "published",
        "sentences",
        "topic",
        "words",
    )

    def __init__(
        self,
        topic: Topic,
        sentences: list[Sentence],
        mentions: list[Mention],
        published: date | None,
        language: str,
        words: Words | None,
    ) -> None:
        self.topic, self.sentences, self.mentions = topic, sentences, mentions
        self.published, self.language, self.words = published, language, words
        self.by_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            self.by_sentence.setdefault(mention.sentence, []).append(mention)
        self._ministers: dict[int, list[Minister]] = {}
        self._hints: set[str] | None = None
        self._mentioned: list[Person] | None = None
        self._reference: tuple[date | None] | None = None
        self._roles: tuple[dict[str, set[str]], Terms, bool, bool] | None = None

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
        return cls(topic, sentences, mentions, published, language, words)

    @property
    def reference(self) -> date | None:
        """The day roles are resolved on: the item's date, else a full date it states early on."""
        if self._reference is None:
            found = self.published or next(
                (d for s in self.sentences[:3] if (d := find_full_date(s.text)) is not None), None
            )
            self._reference = (found,)
        return self._reference[0]

    @property
    def mentioned(self) -> list[Person]:
        """People named anywhere in the item, in order."""
        if self._mentioned is None:
            self._mentioned = list(
                dict.fromkeys(m.entity.person for m in self.mentions if m.entity.person is not None)
            )
        return self._mentioned

    @property
    def counts(self) -> Counter[str]:
        """How often each person is named."""
        return Counter(m.entity.person.id for m in self.mentions if m.entity.person is not None)

    @property
    def roles(self) -> tuple[dict[str, set[str]], Terms, bool, bool]:
        """Role titles, their pattern, and whether English or Italian role words may occur."""
        if self._roles is None:
            titles, pattern = roles_of(self.topic)
            words = self.words
            italian = words is None or any(hint in words.folded for hint in ITALIAN_ROLE_HINTS)
            self._roles = (titles, pattern, pattern.may_occur(words), italian)
        return self._roles

    @property
    def past_possible(self) -> bool:
        """The item may cite a past trip (a first-pass test of the topic's words)."""
        return self.topic.visit_past.may_occur(self.words)

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
        found = [
            Minister(m.start, m.entity.person)
            for m in named
            if m.entity.person is not None and not _names_a_government(text, m)
        ]
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
