"""The charset settled before any parser sees the bytes: a body that is valid UTF-8 is UTF-8
whatever its prolog says, one that is not is read in its declared charset (else Windows-1252, the
superset of Latin-1), and UTF-8 that was encoded twice is repaired."""

from __future__ import annotations

import codecs
import re

_PROLOG = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([A-Za-z0-9._:-]+)\2", re.DOTALL)
# A UTF-8 lead byte then continuation bytes, as they look once decoded as Windows-1252/Latin-1.
_CONTINUATION = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00c5\u00ce-\u00d1][{_CONTINUATION}]|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)
# The same, as UTF-8 bytes: a literal \xc3 anchors the search, so clean documents are ruled out fast.
_MOJIBAKE_BYTES = re.compile(
    rb"\xc3[\x82-\x85\x8e-\x91\xa0-\xb4](?:\xc2[\x80-\xbf]|\xe2[\x80-\x84]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c])"
)


def _as_byte(char: str) -> bytes:
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        return char.encode("latin-1")


def _undo(match: re.Match[str]) -> str:
    try:
        return b"".join(_as_byte(c) for c in match.group()).decode("utf-8")
    except UnicodeError:
        return match.group()


def repair_double_utf8(text: str) -> str:
    """UTF-8 that was decoded as Windows-1252 and encoded again ("Ã©" for "é") is undone, one
    character at a time, so a document that mixes both is repaired too."""
    if not _MOJIBAKE.search(text):
        return text
    return _MOJIBAKE.sub(_undo, text)


def _declared_charset(head: bytes) -> str | None:
    match = _PROLOG.match(head)
    if match is None:
        return None
    name = match.group(3).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def to_utf8(body: bytes, http_charset: str | None = None) -> bytes:
    """The document as UTF-8 bytes with a prolog that says so."""
    body = body.removeprefix(codecs.BOM_UTF8).lstrip()
    try:
        text = body.decode("utf-8")
        if not _MOJIBAKE_BYTES.search(body) or not _MOJIBAKE.search(
            text
        ):  # the common case: already right, only the prolog may lie
            return _PROLOG.sub(rb"\1\2utf-8\2", body, count=1)
    except UnicodeDecodeError:
        if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = body.decode("utf-16", errors="replace")
        else:
            charset = _declared_charset(body[:300]) or http_charset
            if charset in (None, "utf-8", "ascii"):
                charset = "cp1252"  # a feed that claims UTF-8 and is not is nearly always Latin-1
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("cp1252", errors="replace")
    text = repair_double_utf8(text)
    data = text.lstrip("\ufeff").lstrip().encode("utf-8")
    return _PROLOG.sub(rb"\1\2utf-8\2", data, count=1)
