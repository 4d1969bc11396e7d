"""Feed text cannot drive a terminal, split a line, hide behind bidi controls or run as a formula,
whatever a user prints it with: `items` (table, json, csv) and `digest` (text, html, json, slack)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flows import pipeline
from flows.reports import render_table
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.limits import FetchLimits
from storage.store import open_engine
from tests.conftest import run_cli

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
BIDI = "\u202e\u2066"
BODY = (
    "Home Secretary Yvette Cooper visited Rome on Monday to meet Italian interior minister "
    "Matteo Piantedosi for talks on migration and small boats. Some 1,234 people crossed the "
    "Channel in small boats on Sunday, Home Office figures show."
)


def _feed() -> bytes:
    items = [
        {
            "id": "evil-1",
            "title": f"{ESCAPES}Cooper meets{BIDI} Piantedosi\r\nFAKE LINE\x9b2J",
            "url": "https://news.example.org/a\r\nInjected-Line:yes\x1b[2J",
            "content_text": BODY,
            "date_published": "2025-06-02T09:00:00Z",
        },
        {
            "id": "formula-1",
            "title": '=HYPERLINK("http://evil.example/","Cooper in Rome")',
            "url": "https://news.example.org/b",
            "content_text": BODY,
            "date_published": "2025-06-02T10:00:00Z",
        },
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Evil{ESCAPES} Times",
        "items": items,
    }
    return json.dumps(feed).encode()


@contextmanager
def _serving(body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/feed+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.json"
    finally:
        server.shutdown()
        server.server_close()


def _assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "\r" not in text
    assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for line in text.splitlines():
        assert not line.lstrip().startswith(("Injected-Line", "FAKE LINE"))


def test_feed_text_shown_by_items_and_digest_is_inert(sqlite_url: str, cli_env: dict[str, str]) -> None:
    engine = open_engine(sqlite_url)
    with _serving(_feed()) as url:  # stored as a poll stores it (the CLI's poll adds only Prefect)
        polled = pipeline.poll_all(engine, [FeedSource(url)], FetchLimits(), load_topic())
    engine.dispose()
    assert polled.new_items == 2
    _assert_inert(render_table(polled))

    items = {}
    for fmt in ("table", "json", "csv"):
        shown = run_cli(["items", "--db", sqlite_url, "--format", fmt], cli_env)
        assert shown.returncode == 0, shown.stderr
        _assert_inert(shown.stdout)
        assert "Cooper meets Piantedosi FAKE LINE" in shown.stdout
        items[fmt] = shown.stdout
    assert {r["url"] for r in json.loads(items["json"])} == {
        "https://news.example.org/a%0D%0AInjected-Line:yes%1B[2J",
        "https://news.example.org/b",
    }
    rows = list(csv.reader(io.StringIO(items["csv"])))
    titles = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example/","Cooper in Rome")' in titles
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    for fmt in ("text", "html", "json", "slack"):
        shown = run_cli(["digest", "--dry-run", "--db", sqlite_url, "--format", fmt], cli_env)
        assert shown.returncode == 0, shown.stderr
        _assert_inert(shown.stdout)
        assert "Cooper meets Piantedosi" in shown.stdout
        if fmt == "text":
            assert "https://news.example.org/a%0D%0AInjected-Line:yes%1B[2J" in shown.stdout
