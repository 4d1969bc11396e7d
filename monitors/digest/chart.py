"""A small PNG of the Channel crossing figures a digest reports, one line per period.

matplotlib is imported only when a chart is drawn: it is slow to import and most commands need none.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from monitors.models import Digest

PERIOD_LABELS = {
    "day": "per day",
    "week": "per week",
    "month": "per month",
    "year_to_date": "year to date",
    "year": "per year",
    None: "period not stated",
}


def _as_of(figure: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(figure["as_of"])) if figure.get("as_of") else None
    except ValueError:
        return None


def period_label(figure: dict[str, Any]) -> str:
    """The period a figure counts over, with the year it refers to: "2024 to date" (a comparison
    "at this point last year" is "2023 to date", not this year's total), "whole of 2023",
    "September 2024", "day", "period not stated"."""
    period, day = figure.get("period"), _as_of(figure)
    year = day.year if day else figure.get("year")
    if not isinstance(year, int) or period not in ("year_to_date", "year", "month"):
        return "—" if period is None else str(period).replace("_", " ")
    if period == "year_to_date":
        return f"{year} to date"
    if period == "year":
        return f"whole of {year}"
    return day.strftime("%B %Y") if day else f"a month of {year}"


def _series(figure: dict[str, Any]) -> str:
    """The chart line a figure belongs to: a running total is one line per year."""
    day = _as_of(figure)
    if figure.get("period") == "year_to_date" and day is not None:
        return f"{day.year} to date"
    return PERIOD_LABELS.get(figure.get("period"), str(figure.get("period")))


def channel_points(figures: Iterable[dict[str, Any]]) -> dict[str, list[tuple[date, int]]]:
    """Channel figures with an as-of date, grouped by chart line (period, and year for a running
    total), each line sorted by date, no repeats."""
    series: dict[str, set[tuple[date, int]]] = {}
    for figure in figures:
        day = _as_of(figure)
        if figure.get("route") != "channel" or day is None:
            continue
        try:
            count = int(figure["count"])
        except (KeyError, TypeError, ValueError):
            continue
        series.setdefault(_series(figure), set()).add((day, count))
    return {label: sorted(points) for label, points in series.items()}


def digest_figures(digest: Digest) -> list[dict[str, Any]]:
    return [figure for story in digest.stories for figure in story.crossing_figures]


def channel_chart_png(digest: Digest) -> bytes | None:
    """PNG bytes of the digest's Channel crossing figures over time, or None when it has none."""
    series = channel_points(digest_figures(digest))
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display: draw to memory
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(6.6, 2.6), dpi=100)
    axes = figure.add_subplot()
    counts = [count for points in series.values() for _, count in points]
    for label, points in sorted(series.items(), key=lambda kv: -max(c for _, c in kv[1])):
        xs = [float(mdates.date2num(day)) for day, _ in points]  # type: ignore[no-untyped-call]
        values = [count for _, count in points]
        # a running total is a line (one per year); counts for separate days or months are points
        style = "-" if label.endswith(" to date") else "none"
        axes.plot(xs, values, marker="o", linestyle=style, linewidth=1.6, label=label)
        for x, count in zip(xs, values, strict=True):
            axes.annotate(
                f"{count:,}",
                (x, count),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
    if max(counts) > 20 * max(1, min(counts)):
        axes.set_yscale("log")  # daily and yearly totals differ by orders of magnitude
    axes.set_title("Channel crossings reported", fontsize=10, loc="left")
    axes.set_ylabel("people", fontsize=8)
    axes.tick_params(labelsize=8)
    locator = mdates.AutoDateLocator(minticks=2, maxticks=6)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.margins(x=0.15, y=0.25)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
