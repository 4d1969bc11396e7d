"""Dates as feeds write them, to aware datetimes (UTC when the feed gives no zone)."""

from __future__ import annotations

import time
from calendar import timegm
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


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
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
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
