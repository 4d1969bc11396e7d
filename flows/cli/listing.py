"""`migwatch items` and `migwatch feeds`: what is stored, made safe to show."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from flows.cli.common import settings_from, when

ITEM_CSV_COLUMNS = [
    "id",
    "title",
    "source",
    "url",
    "published",
    "relevant",
    "score",
    "story_id",
    "crossing_figures",
    "ministerial_visits",
    "link_refused",
]


def _item_record(row: Any) -> dict[str, Any]:
    # feed text is shown only once made safe (monitors/safetext.py), whatever the format
    from monitors.safetext import clean_url, clean_values, one_line

    return {
        "id": row.id,
        "title": one_line(row.title),
        "source": one_line(row.source) if row.source else None,
        "url": clean_url(row.url),
        "published": row.published.isoformat() if row.published else None,
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


def _write_items_csv(records: list[dict[str, Any]]) -> None:
    from monitors.safetext import csv_cell

    writer = csv.writer(sys.stdout)
    writer.writerow(ITEM_CSV_COLUMNS)
    for rec in records:
        cells = {
            **rec,
            "crossing_figures": " ".join(str(c) for c in rec["crossing_figures"]),
            "ministerial_visits": "; ".join(rec["ministerial_visits"]),
        }
        writer.writerow(csv_cell(cells[column]) for column in ITEM_CSV_COLUMNS)


def _print_items_table(records: list[dict[str, Any]]) -> None:
    if not records:
        print("No items stored yet.")
    for rec in records:
        mark = "*" if rec["relevant"] else " "
        title = rec["title"] if len(rec["title"]) <= 70 else rec["title"][:69] + "…"
        print(f"{rec['id']:>5} {mark} {rec['score']:.2f}  {title}")
        if rec["link_refused"]:
            print(f"{'':>14}link not fetched: {rec['link_refused']}")
    if records:
        print(f"{len(records)} item(s); * = relevant")


def cmd_items(args: argparse.Namespace) -> int:
    from storage.store import list_items, open_engine

    settings = settings_from(args)
    engine = open_engine(settings.database_url)
    records = [_item_record(r) for r in list_items(engine, relevant_only=args.relevant)]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        _write_items_csv(records)
    else:
        _print_items_table(records)
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_feeds(args: argparse.Namespace) -> int:
    from storage.store import feed_health, open_engine

    settings = settings_from(args)
    rows = feed_health(open_engine(settings.database_url))
    records = [
        {
            "url": r.url,
            "title": r.title,
            "last_success": when(r.last_success),
            "last_error": r.last_error,
            "last_error_at": when(r.last_error_at),
            "failures": r.failures,
            "next_try": when(r.next_try),
        }
        for r in rows
    ]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("No feeds polled yet.")
        return 0
    from flows.reports import feed_name
    from monitors.safetext import clean_url, one_line

    names = [_cut(feed_name(row.url, row.title), 40) for row in rows]
    width = max(len(name) for name in names)
    print(f"{'FEED':<{width}}  {'LAST SUCCESS':<25}  {'FAILS':>5}  {'NEXT TRY':<25}  URL")
    pad = " " * (width + 63)
    for name, row in zip(names, rows, strict=True):
        print(
            f"{name:<{width}}  {when(row.last_success) or '-':<25}  {row.failures:>5}  "
            f"{when(row.next_try) or 'next poll':<25}  {clean_url(row.url)}"
        )
        if row.last_error:
            print(f"{pad}last error {when(row.last_error_at) or ''}: {one_line(row.last_error)}")
    return 0
