"""The charset settled before any XML parser sees the bytes; the result is always UTF-8.

In order: a byte-order mark (UTF-8, UTF-16 or UTF-32), or the width of the first '<' when a
UTF-16/32 document has none (XML 1.0, appendix F); else a body that is valid UTF-8 is UTF-8
whatever it declares (servers and prologs that claim Latin-1 for UTF-8 bytes are common, the
reverse is not); else the HTTP header's charset, then the prolog's (RFC 7303: the header wins);
else Windows-1252. ISO-8859-1 and ASCII are read as Windows-1252, as browsers and feedparser read
them: the bytes 0x80-0x9F are its quotes and dashes, never control characters. Then UTF-8 that
was encoded twice ("Ã©" for "é") is repaired, also when it is written as character references
(`&#195;&#169;`).
"""

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
# The bytes of one UTF-8 character written as decimal character references, one per byte.
_LEAD_REF = rb"&#(?:19[4-9]|2[0-3]\d|24[0-4]);"
_CONTINUATION_REF = rb"&#(?:12[89]|1[3-8]\d|19[01]);"
_MOJIBAKE_REFS = re.compile(_LEAD_REF + rb"(?:" + _CONTINUATION_REF + rb"){1,3}")
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = (  # '<' as each wide encoding writes it, for documents without a mark
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_AS_WINDOWS_1252 = {"latin-1", "iso8859-1", "ascii", "cp1252"}


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined read as Latin-1, as browsers read them."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("migwatch-latin1", _latin1_fallback)


def wide_encoding(head: bytes) -> str | None:
    """The UTF-16/32 variant a document is written in, from its mark or its first '<'."""
    for mark, name in _BOMS:
        if head.startswith(mark):
            return None if name == "utf-8" else name
    return next((name for probe, name in _WIDE if head.startswith(probe)), None)


def from_wide(body: bytes) -> bytes:
    """A UTF-16 or UTF-32 document as UTF-8 (without its mark); any other body unchanged."""
    wide = wide_encoding(body[:4])
    if wide is None:
        return body
    return body.decode(wide, errors="replace").lstrip("\ufeff").encode("utf-8")


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


def _undo_refs(match: re.Match[bytes]) -> bytes:
    raw = bytes(int(number) for number in re.findall(rb"\d+", match.group()))
    try:
        return b"&#%d;" % ord(raw.decode("utf-8"))
    except (UnicodeDecodeError, TypeError):  # not one character: leave it as written
        return match.group()


def repair_reference_mojibake(body: bytes) -> bytes:
    """`&#226;&#128;&#166;` (the UTF-8 bytes of '…' as references) becomes `&#8230;`."""
    if b"&#1" not in body and b"&#2" not in body:
        return body
    return _MOJIBAKE_REFS.sub(_undo_refs, body)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found = codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return "cp1252" if found in _AS_WINDOWS_1252 else found


def _declared_charset(head: bytes) -> str | None:
    match = _PROLOG.match(head)
    return _codec(match.group(3).decode("ascii")) if match else None


def _decode_declared(body: bytes, http_charset: str | None) -> str:
    """Bytes that are not UTF-8, in the charset the header or else the prolog names."""
    named = [c for c in (_codec(http_charset), _declared_charset(body[:300])) if c and c != "utf-8"]
    for charset in named:
        try:
            return body.decode(charset)
        except UnicodeDecodeError:
            continue
    charset = named[0] if named else "cp1252"
    return body.decode(charset, errors="migwatch-latin1" if charset == "cp1252" else "replace")


def to_utf8(body: bytes, http_charset: str | None = None) -> bytes:
    """The document as UTF-8 bytes with a prolog that says so."""
    body = repair_reference_mojibake(from_wide(body).removeprefix(codecs.BOM_UTF8).lstrip())
    try:
        text = body.decode("utf-8")
        if not _MOJIBAKE_BYTES.search(body) or not _MOJIBAKE.search(
            text
        ):  # the common case: already right, only the prolog may lie
            return _PROLOG.sub(rb"\1\2utf-8\2", body, count=1)
    except UnicodeDecodeError:
        text = _decode_declared(body, http_charset)
    text = repair_double_utf8(text)
    data = text.lstrip("\ufeff").lstrip().encode("utf-8")
    return _PROLOG.sub(rb"\1\2utf-8\2", data, count=1)
