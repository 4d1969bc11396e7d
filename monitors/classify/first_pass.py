"""The first pass: word stems looked up in a set, so that an item that cannot meet the required
combination (or hold a crossing figure) costs a few microseconds. It can only say "cannot be"."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from operator import itemgetter

from monitors.classify.patterns import alternatives, literal_stem

# Lower-case, punctuation to spaces: what the first pass splits into words.
_PUNCTUATION = str.maketrans({ch: " " for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»–—…\n\r\t"})
STEM = 6  # the first pass compares the first STEM letters of words
_CUT = itemgetter(slice(None, STEM))


def quick_text(text: str) -> str:
    """Lower case, punctuation and line breaks as spaces, a space in front: the text the first
    pass reads."""
    return " " + text.lower().translate(_PUNCTUATION)


def quick_keys(text: str) -> tuple[str, set[str]]:
    """The first pass's text (quick_text) and the starts (up to STEM letters) of its words."""
    folded = quick_text(text)
    return folded, set(map(_CUT, folded.split()))


def _key_word(text: str, generic: AbstractSet[str], *, open_end: bool) -> tuple[str, bool] | None:
    """The word of a name or phrase the first pass looks for (the longest one that is not
    `generic`), cut to STEM letters, and whether it is only the start of a word shorter than that
    ("sbarc" of "sbarc\\w*"), which a set of cut words cannot find."""
    words = quick_text(text).split()
    if not words:
        return None
    telling = [w for w in words if w not in generic] or words[:1]
    word = max(telling, key=len)
    return word[:STEM], open_end and word is words[-1] and len(word) < STEM


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


@dataclass(frozen=True, slots=True)
class StemSet:
    """A superset test for a list of names and regex terms: the first word of each, cut to STEM
    letters, looked up among the text's words cut the same way. Terms without a literal start of at
    least 3 letters are kept as a (small) regex."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]  # word starts shorter than STEM, each after a space
    rest: re.Pattern[str] | None  # terms with no literal start, on the original text

    @classmethod
    def build(cls, literals: list[str], patterns: list[str], generic: AbstractSet[str]) -> StemSet:
        """`literals`: names as written; `patterns`: patterns made by `words_pattern`; `generic`:
        words too common to stand for a name ("Matteo Piantedosi" stands as "piantedosi")."""
        starts = [(literal.lower(), False) for literal in literals if literal]
        rest: list[str] = []
        for pattern in patterns:
            for term in alternatives(pattern):
                stem = literal_stem(term)
                if len(stem) >= 3:
                    starts.append((stem, stem != term.lower()))
                elif term:
                    rest.append(f"(?:{term})")
        stems: set[str] = set()
        prefixes: set[str] = set()
        for start, open_end in starts:
            key = _key_word(start, generic, open_end=open_end)
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
