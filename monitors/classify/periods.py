"""The period a crossing figure counts over (a day, a week, a month, the year so far, a whole year,
or another span), and the date it refers to: the year for a year's total, the reference day for a
running total ("so far this year" on 14 December), the same day a year earlier for a comparison
("at this point last year")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from monitors.classify.dates import MONTH_WORD, MONTHS, WEEKDAY_WORD, month_end, weekday_near
from monitors.classify.patterns import fold_case
from monitors.models import Period

_ITALIAN_WEEKDAY = r"lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica"
_ENGLISH_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# Day words that date a count only when they follow it ("600 arrived in UK Thursday", "50 arriving
# in Dover today"); before it they date the report ("Figures out today show 40,000 this year").
_ONLY_AFTER = re.compile(rf"(?:today|{_ENGLISH_WEEKDAY})", re.IGNORECASE)
# "span": a stated length that is none of the periods ("in two days", "since 2018"): no period.
_PERIODS: tuple[tuple[Period | None, re.Pattern[str]], ...] = (
    (
        None,
        re.compile(
            r"\b(?:in|over|during|nel(?:l'arco di)?|negli|in the (?:last|past)|over the (?:last|past)"
            r"|negli ultimi|nelle ultime) (?:two|three|four|five|six|eight|nine|ten|a few|several|(?!7\b)\d+"
            r"|due|tre|quattro|cinque|sei|otto|nove|dieci|pochi|poche) (?:days|weeks|months|years"
            r"|giorni|settimane|mesi|anni)\b"
            # seven days are a week (below), seven of anything longer a span
            r"|\b(?:in|over|during|nel(?:l'arco di)?|negli|in the (?:last|past)|over the (?:last|past)"
            r"|negli ultimi|nelle ultime) (?:seven|7|sette) (?:weeks|months|years|settimane|mesi|anni)\b"
            r"|\bin (?:48|72) (?:hours|ore)\b"
            # the Home Office's rolling year is no calendar year: "in the 12 months to June", "year to June"
            rf"|\b(?:the )?(?:12|twelve) months (?:to|ending(?: in)?) (?:{MONTH_WORD.pattern})\b"
            rf"|\b(?:in )?(?:the )?year (?:to|ending(?: in)?) (?:{MONTH_WORD.pattern})\b"
            rf"|\bnei dodici mesi (?:fino a|a) (?:{MONTH_WORD.pattern})\b"
            # a span of named days: "between Monday and Wednesday"
            rf"|\bbetween (?:{WEEKDAY_WORD.pattern}) and (?:{WEEKDAY_WORD.pattern})\b"
            rf"|\btra (?:{WEEKDAY_WORD.pattern}) e (?:{WEEKDAY_WORD.pattern})\b"
            r"|\bsince (?:records began|(?:19|20)\d\d)\b|\bdal (?:19|20)\d\d\b"
            # a government's time is no calendar period: "since Labour took office", "dall'insediamento"
            r"|\bsince (?:Labour|the Conservatives|the Tories|the government|the election|he|she|they)"
            rf" (?:took office|won|came to power)(?: the election)?(?: (?:in|on) (?:\d{{1,2}} )?(?:{MONTH_WORD.pattern}))?"
            rf"|\bsince the (?:general )?election(?: (?:in|on) (?:\d{{1,2}} )?(?:{MONTH_WORD.pattern}))?\b"
            r"|\bsince the small boats began\b|\bdall'insediamento\b"
            r"|\bnei primi cento giorni\b|\bin (?:its|his|her|Starmer's|the government's) first year\b"
            # a financial year, "in 2020/21", is no calendar year
            r"|\b(?:in|for|during|nel) (?:19|20)\d\d/\d\d\b"
            r"|\b(?:nell'ultimo|nello scorso|lo scorso|l'ultimo|questo|nel) fine settimana\b"
            r"|\b(?:in )?(?:little |just |a little )?(?:more|less) than (?:a|one) day\b",
            re.IGNORECASE,
        ),
    ),
    (
        "day",
        re.compile(
            rf"\bon (?:{WEEKDAY_WORD.pattern})|so far (?:today|on (?:{WEEKDAY_WORD.pattern}))|\byesterday\b|in a single day|in one day|on a single day"
            r"|\bieri\b|\boggi\b|in un (?:solo |singolo )?giorno|in una sola giornata|in a day\b"
            r"|(?:nelle|nelle ultime|in) 24 ore|24-hour period|(?:in|over) the (?:last |past )?24 hours"
            r"|\blast night\b|\bovernight\b|\bdaily\b|\bgiornalier[oa]\b|\bhours earlier\b|\bearlier today\b"
            rf"|\b(?:{_ENGLISH_WEEKDAY}) (?:alone )?(?:saw|brought)\b"
            rf"|(?<![\w])(?:{_ITALIAN_WEEKDAY})(?![\w])|on (?:the )?\d{{1,2}}"
            rf"(?:st|nd|rd|th)? (?:{MONTH_WORD.pattern})|\bday\b(?!-)|\bgiornata\b"
            rf"|\btoday\b|\b(?:{_ENGLISH_WEEKDAY})\b|\bnella notte\b|nel corso della notte|\bstanotte\b|\bin nottata\b"
            r"|\b(?:da )?stamattina\b|\bstamane\b|\bin mattinata\b|\bthis morning\b|\bda(?:lla)? mezzanotte\b|\bsince midnight\b",
            re.IGNORECASE,
        ),
    ),
    (
        "week",
        re.compile(
            r"this week|last week|in a week|past week|over the weekend|questa settimana|in una settimana"
            r"|ultima settimana|settimana scorsa|\bweek\b(?!-|'s worth)|nell'arco di una settimana"
            r"|\bthe (?:seven|7) days (?:to|up to|ending) \w+"  # the Home Office's weekly count
            r"|\b(?:the )?(?:last|past) (?:seven|7) days\b|\bin (?:seven|7) days\b|\bultimi (?:sette|7) giorni\b"
            r"|\bin (?:sette|7) giorni\b",
            re.IGNORECASE,
        ),
    ),
    (
        "year_to_date",
        re.compile(
            rf"so far this year|this year|to date|so far in(?! (?:{MONTH_WORD.pattern}))|as of|since (?:the start of |1 )?January"
            r"|since the (?:start|beginning) of (?:the|this) year|dall'inizio del \d{4}"
            r"|(?:the )?first (?:half|quarter|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2}) months)"
            r"(?: of (?:the year|this year|\d{4}))?"
            r"|(?:nel )?primo (?:semestre|trimestre)(?: dell'anno| del \d{4})?"
            r"|(?:nei )?primi (?:due|tre|quattro|cinque|sei|sette|otto|nove|dieci|undici|\d{1,2}) mesi"
            r"(?: dell'anno| del \d{4})?|between january(?: (?:19|20)\d\d)? and|(?:for |from |in )?january to(?: date| today)?|tra gennaio e(?: oggi)?|da gennaio a(?: oggi)?"
            r"|(?:at )?(?:the )?same (?:point|period|time|stage)(?: (?:in|of|last) (?:19|20)\d\d| last year)?"
            r"|(?:at )?this (?:point|stage|time) (?:in|of) (?:19|20)\d\d"
            r"|at this point last year|this time last year|(?:dall'inizio dell'anno|da inizio anno|dal primo gennaio)(?: (?:a|ad|fino a|fino ad) oggi)?|finora"
            r"|quest'anno|dal primo gennaio|dal 1 gennaio|stesso periodo(?: del (?:19|20)\d\d| dell'anno (?:scorso|precedente))?"
            rf"|so far(?! this month| in (?:{MONTH_WORD.pattern}))|un anno fa|a year ago"
            r"|\bda gennaio(?! a)\b|\bfrom January\b(?! to)"
            r"|\b(?:this )?year's (?:total|tally)"
            rf"|by (?:the )?end of (?:{MONTH_WORD.pattern})|(?:fino )?a fine (?:{MONTH_WORD.pattern})|entro la fine di (?:{MONTH_WORD.pattern})",
            re.IGNORECASE,
        ),
    ),
    (
        "month",
        re.compile(
            rf"\b(?:in|for|during|of|nel mese di|a|ad|di|del|nel) (?:{MONTH_WORD.pattern})\b(?: so far)?|this month|last month"
            rf"|so far (?:this month|in (?:{MONTH_WORD.pattern}))"
            r"|questo mese|mese scorso|\bmonth\b(?!-|'s worth)|\bmese\b"
            rf"|\b(?:nel|in) solo (?:mese di )?(?:{MONTH_WORD.pattern})\b|\b(?:{MONTH_WORD.pattern}) alone\b"
            r"|\bprimo mese(?: del (?:19|20)\d\d| dell'anno)?\b|\bfirst month(?: of (?:the year|(?:19|20)\d\d))?\b"
            r"|\bprimo mese dell'anno\b|\bfirst month of the year\b"
            rf"|\b(?:{MONTH_WORD.pattern}) (?:saw|brought|recorded|alone)\b",  # "August saw 5,000 people cross"
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        re.compile(
            r"last year|\bin (?:19|20)\d\d\b|throughout (?:19|20)\d\d|l'anno scorso|lo scorso anno"
            r"|\b(?:nel|del|for) (?:19|20)\d\d\b|whole of (?:19|20)\d\d|over the year|\b(?:19|20)\d\d's\b"
            r"|\b(?:19|20)\d\d (?:chiude|si chiude|si è chiuso|ended|closed)\b|\byear\b(?!'s)|\banno\b",
            re.IGNORECASE,
        ),
    ),
)
# All periods in one lower-case pattern, read once per number (a group per period, in rank order:
# every phrase starts a word, so positions inside words are skipped at once;
# at one position the first period listed wins, so "so far on Monday" is a day, not the year so far).
_ANY_PERIOD = re.compile(
    r"(?<![a-z0-9àèéìòù])(?=[a-z0-9àèéìòù])(?:"
    + "|".join(f"(?P<p{rank}>{fold_case(p.pattern)})" for rank, (_, p) in enumerate(_PERIODS))
    + ")"
)
_RANKED = tuple(period for period, _ in _PERIODS)
_REACH = 160  # how far from a number its period phrase may be
_NEAR = 60  # the window read first
_LONGEST = 30  # no period phrase is longer
# A year written in digits.
ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NAMED_YEAR = re.compile(r"(?:\bin|\bnel|\bdel|\bfor|\bof|^)\s*((?:19|20)\d\d)(?:'s)?(?!\d)", re.IGNORECASE)
# A year right after the count it dates: "45.774 del 2022", "28,400 people in 2021".
_ATTACHED_YEAR = re.compile(
    r"(?:\s+[^\W\d]+){0,2}\s+(?:del|nel|in|of|for|during)\s+((?:19|20)\d\d)(?![\d/])", re.IGNORECASE
)
# "2022's record of 45,774", "il record del 2022 di 45.774": a year before the count it dates.
_YEAR_BEFORE = re.compile(
    r"((?:19|20)\d\d)(?:'s (?:record|total|tally|figure)(?: of)?|,? (?:when|quando))\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_SAME_POINT_BEFORE = re.compile(
    r"\b(?:same|this) (?:point|stage|time|period) (?:in|of) (?:19|20)\d\d,? (?:when|quando)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# A phrase that ranks the figure ("the busiest day of the year", "il numero più alto del 2024")
# tells no period of it.
_SUPERLATIVE = re.compile(
    r"(?:busiest|highest|biggest|largest|worst|the most|più alt[oa]|più numeros[oa]|più grande|peggiore)\b"
    r"[^.,;:]{0,40}$|\brecord (?:del|dell'|of the|for the)\s*$",
    re.IGNORECASE,
)
_COMMA = re.compile(r"[,;:]|\s[–—]\s")  # a dash between spaces ends a clause as a comma does
# What a ranking phrase ranks over ("the busiest day of the year"), as opposed to a period it
# reports ("the highest ever for January to June").
# A phrase that dates a report, not its count: "Figures released this week showed 13,489 people
# crossed ... in the first six months". It is read only when no other phrase is near.
_RELEASED_BEFORE = re.compile(
    r"\b(?:released|published|issued|updated|out|pubblicat[ie]|diffus[ie]|resi noti)\s+$", re.IGNORECASE
)
_RANKING_OBJECT = re.compile(
    r"(?:(?:on |in )?(?:a |un )?single day|(?:un )?(?:solo |singolo )?giorno|day|daily|giornalier[oa]|year|this year"
    r"|(?:of )?the year|anno|giornata|(?:in|of|del|nel|for|since) (?:19|20)\d\d|(?:19|20)\d\d's)$"
)
_NEW_CLAUSE = re.compile(r"\b(?:with|including|but|ma)\b", re.IGNORECASE)
_COMPARED = re.compile(
    r"\b(?:compared|against|(?<!more )(?<!less )(?<!fewer )than|while|whereas|contro|rispetto|a fronte|mentre)\b",
    re.IGNORECASE,
)
_SO_FAR = re.compile(r"\b(?:so far|as of|to date|finora)\b|dall'inizio dell'anno", re.IGNORECASE)
_YESTERDAY = re.compile(r"\b(?:yesterday|ieri|last night)\b", re.IGNORECASE)
_LAST_YEAR_WORDS = re.compile(
    r"last year|l'anno scorso|lo scorso anno|anno precedente|previous year|year before|(?:19|20)\d\d",
    re.IGNORECASE,
)
_LAST_YEAR = re.compile(
    r"this time last year|same (?:period|point|time) (?:of |in )?(?:last|the previous) year|at this point last year"
    r"|un anno fa|a year ago|a year earlier|the year before|un anno prima|l'anno prima"
    r"|stesso periodo dell'anno (?:scorso|precedente)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundPeriod:
    period: Period | None
    around: str  # the text around the number and its period phrase, to date the figure
    year: int | None = None  # a year the phrase names for this count
    stated: bool = True  # False: no period phrase at all (not a stated span such as "in two days")


def find_period(
    text: str, start: int, end: int, *, cumulative: bool = False, published: date | None = None
) -> FoundPeriod:
    """The period phrase nearest the number at text[start:end]. `cumulative`: the number is a
    running total ("the total passed 30,000"): a day phrase tells when, not over what, and a total
    with no period is the year's so far."""
    attached = _ATTACHED_YEAR.match(text, end) or _YEAR_BEFORE.search(text[max(0, start - 60) : start])
    if attached is not None:
        year = int(attached.group(1))
        if _SAME_POINT_BEFORE.search(text[max(0, start - 90) : start]):
            # "ahead of the same point in 2023, when 15,800 had made the journey": that year so far
            return FoundPeriod("year_to_date", _around(text, start, end), year)
        return FoundPeriod(_year_or_so_far(year, published, text), _around(text, start, end), year)
    best = _nearest(text, start, end, cumulative=cumulative)
    if best is None:
        return FoundPeriod(
            "year_to_date" if cumulative else None, _around(text, start, end), stated=cumulative
        )
    period, phrase_start, phrase_end = best
    around = _around(text, min(phrase_start, start), max(phrase_end, end))
    if period == "year" and cumulative and not _LAST_YEAR_WORDS.search(around):
        period = "year_to_date"  # "bringing the total for the year past 24,800"
    if period == "year":
        named = _NAMED_YEAR.search(text[phrase_start:phrase_end])
        if named is not None:
            year = int(named.group(1))
            return FoundPeriod(_year_or_so_far(year, published, text), around, year)
        phrase = text[phrase_start:phrase_end]
        if (
            _THE_YEAR.fullmatch(phrase)
            and published is not None
            and not _closed(published, text)
            and not _OTHER_YEAR.search(text[max(0, phrase_start - 20) : phrase_end + 15])
            and not ANY_YEAR.search(
                text[max(0, phrase_start - 10) : phrase_end + 15]
            )  # "dell'anno record 2022"
        ):
            return FoundPeriod("year_to_date", around)  # "i 42mila sbarchi dell'anno" in April: so far
    if period == "year_to_date" and (named_years := ANY_YEAR.findall(around)):
        return FoundPeriod(period, around, int(named_years[-1]))  # "the same period in 2022"
    return FoundPeriod(period, around)


def _year_or_so_far(year: int, published: date | None, text: str) -> Period:
    """A year named for a count is the year so far when the item was published in it, or, for an
    undated item, when the sentence says so ("as of Tuesday, 25,244 people ... in 2024"); a year
    told as closed ("chiuso l'anno", published on its last days) is the whole year."""
    if published is None:
        return "year_to_date" if _SO_FAR.search(text) else "year"
    return "year_to_date" if year == published.year and not _closed(published, text) else "year"


def _closed(published: date, text: str) -> bool:
    """The year the item was published in is told as over: its last days, or "the year closed"."""
    return (published.month == 12 and published.day >= 28) or _YEAR_CLOSED.search(text) is not None


_OTHER_YEAR = re.compile(
    r"year (?:before|earlier)|(?:previous|prior|last|whole|full|entire) year|anno (?:precedente|prima|scorso|intero)"
    r"|(?:scorso|intero) anno|l'anno (?:prima|precedente)|a year in which|un anno in cui",
    re.IGNORECASE,
)
# The year named by the word alone: "dell'anno", "of the year" (not "last year" or "2023").
_THE_YEAR = re.compile(r"year|anno", re.IGNORECASE)
_YEAR_CLOSED = re.compile(
    r"\b(?:chiuso|chiude|si è chiuso|si chiude|concluso|ended|closed)\b",
    re.IGNORECASE,
)


def _nearest(text: str, start: int, end: int, *, cumulative: bool) -> tuple[Period | None, int, int] | None:
    """The nearest period phrase that is not across a new clause and does not rank the figure.
    Most are close: a short window is read first, and the whole reach only when it finds no
    phrase nearer than its own edge."""
    near = _best(text, start, end, _NEAR, cumulative=cumulative)
    if near is not None and near[0] <= _NEAR:
        return near[1:]
    far = _best(text, start, end, _REACH, cumulative=cumulative)
    return None if far is None else far[1:]


def _best(
    text: str, start: int, end: int, reach: int, *, cumulative: bool
) -> tuple[int, Period | None, int, int] | None:
    """The best phrase within `reach` of the number: (distance, period, start, end). A phrase cut
    by the window's edge makes the answer unknown (None, so that the caller reads further)."""
    offset = max(0, start - reach)
    stop = min(len(text), end + reach)
    raw = text[offset:stop]
    segment = raw.lower()
    if len(segment) != len(raw):  # lower-casing changed a length: read the whole text, if it can be
        segment, offset, stop = text.lower(), 0, len(text)
        if len(segment) != len(text):
            return None
    found: list[tuple[int, int, Period | None, int, int]] = []
    for match in _ANY_PERIOD.finditer(segment):
        if reach < _REACH and (
            (match.start() < _LONGEST and offset > 0)
            or (match.end() > len(segment) - _LONGEST and stop < len(text))
        ):
            return None  # maybe cut by the window ("[this time] last year"): read the whole reach
        rank = int(match.lastgroup[1:]) if match.lastgroup else 0
        period = _RANKED[rank]
        if cumulative and period == "day":
            continue
        begin, finish = match.start() + offset, match.end() + offset
        if finish <= start and _ONLY_AFTER.fullmatch(segment, match.start(), match.end()):
            continue
        gap = start - finish if finish <= start else begin - end if begin >= end else 0
        found.append((gap, rank, period, begin, finish))
    found.sort(key=lambda c: (c[0], c[1]))
    best: tuple[int, int, Period | None, int, int] | None = None
    for gap, rank, period, begin, finish in found:
        if best is not None and (gap, rank) >= best[:2]:
            break  # a boundary only adds distance: nothing further on can do better
        apart = (
            0
            if gap == 0
            else _boundary(
                text, *((finish, start) if finish <= start else (end, begin)), period, finish <= start
            )
        )
        if apart is None or (
            _RANKING_OBJECT.match(text[begin:finish].lower())
            and _SUPERLATIVE.search(text[max(0, begin - 50) : begin])
        ):
            continue
        if finish <= start and _RELEASED_BEFORE.search(text, max(0, begin - 20), begin):
            apart += _REACH
        if best is None or (gap + apart, rank) < best[:2]:
            best = (gap + apart, rank, period, begin, finish)
    return None if best is None else (best[0], best[2], best[3], best[4])


def _boundary(text: str, start: int, end: int, period: Period | None, before: bool = False) -> int | None:
    """How much a clause boundary between a number and a period phrase sets them apart: a comma
    some ("Since January, 30,000 people"), a dependent clause that follows the number entirely
    ("29,099 with 538 people intercepted on Tuesday": None), though the main clause's period
    reaches into one ("last year, ... with around 110,000 migrants landing there"). Across a
    comparison only the year so far carries over: "50mila, contro i 133mila di un anno fa"."""
    between = text[start:end]
    if _NEW_CLAUSE.search(between):
        return _REACH if before else None
    if _COMPARED.search(between):
        return _REACH if period == "year_to_date" else None
    return _REACH if _COMMA.search(between) else 0


def _around(text: str, start: int, end: int) -> str:
    """The number and its period phrase (text[start:end]) and what follows up to the end of the
    clause: the words that date the figure ("stesso periodo del 2024", "on Sunday")."""
    tail = text[end : end + 30]
    cut = _COMMA.search(tail) or _NEW_CLAUSE.search(tail) or _COMPARED.search(tail)
    return text[start:end] + (tail[: cut.start()] if cut else tail)


def as_of(found: FoundPeriod, published: date | None) -> date | None:
    """The date a figure refers to: a day, a month's or year's end, or the day of a running total."""
    period, clause = found.period, found.around
    if published is None or period is None:
        return None
    years = [int(y) for y in ANY_YEAR.findall(clause)]
    if period == "day":
        if _YESTERDAY.search(clause) and not WEEKDAY_WORD.search(clause):
            return published - timedelta(days=1)
        return weekday_near(clause, published, future=False) or published
    if period == "week":
        return published
    if period == "year_to_date":
        if _LAST_YEAR.search(clause):
            return _replace_year(published, published.year - 1)
        year = found.year or (years[-1] if years else None)
        if year is not None and year != published.year:
            return _replace_year(published, year)
        return weekday_near(clause, published, future=False) if WEEKDAY_WORD.search(clause) else published
    if period == "month":
        month_match = MONTH_WORD.search(clause)
        if month_match:
            month = MONTHS[month_match.group(0).lower()]
            year = published.year if month <= published.month else published.year - 1
            if years:  # "the 8,631 of August 2022"
                year = years[-1]
            return month_end(year, month)
        return published
    if found.year is not None:
        return date(found.year, 12, 31)
    if _LAST_YEAR_WORDS.search(clause) and not years:
        return date(published.year - 1, 12, 31)
    return date(years[0], 12, 31) if years else None


def year_of(found: FoundPeriod, day: date | None, reference_year: int | None) -> int | None:
    """The calendar year a figure refers to: its day's, the one it names, else the item's year
    (`reference_year`, maybe read from the text) or the one before ("at this point last year")."""
    if day is not None:
        return day.year
    if found.year is not None:
        return found.year
    if reference_year is None or found.period is None:
        return None
    earlier = _LAST_YEAR.search(found.around) or (
        found.period == "year" and _LAST_YEAR_WORDS.search(found.around)
    )
    return reference_year - 1 if earlier else reference_year


def _replace_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
