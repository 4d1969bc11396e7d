"""The floor: what a bare fetch + parse + store of a feeds file costs in Python on this machine.

Not migwatch: no classification, no limits, no story grouping, no Prefect. It is the least a poller
written in Python with the same parts can do, so that `bench/poll.py` can state migwatch's cost as
a ratio to it:

- fetch: httpx's transport, 16 workers (migwatch's default concurrency) with two connections each,
  a conditional GET with the ETag stored from the last run (an httpx.AsyncClient with 16 requests
  at a time cost about 3x more CPU per unchanged feed here (1.65 against 0.55 ms), so it would be no floor);
- parse: feedparser-rs, the fast parser migwatch uses first;
- store: one SQLite file, the items with one `executemany` (INSERT OR IGNORE on the link), the
  feeds' validators with another.

    .venv/bin/python bench/floor.py --feeds FEEDS.txt --db FILE.sqlite

Run twice on the same database: the first run is cold (everything new), the second unchanged
(every feed answers 304). `bench/poll.py` does exactly that beside `migwatch poll`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

import feedparser_rs
import httpx

CONCURRENCY = 16
SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT);
CREATE TABLE IF NOT EXISTS items (
    link TEXT PRIMARY KEY, feed TEXT NOT NULL, title TEXT, summary TEXT, published TEXT
);
"""


async def fetch_all(urls: list[str], etags: dict[str, str]) -> list[tuple[str, int, bytes, str | None]]:
    """(url, status, body, etag) for each feed: 16 workers, each with its own small connection pool,
    sending through httpx's transport directly (the client's per-request merging of settings,
    cookies and redirects costs as much as a 304 itself)."""
    pending = iter(urls)
    results: list[tuple[str, int, bytes, str | None]] = []

    async def worker() -> None:
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with httpx.AsyncHTTPTransport(limits=limits, trust_env=False) as transport:
            for url in pending:
                headers = {"If-None-Match": etags[url]} if url in etags else {}
                response = await transport.handle_async_request(httpx.Request("GET", url, headers=headers))
                body = await response.aread()
                results.append((url, response.status_code, body, response.headers.get("etag")))

    await asyncio.gather(*(worker() for _ in range(min(CONCURRENCY, len(urls)) or 1)))
    return results


def item_rows(feed: str, body: bytes) -> list[tuple[str, str, str, str, str]]:
    parsed = feedparser_rs.parse(body)
    rows = []
    for entry in parsed.entries:
        key = entry.link or entry.id  # feedparser-rs blanks links to loopback hosts; the guid stays
        if key:
            rows.append((key, feed, entry.title or "", entry.summary or "", entry.published or ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=Path, required=True, help="a file of feed URLs, one per line")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file to store into")
    args = parser.parse_args()
    urls = [line.strip() for line in args.feeds.read_text().splitlines() if line.strip()]
    db = sqlite3.connect(args.db)
    db.executescript(SCHEMA)
    etags = dict(db.execute("SELECT url, etag FROM feeds WHERE etag IS NOT NULL").fetchall())
    responses = asyncio.run(fetch_all(urls, etags))
    items: list[tuple[str, str, str, str, str]] = []
    validators: list[tuple[str, str | None]] = []
    for url, status, body, etag in responses:
        if status == 200:
            items += item_rows(url, body)
            validators.append((url, etag))
    with db:
        db.executemany("INSERT OR IGNORE INTO items VALUES (?, ?, ?, ?, ?)", items)
        db.executemany("INSERT OR REPLACE INTO feeds VALUES (?, ?)", validators)
    db.close()
    unchanged = sum(1 for _, status, _, _ in responses if status == 304)
    print(f"{len(urls)} feeds: {len(items)} items parsed, {unchanged} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
