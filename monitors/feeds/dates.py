"""Dates as feeds write them, to aware datetimes (UTC when the feed gives no zone).

ISO 8601 and RFC 822 are read here, the common cases, fast; anything else (a date without a time,
two-digit years, named zones, Korean, Greek or Hungarian month names) by feedparser's date
handlers, which know more forms than any other Python library we measured. feedparser-rs's own
reading is kept except where it is known to be wrong: it drops an offset written without a colon
(`2004-01-01T19:48:21-0500` read as 19:48 UTC), so a raw value with such an offset is read again.
"""

from __future__ import annotations

import re
import time
from calendar import timegm
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser.datetimes

_COLONLESS_OFFSET = re.compile(r"^\s*\d{4}-?\d\d-?\d\d[T ]\d\d:?\d\d(?::?\d\d(?:[.,]\d+)?)?\s*[+-]\d{4}\s*$")


def from_struct(parsed: Any) -> datetime | None:
    """A parser's UTC time tuple (feedparser's `published_parsed`)."""
    if isinstance(parsed, time.struct_time | tuple) and len(parsed) >= 6:
        try:
            return datetime.fromtimestamp(timegm(tuple(parsed)[:9]), UTC)
        except (OverflowError, ValueError, TypeError):
            return None
    return None


def iso8601(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rfc822(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def any_date(value: Any) -> datetime | None:
    """A date in any form a feed writes one, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    moment = iso8601(value) or rfc822(value)
    if moment is not None:
        return moment.astimezone(UTC)
    try:
        return from_struct(feedparser.datetimes._parse_date(value))
    except Exception:  # a handler of feedparser's that fails on odd input: not a date
        return None


def entry_date(raw: Any, parsed: Any) -> datetime | None:
    """An entry's date from the parser's raw text and its own reading of it."""
    if isinstance(raw, str) and raw[:4].isdigit() and _COLONLESS_OFFSET.search(raw):
        return any_date(raw) or from_struct(parsed)
    return from_struct(parsed) or any_date(raw)
