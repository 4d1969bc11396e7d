"""Schedules as data, for the serve command: when the daily digest goes out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.settings import Settings
from monitors.errors import ConfigError

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class CronSchedule:
    cron: str  # five-field cron, read in `timezone`
    timezone: str  # IANA zone name, e.g. Europe/London


def daily_at(time_of_day: str, timezone: str) -> CronSchedule:
    """A daily cron at `time_of_day` (HH:MM, 24-hour) in `timezone`; bad values are a ConfigError."""
    match = _TIME.match(time_of_day.strip())
    if match is None:
        raise ConfigError(f"bad setting digest_time: expected HH:MM (24-hour), got {time_of_day!r}")
    name = timezone.strip()
    try:
        if not name or name != name.strip("/") or ".." in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"bad setting digest_timezone: unknown time zone {timezone!r} (expected e.g. Europe/London)"
        ) from exc
    hour, minute = int(match.group(1)), int(match.group(2))
    return CronSchedule(f"{minute} {hour} * * *", name)


def digest_schedule(settings: Settings) -> CronSchedule:
    """The scheduled digest from settings (digest_time, digest_timezone; Europe/London 07:00 by default)."""
    return daily_at(settings.digest_time, settings.digest_timezone)
