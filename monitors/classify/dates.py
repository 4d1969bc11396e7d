"""Dates as news copy writes them, in English and Italian."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from typing import overload

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan", "gennaio"),
        ("february", "feb", "febbraio"),
        ("march", "mar", "marzo"),
        ("april", "apr", "aprile"),
        ("may", "maggio"),
        ("june", "jun", "giugno"),
        ("july", "jul", "luglio"),
        ("august", "aug", "agosto"),
        ("september", "sep", "sept", "settembre"),
        ("october", "oct", "ottobre"),
        ("november", "nov", "novembre"),
        ("december", "dec", "dicembre"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("monday", "lunedì", "lunedi"),
        ("tuesday", "martedì", "martedi"),
        ("wednesday", "mercoledì", "mercoledi"),
        ("thursday", "giovedì", "giovedi"),
        ("friday", "venerdì", "venerdi"),
        ("saturday", "sabato"),
        ("sunday", "domenica"),
    ]
):
    for _name in _names:
        WEEKDAYS[_name] = _number

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
MONTH_WORD = re.compile(rf"(?<![\w])(?:{_MONTH_ALT})(?![\w])", re.IGNORECASE)
WEEKDAY_WORD = re.compile(rf"(?<![\w])(?:{_WEEKDAY_ALT})(?![\w])", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?,?\s+((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})(?![\w])", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"(?<![\w])({_MONTH_ALT})\s+(\d{{1,2}})(?!\d)", re.IGNORECASE)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DIGIT = re.compile(r"\d")


def find_full_date(text: str) -> date | None:
    """The first complete date (day, month, year) written in `text`."""
    if _YEAR.search(text) is None:
        return None  # no year, no full date: skip the month-name patterns
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        match = pattern.search(text)
        if match:
            a, b, year = match.groups()
            day, month = (a, b) if order == "dmy" else (b, a)
            try:
                return date(int(year), MONTHS[month.lower()], int(day))
            except ValueError:
                continue
    return None


def find_day_month(text: str, reference: date | None) -> date | None:
    """A day and month without a year ("April 23", "23 aprile"), placed in the reference's year."""
    if reference is None or _DIGIT.search(text) is None:
        return None
    for pattern, order in ((_DAY_MONTH, "dm"), (_MONTH_DAY, "md")):
        match = pattern.search(text)
        if match:
            a, b = match.groups()
            day, month = (a, b) if order == "dm" else (b, a)
            try:
                return date(reference.year, MONTHS[month.lower()], int(day))
            except ValueError:
                continue
    return None


def weekday_near(text: str, reference: date | None, *, future: bool) -> date | None:
    """A weekday named in `text`, as the date of that day just before (or after) `reference`."""
    if reference is None:
        return None
    match = WEEKDAY_WORD.search(text)
    if not match:
        return None
    target = WEEKDAYS[match.group(0).lower()]
    if future:
        return reference + timedelta(days=(target - reference.weekday()) % 7)
    return reference - timedelta(days=(reference.weekday() - target) % 7)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def as_date(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; a naive one is taken to be UTC already."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
