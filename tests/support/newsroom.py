"""Synthetic news for the crash and race tests: feeds whose relevant items tell a known set of
events, served on 127.0.0.1, with a gate that holds some feeds' answers until a test lets them go.

Each feed carries ITEMS_PER_FEED items: one relevant report of event `feed % len(EVENTS)` (a
ministerial visit; its content is long, so no article page is fetched) and unrelated council
news. An event is told by several feeds, so grouping has real work: every report of one event
must land in one story.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ITEMS_PER_FEED = 8
# (minister, the place visited, what was agreed): each a distinct event.
EVENTS = [
    ("Home Secretary Yvette Cooper", "Palermo", "a joint team against smuggling gangs"),
    ("Home Secretary Shabana Mahmood", "Lampedusa", "faster returns of rejected applicants"),
    ("Italian interior minister Matteo Piantedosi", "London", "shared patrols off the Libyan coast"),
    ("Prime Minister Giorgia Meloni", "London", "the reception centres in Albania"),
    ("Prime Minister Keir Starmer", "Rome", "an exchange of liaison officers"),
    ("Italian foreign minister Antonio Tajani", "Edinburgh", "funding for the Tunisian coastguard"),
    ("Border security minister Angela Eagle", "Catania", "intelligence on crossing routes"),
    ("Home Secretary Yvette Cooper", "Rome", "a study of Channel crossings"),
]
_OPENINGS = ["{who} visited {where} on Monday", "{who} travelled to {where} on Monday",
             "{who} was in {where} on Monday"]  # fmt: skip


def _relevant(feed: int) -> tuple[str, str]:
    who, where, what = EVENTS[feed % len(EVENTS)]
    surname = who.rsplit(" ", 1)[-1]
    title = f"{surname} in {where}: talks on {what} ({feed})"
    opening = _OPENINGS[feed % len(_OPENINGS)].format(who=who, where=where)
    content = (
        f"{opening} for talks on migration and small boats, and the two governments agreed on "
        f"{what}, officials said after the meeting. The visit followed weeks of preparation by "
        "officials of both interior ministries, who said the plan would be reviewed in the autumn "
        "once the first results were known. Reporters from both countries followed the visit, and "
        "the ministers answered questions on the crossings of the summer before leaving."
    )
    return title, content


def feed_xml(feed: int, base: str) -> bytes:
    parts = []
    for i in range(ITEMS_PER_FEED):
        if i == 0:
            title, content = _relevant(feed)
        else:
            title = f"Council {feed} approves budget line {i} after a long debate"
            content = (
                f"Officials said on Tuesday that budget line {i} of council {feed} would be reviewed "
                "later this year after a consultation with residents."
            )
        link = f"{base}/article/{feed}/{i}"
        parts.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>Mon, 02 Jun 2025 {i % 24:02d}:00:00 +0000</pubDate>"
            f"<description>{content}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>{base}/</link><description>Feed {feed}</description>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


@dataclass
class Newsroom:
    """The server's state: which feeds were asked for, and the gate."""

    base: str = ""
    held_from: int | None = None  # feeds numbered this or above wait for `release`
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    asked: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.asked = threading.Condition(self.lock)

    def feed_urls(self, count: int) -> list[str]:
        return [f"{self.base}/feed/{n}.xml" for n in range(count)]

    def write_feed_list(self, path: Path, count: int) -> Path:
        path.write_text("".join(f"{url}\n" for url in self.feed_urls(count)), encoding="utf-8")
        return path

    def wait_for_requests(self, count: int, timeout: float = 300) -> bool:
        with self.asked:
            return self.asked.wait_for(lambda: len(self.requests) >= count, timeout=timeout)


@contextmanager
def newsroom() -> Iterator[Newsroom]:
    room = Newsroom()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
            if not (self.path.startswith("/feed/") and name.endswith(".xml")):
                self.send_error(404)
                return
            number = int(name.removesuffix(".xml"))
            with room.asked:
                room.requests.append(number)
                room.asked.notify_all()
            if room.held_from is not None and number >= room.held_from:
                room.release.wait()
            body = feed_xml(number, room.base)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client killed mid-answer is what the crash tests do

    server = Server(("127.0.0.1", 0), Handler)
    room.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield room
    finally:
        room.release.set()
        server.shutdown()
        server.server_close()
