"""Markup in feed fields to plain text."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_text(value: str | None) -> str:
    """Markup to one line of text: tags dropped, entities decoded, whitespace folded."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    if "<" in value:
        value = _TAG.sub(" ", _BLOCK_END.sub(" ", _SCRIPT.sub(" ", value)))
    if "&" in value:
        value = html.unescape(html.unescape(value))  # some feeds escape their entities twice
        if "<" in value:
            value = _TAG.sub(" ", _SCRIPT.sub(" ", value))
    return " ".join(value.split())
