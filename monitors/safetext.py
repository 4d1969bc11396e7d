"""Feed text made safe to show: the one home of output sanitising.

Whatever a feed sends ends up on a terminal, in a CSV opened by a spreadsheet, in an email or in
Slack. Before any of that, text passes through here:

- `clean` removes terminal escape sequences (ECMA-48 CSI, OSC, DCS/SOS/PM/APC strings, two-byte
  escapes, and their 8-bit C1 forms), every other C0/C1 control except newline and tab, DEL, and
  the bidirectional embedding, override, isolate and mark characters that can make a line read
  differently from what it holds ("Trojan Source");
- `one_line` is `clean` with every run of whitespace (newlines included) made one space;
- `clean_url` percent-encodes what must never be printed raw in a link (CR, LF, other controls,
  spaces, bidi characters), so a link cannot split a line or hide where it goes;
- `csv_cell` keeps a spreadsheet from reading a cell as a formula.

Sanitising happens at output, not at ingest: rows stored before this existed are dirty too, and the
stored text stays exactly what the feed said (content hashes and identities depend on it).
"""

from __future__ import annotations

import re
from typing import Any

# ESC [ params intermediates final  |  8-bit CSI (0x9b) ...
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
# OSC / DCS / SOS / PM / APC strings, 7- or 8-bit introducer, ended by BEL, ESC \ or ST (0x9c)
_STRING = r"(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
# any other escape: ESC, intermediates, one final byte (ESC ( B, ESC 7, ESC c ...)
_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]"
_SEQUENCES = re.compile(f"{_CSI}|{_STRING}|{_ESCAPE}")

# Bidirectional controls: embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the
# implicit marks (LRM, RLM, ALM).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# C0 but newline and tab, DEL, C1 (what is left of a broken sequence included), and the bidi set.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"\s+")
# In a URL: whitespace, controls and bidi characters are never printed raw.
_URL_UNSAFE = re.compile(f"[\\s\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice, Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any) -> str:
    """`value` as text with no escape sequence, control (but \\n and \\t) or bidi character."""
    text = _BREAKS.sub("\n", str(value if value is not None else ""))
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def one_line(value: Any) -> str:
    """`clean`, on one line: newlines, tabs and runs of spaces become one space."""
    return _SPACES.sub(" ", clean(value)).strip()


def clean_url(url: str | None) -> str | None:
    """The URL with whitespace, controls and bidi characters %-encoded (None stays None)."""
    if url is None:
        return None
    stripped = url.strip()
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), stripped)


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a string starting a formula gets a leading '.

    Numbers, booleans and None pass unchanged (a negative number is a number, not a formula).
    """
    if not isinstance(value, str):
        return value
    return "'" + value if value.startswith(_FORMULA_START) else value


def clean_values(data: Any) -> Any:
    """Every string inside dicts and lists `clean`ed; other values unchanged."""
    if isinstance(data, str):
        return clean(data)
    if isinstance(data, dict):
        return {key: clean_values(value) for key, value in data.items()}
    if isinstance(data, list):
        return [clean_values(value) for value in data]
    return data
