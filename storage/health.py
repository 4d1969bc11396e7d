"""Feed health for `migwatch doctor`: which feeds are failing now, read from the sources table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from storage.sql import guard
from storage.tables import Source


@dataclass(frozen=True, slots=True)
class FeedHealth:
    url: str
    failures: int  # in a row; 0 = healthy
    last_error: str | None
    last_success: datetime | None


def feed_health(engine: Engine) -> list[FeedHealth]:
    """Every polled feed (fixture folders are not feeds), failing ones first."""
    with guard("reading feed health"), Session(engine) as session:
        rows = session.scalars(
            select(Source)
            .where(col(Source.kind) == "feed")
            .order_by(col(Source.failures).desc(), col(Source.url))
        ).all()
        return [FeedHealth(r.url, r.failures, r.last_error, r.last_success) for r in rows]
