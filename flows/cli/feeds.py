"""`migwatch feeds`: each feed's health, by title, made safe to show."""

from __future__ import annotations

import argparse
import json

from flows.cli.common import cut, settings_from, when


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
    from monitors.safetext import clean_url, one_line

    names = [cut(one_line(row.title) or "-" if row.title else "-", 40) for row in rows]
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
