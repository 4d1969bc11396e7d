"""The limits a fetch works under, as one value; with no import of the HTTP stack, so that the
settings (flows/settings.py), which take their defaults from here, load without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class LimitSettings(Protocol):
    connect_timeout: float
    read_timeout: float
    feed_timeout: float
    max_body_bytes: int
    max_redirects: int
    concurrency: int
    user_agent: str
    allow_private_networks: bool


@dataclass(frozen=True, slots=True)
class FetchLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    feed_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 16
    user_agent: str = "migwatch/0.1 (+https://github.com/migwatch/migwatch; news monitor)"
    allow_private_networks: bool = False  # may a URL the user did not write reach a private address

    @classmethod
    def from_settings(cls, settings: LimitSettings) -> FetchLimits:
        return cls(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            feed_timeout=settings.feed_timeout,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            concurrency=settings.concurrency,
            user_agent=settings.user_agent,
            allow_private_networks=settings.allow_private_networks,
        )


__all__ = ["FetchLimits", "LimitSettings"]
