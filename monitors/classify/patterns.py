"""Building the topic's regular expressions: one bounded alternation per list of terms, a gate on
the characters a term can start with, and the literal start of a term (what the first pass looks
up)."""

from __future__ import annotations

import re

_GATE = re.compile(r"^\(\?=\[(?:\\.|[^\]\\])*\]\)")
_META = set("\\.^$*+?{}[]|()")
_KEEP = re.compile(r"(\\.|\(\?P<\w+>|\(\?P=\w+\))|([A-Z])")


# Nouns that name a count itself, so that a number linked to one counts people ("the total passed
# 30,000", "gli sbarchi sono stati 25.000"): read by people_counts.py and by the first pass.
COUNT_SUBJECTS = (
    "number|total|tally|figure|crossings|arrivals|sbarchi|arrivi|traversate|attraversamenti|numero|cifra|partenze"
    "|previous (?:high|record|peak)|record high|landings|detections"
)

# The ones the first pass also looks for: nouns that count people with no people word near.
GATE_COUNT_SUBJECTS = "sbarchi|partenze|landings"

# The terms each pattern was built from: what the first pass looks up (see `alternatives`).
_TERMS_OF: dict[str, tuple[str, ...]] = {}
_MAX_VARIANTS = 32


def words_pattern(terms: list[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One alternation of `terms` (regexes), bounded so it matches whole words: the terms that are
    plain words (with optional letters, letter classes and groups of words, "migrations?",
    "(?:il|la) premier") as one prefix tree, the others longest first. A tree is read in one pass
    where a long alternation is tried term by term: about twice as fast."""
    if not terms:
        return re.compile(r"(?!x)x")
    alternation = alternation_of(terms, fold=ignore_case)
    flags = re.IGNORECASE if ignore_case else 0
    pattern = rf"{first_char_gate(terms, ignore_case)}(?<![\w])(?:{alternation})(?![\w])"
    _TERMS_OF[pattern] = tuple(terms)
    return re.compile(pattern, flags)


def alternation_of(terms: list[str], *, fold: bool) -> str:
    """`terms` as one alternation: regex terms longest first, then the plain ones as a tree."""
    literals: list[str] = []
    regexes: list[str] = []
    for term in terms:
        variants = _variants(term)
        if variants is None:
            regexes.append(term)
        else:
            literals.extend(v.lower() if fold else v for v in variants)
    parts = sorted(regexes, key=len, reverse=True)
    if literals:
        parts.append(_tree(literals))
    return "|".join(parts)


def _tree(words: list[str]) -> str:
    """A regex that matches exactly `words`, longest first at each branch (a prefix tree)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return build(root)


def _variants(term: str) -> list[str] | None:
    """The words a simple term stands for ("migrations?" -> migration, migrations), or None when it
    uses more of the regex language than letters, escapes, [classes], (?:a|b) and optional parts."""
    pieces: list[list[str]] = []
    i = 0
    while i < len(term):
        ch = term[i]
        if ch == "\\":
            if i + 1 >= len(term) or term[i + 1].isalnum():
                return None  # \w, \d, \b...
            options, i = [term[i + 1]], i + 2
        elif ch == "[":
            close = term.find("]", i)
            inner = term[i + 1 : close]
            if close < 0 or not inner or any(c in _META or c == "-" for c in inner):
                return None
            options, i = list(inner), close + 1
        elif term.startswith("(?:", i):
            close = term.find(")", i)
            inner = term[i + 3 : close]
            if close < 0 or any(c in _META - {"|"} for c in inner):
                return None
            options, i = inner.split("|"), close + 1
        elif ch in _META:
            return None
        else:
            options, i = [ch], i + 1
        if i < len(term) and term[i] == "?":
            options, i = [*options, ""], i + 1
        pieces.append(options)
    variants = [""]
    for options in pieces:
        variants = [v + o for v in variants for o in options]
        if len(variants) > _MAX_VARIANTS:
            return None
    return [v for v in variants if v]


def literal_pattern(aliases: list[str]) -> re.Pattern[str]:
    """Names matched as written (case-sensitive), whole words only."""
    return words_pattern([re.escape(a) for a in aliases], ignore_case=False)


def first_char_gate(terms: list[str], ignore_case: bool) -> str:
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


def literal_stem(term: str) -> str:
    """The literal text a regex term starts with, lower-cased ("italian[oaie]" -> "italian",
    "Brits?" -> "brit"); empty when it starts with a group or class."""
    stem: list[str] = []
    for index, ch in enumerate(term):
        if ch in _META:
            if ch in "?*{" and stem:
                stem.pop()  # the character before is optional
            break
        stem.append(ch)
        if index + 1 < len(term) and term[index + 1] in "?*{":
            stem.pop()
            break
    return "".join(stem).lower()


def alternatives(pattern: str) -> list[str]:
    """The terms a pattern made by `words_pattern` was built from (else its top-level alternatives)."""
    known = _TERMS_OF.get(pattern)
    if known is not None:
        return list(known)
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


def fold_case(pattern: str) -> str:
    """A pattern's letters in lower case, escapes and group names kept: for lower-cased text."""
    return _KEEP.sub(lambda m: m.group(1) or m.group(2).lower(), pattern)
