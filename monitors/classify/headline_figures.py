"""A headline's crossing figures against the body's: the period one lends the other, and one figure
per count (figures.py reads the figures; this settles what a headline and its body told twice)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from monitors.classify.periods import ANY_YEAR
from monitors.models import CrossingFigure

# A headline that gives the crossings of a year: "Crossing numbers in 2021 triple 2020's figure".
_HEADLINE_YEAR = re.compile(
    r"\b(?:crossings?|crossing numbers|arrivals|landings|arrivi|sbarchi|traversate|approdi)\b[^.;:0-9]{0,20}?"
    r"\b(?:in|nel|during|for) ((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def headline_periods(
    figures: list[CrossingFigure], unstated: list[bool], title: str, published: date | None
) -> list[CrossingFigure]:
    """A body's count with no period takes the period of the headline's count that rounds it:
    "More than 500 migrants crossed the Channel yesterday" over "528 people were detained"; or,
    when the headline has no count, the year the headline gives the crossings ("Crossing numbers
    in 2021 triple 2020's figure" over "following 28,400 people crossing the Channel"), or the one
    year it names ("2024 was the deadliest year in the Channel" over "Arrivals rose to 36,816")."""
    figures = _headline_rounding(figures, unstated, title)
    if not any(u and f.sentence != title for f, u in zip(figures, unstated, strict=True)):
        return figures
    headline = [f for f in figures if f.sentence == title and f.period is not None]
    dated = None if headline else _HEADLINE_YEAR.search(title)
    if dated is None and not headline and len(set(ANY_YEAR.findall(title))) == 1:
        dated = ANY_YEAR.search(title)  # "2024 was the deadliest year in the Channel"
    out = []
    for figure, no_phrase in zip(figures, unstated, strict=True):
        if no_phrase and figure.sentence != title:
            rounded = next((h for h in headline if _rounds(h.count, figure.count)), None)
            if rounded is not None:
                figure = replace(figure, period=rounded.period, as_of=rounded.as_of, year=rounded.year)
            elif dated is not None:
                year = int(dated.group(1))
                so_far = published is not None and published.year == year
                figure = replace(
                    figure,
                    period="year_to_date" if so_far else "year",
                    as_of=published if so_far else date(year, 12, 31),
                    year=year,
                )
        out.append(figure)
    return out


def _headline_rounding(
    figures: list[CrossingFigure], unstated: list[bool], title: str
) -> list[CrossingFigure]:
    """A headline's round count with no period takes the period of the body's count it rounds:
    "Canarie, quasi 40mila arrivi" over "Sono 39.910 le persone sbarcate quest'anno"."""
    body = [f for f in figures if f.sentence != title and f.period is not None]
    out = []
    for figure, no_phrase in zip(figures, unstated, strict=True):
        if no_phrase and figure.sentence == title and figure.period is None:
            exact = next((b for b in body if _rounds(figure.count, b.count)), None)
            if exact is not None:
                figure = replace(figure, period=exact.period, as_of=exact.as_of, year=exact.year)
        out.append(figure)
    return out


def _rounds(rounded: int, exact: int) -> bool:
    """`rounded` is a round number within a tenth of `exact` ("more than 500" for 528)."""
    return rounded != exact and rounded % 10 == 0 and abs(rounded - exact) * 10 <= exact


def one_per_count(figures: list[CrossingFigure], title: str) -> list[CrossingFigure]:
    """A count told twice is one figure: a headline's without a period or a route gives way to the
    body's that has them, and so does a headline's whose period differs from the body's (a headline
    packs two counts in one clause: "755 cross Channel as total for year nears 16,000")."""
    with_period = {f.count for f in figures if f.period is not None}
    in_body = {f.count for f in figures if f.period is not None and f.sentence != title}
    kept = [
        f
        for f in figures
        if (f.period is not None or f.count not in with_period)
        and not (title and f.sentence == title and f.count in in_body)
    ]
    routed = {(f.count, f.period) for f in kept if f.route != "other"}
    return [f for f in kept if f.route != "other" or (f.count, f.period) not in routed]
