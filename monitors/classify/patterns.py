"""Building the topic's regular expressions: one bounded alternation per list of terms, a gate on
the characters a term can start with, and the literal start of a term (what the first pass looks
up)."""

from __future__ import annotations

import re

_GATE = re.compile(r"^\(\?=\[(?:\\.|[^\]\\])*\]\)")
_META = set("\\.^$*+?{}[]|()")
_KEEP = re.compile(r"(\\.|\(\?P<\w+>|\(\?P=\w+\))|([A-Z])")


def words_pattern(terms: list[str], *, ignore_case: bool) -> re.Pattern[str]:
    """One alternation of `terms` (regexes), longest first, bounded so it matches whole words."""
    if not terms:
        return re.compile(r"(?!x)x")
    alternation = "|".join(sorted(terms, key=len, reverse=True))
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"{first_char_gate(terms, ignore_case)}(?<![\w])(?:{alternation})(?![\w])", flags)


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
    """The top-level alternatives of a pattern made by `words_pattern`."""
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
