"""A real HTTP server on 127.0.0.1 that serves the feed corpus and misbehaves on purpose."""

from __future__ import annotations

import gzip
import hashlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "feeds"
_STOP = threading.Event()


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "SOURCES.tsv")


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


HOSTILE_ITEMS = _rss(
    "<item><title>&lt;script&gt;alert(1)&lt;/script&gt;Piantedosi meets Cooper</title>"
    "<link>javascript:alert(document.cookie)</link><guid isPermaLink='false'>x-1</guid>"
    "<description>&lt;script&gt;steal()&lt;/script&gt;Talks in Rome on small boats.</description></item>"
    "<item><title><![CDATA[<script>alert(2)</script>Second]]></title>"
    "<link>https://example.org/second?utm_source=rss&amp;id=2</link></item>"
)
SHORT_ITEM = _rss(
    "<item><title>Piantedosi and Cooper agree on small boats plan</title>"
    "<link>{base}/article</link><guid>https://example.org/article-1</guid>"
    "<description>Home Secretary in Rome.</description></item>"
)
ARTICLE_TEXT = (
    "The Home Secretary Yvette Cooper met the Italian interior minister Matteo Piantedosi in Rome on "
    "Tuesday to agree a joint plan against people-smuggling gangs. Officials said the two governments "
    "would share intelligence on the routes used by small boats across the Mediterranean and the "
    "Channel, and that a new team of investigators would start work in the spring. "
)
ARTICLE_PAGE = (
    "<!DOCTYPE html><html><head><title>Cooper in Rome</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Cooper in Rome</h1>"
    + "".join(f"<p>{ARTICLE_TEXT}</p>" for _ in range(4))
    + "</article><footer>Copyright</footer></body></html>"
).encode()
_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body part ways and each response waits ~40 ms
    seen_agents: list[str] = []  # noqa: RUF012  (shared on purpose: tests read what was sent)

    def log_message(self, *_args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        path = self.path.split("?", 1)[0]
        if path.startswith("/corpus/"):
            return self._corpus(path.removeprefix("/corpus/"))
        route: Callable[[], None] | None = getattr(self, "_" + path.strip("/").replace("-", "_"), None)
        if route is None:
            return self._send(404, b"not found")
        return route()

    def _corpus(self, name: str) -> None:
        file = CORPUS / name
        if "/" in name or not file.is_file():
            return self._send(404, b"not found")
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", {"ETag": etag})
        return self._send(200, body, {"ETag": etag, "Content-Type": "application/xml"})

    # ---- hostile behaviours
    def _status500(self) -> None:
        self._send(500, b"boom")

    def _status404(self) -> None:
        self._send(404, b"gone")

    def _status429(self) -> None:
        self._send(429, b"slow down", {"Retry-After": "120"})

    def _unavailable(self) -> None:
        self._send(503, b"later", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})

    def _no_headers(self) -> None:
        _STOP.wait(30)

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                if _STOP.wait(0.05):
                    return
        except OSError:
            return

    def _huge(self) -> None:
        # 200 MB announced by nobody: close-delimited, so only the streaming cap can stop it
        self.protocol_version = "HTTP/1.0"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        chunk = b"<rss>" + b"x" * (1024 * 1024 - 5)
        try:
            for _ in range(200):
                self.wfile.write(chunk)
        except OSError:
            return

    def _gzip_bomb(self) -> None:
        self._send(200, _BOMB, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})

    def _loop(self) -> None:
        self._send(302, b"", {"Location": "/loop"})

    def _to_file(self) -> None:
        self._send(301, b"", {"Location": "file:///etc/passwd"})

    def _html(self) -> None:
        page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello</p></body></html>"
        self._send(200, page, {"Content-Type": "text/html"})

    def _random(self) -> None:
        self._send(200, random.Random(7).randbytes(4096), {"Content-Type": "application/rss+xml"})

    def _empty(self) -> None:
        self._send(200, b"", {"Content-Type": "application/rss+xml"})

    def _scripts(self) -> None:
        self._send(200, HOSTILE_ITEMS, {"Content-Type": "application/rss+xml"})

    def _short(self) -> None:
        host = f"http://{self.headers.get('Host')}"
        self._send(200, SHORT_ITEM.replace(b"{base}", host.encode()), {"Content-Type": "application/rss+xml"})

    def _article(self) -> None:
        self._send(200, ARTICLE_PAGE, {"Content-Type": "text/html; charset=utf-8"})

    def _redirect_ok(self) -> None:
        self._send(301, b"", {"Location": "/corpus/guardian_us_2018.rss"})


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on the hostile routes is the point


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def feed_server() -> Iterator[str]:
    """The server's base URL, e.g. http://127.0.0.1:PORT."""
    _STOP.clear()
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _STOP.set()
        server.shutdown()
        server.server_close()
        time.sleep(0.05)


# path -> a word the failure reason must contain
HOSTILE = {
    "/status500": "HTTP 500",
    "/status404": "HTTP 404",
    "/status429": "HTTP 429",
    "/unavailable": "HTTP 503",
    "/no-headers": "read timeout",
    "/trickle": "whole-feed deadline",
    "/huge": "larger than",
    "/gzip-bomb": "decompressed",
    "/loop": "redirects",
    "/to-file": "non-http(s)",
    "/html": "HTML page",
    "/random": "not a feed",
    "/empty": "empty body",
}
