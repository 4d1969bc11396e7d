"""`migwatch items`: the stored items, newest first, filtered, or one item whole with why it matched.

Feed text is shown only once made safe (monitors/safetext.py), whatever the format.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flows.cli.common import cut, settings_from
from monitors.errors import InputError

CSV_COLUMNS = [
    "id",
    "title",
    "source",
    "url",
    "published",
    "first_seen",
    "relevant",
    "score",
    "story_id",
    "crossing_figures",
    "ministerial_visits",
    "link_refused",
]
_AGO = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def since(value: str) -> datetime:
    """`--since`: a date or a date and time (ISO 8601, UTC unless it says), or an age: 24h, 7d, 2w."""
    text = value.strip().lower()
    ago = _AGO.match(text)
    if ago:
        return datetime.now(UTC) - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is neither a date (2025-06-01), a date and time (2025-06-01T08:00) "
            "nor an age (24h, 7d, 2w)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _rule(hit: dict[str, Any]) -> str:
    from monitors.safetext import one_line

    weight = hit.get("weight")
    shown = f"{weight:+.2f}" if isinstance(weight, int | float) else "     "
    return one_line(f'{shown}  {hit.get("rule", "?")}: "{hit.get("match", "")}" in {hit.get("where", "?")}')


def _record(row: Any, *, whole: bool = False, explain: bool = False) -> dict[str, Any]:
    from monitors.safetext import clean, clean_url, clean_values, one_line

    record: dict[str, Any] = {
        "id": row.id,
        "title": one_line(row.title),
        "source": one_line(row.source) if row.source else None,
        "url": clean_url(row.url),
        "published": _iso(row.published),
        "first_seen": row.first_seen.isoformat(),
        "relevant": row.relevant,
        "score": round(row.score, 3),
        "story_id": row.story_id,
        "crossing_figures": [f["count"] for f in row.crossing_figures],
        "ministerial_visits": [
            one_line(f"{v['minister']} -> {v['destination']}") for v in clean_values(row.ministerial_visits)
        ],
        # why the article page was not fetched, when the address policy refused the link
        "link_refused": one_line(row.link_refused) if row.link_refused else None,
    }
    if whole:
        record.update(
            feed_url=clean_url(row.feed_url),
            summary=clean(row.summary),
            content=clean(row.content),
            crossing_figures=clean_values(row.crossing_figures),
            ministerial_visits=clean_values(row.ministerial_visits),
        )
    if explain:
        record["explanation"] = clean_values(row.rules)
    return record


def _write_csv(rows: list[Any], explain: bool) -> None:
    from monitors.safetext import csv_cell

    columns = CSV_COLUMNS + (["explanation"] if explain else [])
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    for row in rows:
        record = _record(row)
        cells = {
            **record,
            "crossing_figures": " ".join(str(c) for c in record["crossing_figures"]),
            "ministerial_visits": "; ".join(record["ministerial_visits"]),
            "explanation": "; ".join(_rule(hit).strip() for hit in row.rules),
        }
        writer.writerow(csv_cell(cells[column]) for column in columns)


def _outlet(source: str | None) -> str:
    """An outlet known by its title, else by its feed URL's host (the table has no room for more)."""
    if not source:
        return "-"
    if source.startswith(("http://", "https://")):
        return urlsplit(source).hostname or source
    return source


def _print_table(rows: list[Any], shown_all: bool) -> None:
    if not rows:
        print("No items match." if not shown_all else "No items stored yet.")
        return
    records = [_record(row) for row in rows]
    outlets = [cut(_outlet(rec["source"]), 24) for rec in records]
    width = max(6, *(len(outlet) for outlet in outlets))
    print(f"{'ID':>6}  REL  SCORE  {'PUBLISHED':<10}  {'OUTLET':<{width}}  FIG  VIS  TITLE")
    for rec, outlet in zip(records, outlets, strict=True):
        day = (rec["published"] or "")[:10] or "-"
        print(
            f"{rec['id']:>6}  {'*' if rec['relevant'] else ' ':^3}  {rec['score']:>5.2f}  {day:<10}  "
            f"{outlet:<{width}}  {len(rec['crossing_figures']):>3}  {len(rec['ministerial_visits']):>3}  "
            f"{cut(rec['title'], 80)}"
        )
        if rec["link_refused"]:
            print(f"{'':>{width + 39}}link not fetched: {rec['link_refused']}")
    print(
        f"{len(records)} item(s), newest first; * = relevant; FIG, VIS = crossing figures, ministerial "
        "visits. `migwatch items --id ID --explain` shows one item whole."
    )


def _paragraphs(text: str, indent: str = "   ") -> str:
    from monitors.safetext import one_line

    blocks = [one_line(block) for block in re.split(r"\n\s*\n|\n", text)]
    return "\n".join(
        textwrap.fill(block, width=100, initial_indent=indent, subsequent_indent=indent)
        for block in blocks
        if block
    )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment.tzinfo else str(moment)


def _print_whole(row: Any, explain: bool) -> None:
    from monitors.digest.render import describe_visit, figure_table
    from monitors.safetext import clean_url, clean_values, one_line

    verdict = "relevant" if row.relevant else "not relevant"
    lines = [
        f"Item {row.id}: {one_line(row.title)}",
        f"Outlet:      {one_line(row.source) if row.source else '-'}"
        + (f"  ({clean_url(row.feed_url)})" if row.feed_url and row.feed_url != row.source else ""),
        f"Link:        {clean_url(row.url) or '-'}"
        + (f" (not fetched: {one_line(row.link_refused)})" if row.link_refused else ""),
        f"Published:   {_when(row.published)}",
        f"First seen:  {_when(row.first_seen)}",
        f"Verdict:     {verdict}, score {row.score:.2f}"
        + (f", in story {row.story_id}" if row.story_id else ""),
    ]
    figures, visits = clean_values(row.crossing_figures), clean_values(row.ministerial_visits)
    lines += ["", f"Crossing figures ({len(figures)}):"]
    lines += [figure_table(figures, indent="   ")] if figures else ["   none"]
    lines += ["", f"Ministerial visits ({len(visits)}):"]
    lines += [f"   - {one_line(describe_visit(v))}" for v in visits] or ["   none"]
    if explain:
        lines += ["", f"Why: the rules that fired ({len(row.rules)}), with their weight:"]
        lines += [f"   {_rule(hit)}" for hit in row.rules] or ["   none"]
    for name, text in (("Summary", row.summary), ("Text", row.content)):
        if text.strip():
            lines += ["", f"{name}:", _paragraphs(text)]
    print("\n".join(lines))


def _filter(args: argparse.Namespace) -> Any:
    from storage.store import ItemFilter

    return ItemFilter(
        relevant_only=args.relevant,
        since=args.since,
        text=args.match,
        item_id=args.id,
        limit=args.limit,
        newest_first=True,
    )


def cmd_items(args: argparse.Namespace) -> int:
    from storage.store import list_items, open_engine

    if args.explain and args.id is None and args.format == "table":
        raise InputError("--explain shows why one item matched: add --id ID (or use --format json or csv)")
    settings = settings_from(args)
    engine = open_engine(settings.database_url)
    try:
        rows = list_items(engine, where=_filter(args))
    finally:
        engine.dispose()
    if args.id is not None and not rows:
        raise InputError(f"no item with id {args.id} (`migwatch items` lists their ids)")
    if args.format == "json":
        records = [_record(row, whole=args.id is not None, explain=args.explain) for row in rows]
        print(json.dumps(records[0] if args.id is not None else records, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        _write_csv(rows, args.explain)
    elif args.id is not None:
        _print_whole(rows[0], args.explain)
    else:
        shown_all = not (args.relevant or args.since or args.match)
        _print_table(rows, shown_all)
    return 0
