"""Markup in feed fields to plain text.

Only what is markup is removed: a tag starts with '<' then a letter, '/', '!' or '?' (as HTML
reads it), so `Arrivi < 100, poi > 200` keeps its figures whether the feed wrote the signs as
characters or as entities. Entities are decoded twice, since some feeds escape their markup twice
(`&amp;lt;p&amp;gt;`); markup that appears only after decoding is removed the same way. C0 control
characters are dropped, and C1 ones (U+0080-U+009F, never text) are read as the Windows-1252
characters they stand for, as browsers do: `don&#146;t` is "don’t".
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<(?:[A-Za-z][^<>]*|/[A-Za-z][^<>]*|![^<>]*|\?[^<>]*)>|<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")  # the other controls are whitespace to str.split
_C1 = re.compile("[\x80-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f]")


def _windows_1252(match: re.Match[str]) -> str:
    try:
        return match.group().encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return ""


def _strip_markup(value: str) -> str:
    return _TAG.sub(" ", _BLOCK_END.sub(" ", _SCRIPT.sub(" ", value)))


def plain_text(value: str | None) -> str:
    """Markup to one line of text: tags dropped, entities decoded, whitespace folded."""
    if not value:
        return ""
    if "<" in value:
        value = _strip_markup(value)
    if "&" in value:
        value = html.unescape(html.unescape(value))
        if "<" in value:
            value = _strip_markup(value)
    if _ANY_CONTROL.search(value):
        value = _C1.sub(_windows_1252, _CONTROLS.sub("", value))
    return " ".join(value.split())
