"""monitors/safetext.py: what feed text may still do once it is made safe to show."""

from __future__ import annotations

import pytest

from monitors.safetext import BIDI_CONTROLS, clean, clean_url, clean_values, csv_cell, one_line

# (feed text, what is shown)
CASES = [
    ("plain headline", "plain headline"),
    ("red \x1b[31mALERT\x1b[0m text", "red ALERT text"),
    ("clear \x1b[2J\x1b[H screen", "clear  screen"),
    ("8-bit \x9b31mCSI", "8-bit CSI"),
    ("title \x1b]0;pwned\x07 set", "title  set"),
    ("link \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\ end", "link here end"),
    ("8-bit OSC \x9d0;x\x9c done", "8-bit OSC  done"),
    ("DCS \x1bPq#0;2;0\x1b\\ gone", "DCS  gone"),
    ("charset \x1b(B switch", "charset  switch"),
    ("bell\x07 backspace\x08 nul\x00 del\x7f", "bell backspace nul del"),
    ("c1 \x85next \x90x\x9c", "c1 \nnext "),
    ("admin\u202e gnp.exe", "admin gnp.exe"),
    ("isolate \u2066x\u2069 and \u200fmarks\u200e", "isolate x and marks"),
    ("keeps\nnewlines\tand tabs", "keeps\nnewlines\tand tabs"),
    ("cr\r\nlf and lone\rcr", "cr\nlf and lone\ncr"),
    ("Italia–Regno Unito: «sbarchi» 🇮🇹 عربى", "Italia–Regno Unito: «sbarchi» 🇮🇹 عربى"),
]


@pytest.mark.parametrize(("text", "shown"), CASES)
def test_clean_removes_escapes_controls_and_bidi_but_keeps_text(text: str, shown: str) -> None:
    assert clean(text) == shown


def test_nothing_that_drives_a_terminal_survives() -> None:
    for text, _ in CASES:
        out = clean(text)
        assert "\x1b" not in out and "\r" not in out
        assert not any(0x80 <= ord(c) <= 0x9F or (ord(c) < 0x20 and c not in "\n\t") for c in out)
        assert not any(c in BIDI_CONTROLS for c in out)


def test_one_line_puts_any_text_on_one_line() -> None:
    assert one_line(" a\r\nb\u2028c\t d\x1b[1m ") == "a b c d"
    assert one_line(None) == ""


def test_a_url_never_carries_a_raw_line_break_or_bidi_character() -> None:
    assert clean_url(" https://a.example/x\r\nInjected: 1 ") == "https://a.example/x%0D%0AInjected:%201"
    assert clean_url("https://a.example/\u202eevil") == "https://a.example/%E2%80%AEevil"
    assert clean_url("https://a.example/\x1b[2J") == "https://a.example/%1B[2J"
    assert clean_url("https://a.example/ok?q=1#f") == "https://a.example/ok?q=1#f"
    assert clean_url(None) is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_that_starts_a_formula_is_shown_as_text(start: str) -> None:
    assert csv_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'


def test_other_csv_cells_are_unchanged() -> None:
    assert csv_cell("Cooper meets Piantedosi") == "Cooper meets Piantedosi"
    assert csv_cell(-3) == -3 and csv_cell(0.5) == 0.5 and csv_cell(None) is None and csv_cell(True) is True


def test_clean_values_reaches_every_string_in_nested_data() -> None:
    data = {"minister": "X\u202e", "n": 3, "list": ["\x1b[1mA", {"b": "\x07B"}]}
    assert clean_values(data) == {"minister": "X", "n": 3, "list": ["A", {"b": "B"}]}
