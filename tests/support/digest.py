"""Real parts for the digest tests: a seeded database, an SMTP server, an HTTP receiver."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from flows.pipeline import classify_fixtures, store_and_group
from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.models import FeedItem
from storage.engine import open_engine

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

# A story whose every feed-supplied string tries to break out of its context.
EVIL_TITLE = '<script>alert("x")</script> Cooper & Piantedosi <b>meet</b> <!channel> |x> @here'
EVIL_SOURCE = "<i>Evil</i> Times & Co"
EVIL_URL = "javascript:alert(1)"
EVIL_ITEM = FeedItem(
    id="evil-1",
    title=EVIL_TITLE,
    content=(
        "Home Secretary Yvette Cooper visited Palermo on Monday to meet Italian interior minister "
        "Matteo Piantedosi for talks on migration and small boats. "
        "Some 1,234 people crossed the Channel in small boats on Sunday, Home Office figures show."
    ),
    url=EVIL_URL,
    published=datetime(2025, 6, 2),
    source=f"file:{EVIL_SOURCE}",
)

# A follow-up of the same event (same visit, so the same story) with an ordinary https link.
LINKED_URL = "https://news.example.org/2025/06/cooper-palermo?ref=feed&lang=en"
LINKED_ITEM = FeedItem(
    id="linked-1",
    title="Cooper and Piantedosi agree closer work on smuggling gangs",
    content=EVIL_ITEM.content,
    url=LINKED_URL,
    published=datetime(2025, 6, 3),
    source="file:Palermo Daily",
)


def quiet(_: str) -> None:
    pass


def seed(engine: Engine, *, evil: bool = False) -> None:
    """The five seed documents (three stories), and optionally the hostile one (a fourth)."""
    topic = load_topic()
    entries = classify_fixtures(topic, [SEEDS], progress=quiet)
    if evil:
        for item in (EVIL_ITEM, LINKED_ITEM):
            entries.append((item.id, item, classify(topic, item)))
    store_and_group(engine, "file:seeds", entries, 1)


@contextmanager
def seeded_engine(url: str, *, evil: bool = False) -> Iterator[Engine]:
    engine = open_engine(url)
    try:
        seed(engine, evil=evil)
        yield engine
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sink:
    """Keeps every message it is handed, then answers `reply`; while `hold` is set, the answer
    waits for `release` (the message is the server's, the client does not know yet)."""

    def __init__(self, reply: str = "250 Message accepted") -> None:
        self.messages: list[bytes] = []
        self.reply = reply
        self.hold = False
        self.received = threading.Event()  # set once a message has been handed over
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(bytes(envelope.original_content or envelope.content))
        self.received.set()
        if self.hold:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return self.reply


@dataclass
class SmtpServer:
    port: int
    sink: _Sink = field(default_factory=_Sink)

    @property
    def emails(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.sink.messages]  # type: ignore[misc]

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=digest@example.org&to=desk@example.org&mode=insecure"


@contextmanager
def smtp_server(
    port: int | None = None, *, reply: str = "250 Message accepted", hold: bool = False
) -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    server = SmtpServer(port or free_port(), _Sink(reply))
    server.sink.hold = hold
    controller = Controller(server.sink, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        server.sink.release.set()
        controller.stop()


def email_url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=digest@example.org&to=desk@example.org&mode=insecure"


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers with `status`."""

    port: int = 0
    status: int = 200
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    hold: bool = False  # while set, the answer waits for `release`
    release: threading.Event = field(default_factory=threading.Event)

    def json_bodies(self) -> list[Any]:
        return [json.loads(body) for _, _, body in self.requests]


@contextmanager
def http_receiver(status: int = 200) -> Iterator[Receiver]:
    receiver = Receiver(status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append((self.path, dict(self.headers), body))
            if receiver.hold:
                receiver.release.wait()
            self.send_response(receiver.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if receiver.status < 400 else b"no")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        httpd.shutdown()
        httpd.server_close()
