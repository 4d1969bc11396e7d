"""HTTP servers on loopback addresses that log every request they receive.

One stands for an internal service (an admin page, a metadata endpoint): a test that fetches
hostile URLs asserts that its log stays empty. Another stands for a public site, serving pages
and redirects from a route table.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "INTERNAL-ONLY-7f3a"  # the internal page's marker: it must never reach an item
SECRET_PAGE = (
    "<!DOCTYPE html><html><head><title>Admin</title></head><body><article><h1>Admin console</h1>"
    + "".join(
        f"<p>{SECRET} The internal service answered with its private page, number {n}.</p>" for n in range(6)
    )
    + "</article></body></html>"
).encode()

Route = tuple[int, dict[str, str], bytes]  # status, headers, body


@dataclass
class Logged:
    """A running server: its address, every connection it accepted, every request it received
    (method, path, Host header) and, over TLS, the server name each client asked for (SNI)."""

    host: str
    port: int
    scheme: str = "http"
    connections: int = 0
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def untouched(self) -> bool:
        return self.connections == 0 and not self.requests


def _handler(log: Logged, routes: Mapping[str, Route]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            log.requests.append(("GET", self.path, self.headers.get("Host", "")))
            status, headers, body = routes.get(self.path.split("?", 1)[0], (200, {}, SECRET_PAGE))
            self.send_response(status)
            for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    log: Logged
    tls: ssl.SSLContext | None = None

    def verify_request(self, request: object, client_address: object) -> bool:
        self.log.connections += 1  # counted before a byte is read: a bare connection counts too
        return True

    def finish_request(self, request: object, client_address: object) -> None:
        if self.tls is not None:
            assert isinstance(request, socket.socket)
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)  # type: ignore[arg-type]

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _Server6(_Server):
    address_family = socket.AF_INET6


@contextmanager
def logging_server(
    host: str = "127.0.0.1",
    routes: Mapping[str, Route] | None = None,
    *,
    port: int = 0,
    tls: ssl.SSLContext | None = None,
) -> Iterator[Logged]:
    """A server on `host` (an IPv4 or IPv6 loopback address); port 0: chosen by the system.
    With `tls`, it speaks HTTPS and logs the server name each client sent."""
    log = Logged(host, 0, "https" if tls else "http")
    server_class = _Server6 if ":" in host else _Server
    server = server_class((host, port), _handler(log, routes if routes is not None else {}))
    server.log = log
    if tls is not None:
        tls.sni_callback = lambda _sock, name, _ctx: log.server_names.append(name)
        server.tls = tls
    log.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield log
    finally:
        server.shutdown()
        server.server_close()


def redirect(location: str, status: int = 302) -> Route:
    return (status, {"Location": location}, b"")


def page(body: bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    return (200, {"Content-Type": content_type}, body)
