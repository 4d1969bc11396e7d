"""HTTP for feeds: conditional GET under hard limits. Knows nothing of parsing or storage.

Every outcome is a value (FeedOk, FeedNotModified, FeedFailed), so one bad feed is a row in a
report and never stops a cycle. Limits: connect and read timeouts, a deadline for the whole feed
(a server that trickles bytes is cut off), a cap on the bytes on the wire and on the decompressed
bytes (gzip bombs), a few redirects and only to http(s), and a bounded number of feeds at once.

Where a request may go: a feed URL the user wrote is fetched wherever it points (an intranet feed
is legitimate), and so is a redirect to the same server (urls.same_server). Every other request
(a redirect elsewhere, an item's article page) goes through a pool of its own whose connections
the address policy guards (monitors/feeds/guard.py): no loopback, private, link-local or other
non-public address, unless the allow_private_networks setting says so.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin

import certifi
import httpx

from monitors.feeds.guard import Guard, transport
from monitors.feeds.limits import FetchLimits
from monitors.feeds.urls import AddressPolicy, AddressRefused, http_url, same_server

REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class FeedRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    user_written: bool = False  # the user wrote this URL (the feeds file): it may be private


@dataclass(frozen=True, slots=True)
class FeedOk:
    url: str
    body: bytes
    final_url: str
    etag: str | None = None
    last_modified: str | None = None
    charset: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class FeedNotModified:
    url: str


# Why a fetch failed, for code to branch on (the reason beside it is for people).
FailureKind = Literal[
    "bad_url",  # not http(s), or a redirect to something that is not
    "redirect",  # a redirect without a Location, or too many
    "http_status",  # the server answered with an error status
    "too_large",  # the body is over the size cap, compressed or not
    "bad_encoding",  # a compression we do not read, or a corrupt compressed body
    "timeout",  # connect, read, or the whole feed's deadline
    "connect",  # no connection could be made
    "tls",  # the TLS handshake or certificate failed
    "protocol",  # a broken HTTP response, or another transport error
    "not_fetched",  # a fetch worker stopped before reaching this feed
    "refused",  # the address policy refused where the URL or a redirect leads
]


@dataclass(frozen=True, slots=True)
class FeedFailed:
    url: str
    reason: str
    status: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait
    kind: FailureKind = field(kw_only=True)


FetchResult = FeedOk | FeedNotModified | FeedFailed


class _Refused(Exception):
    """A fetch stopped by one of our limits; the message is the reason shown to the user."""

    def __init__(self, reason: str, kind: FailureKind) -> None:
        super().__init__(reason)
        self.kind: FailureKind = kind


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _Decoder:
    """Content-Encoding undone chunk by chunk, never producing more than the cap."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._inflater: Any = None
        elif encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj()
        else:
            raise _Refused(f"unsupported Content-Encoding {encoding!r}", "bad_encoding")
        self.parts: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        if self._inflater is None:
            self._add(chunk)
            return
        try:
            data = self._inflater.decompress(chunk, self.cap - self.size + 1)
            self._add(data)
            while self._inflater.unconsumed_tail:
                self._add(self._inflater.decompress(self._inflater.unconsumed_tail, self.cap - self.size + 1))
        except zlib.error as exc:
            raise _Refused(f"corrupt compressed body: {exc}", "bad_encoding") from exc

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise _Refused(f"body larger than {self.cap} bytes once decompressed", "too_large")
        self.parts.append(data)

    def body(self) -> bytes:
        if self._inflater is not None:
            try:
                self._add(self._inflater.flush())
            except zlib.error as exc:
                raise _Refused(f"corrupt compressed body: {exc}", "bad_encoding") from exc
        return b"".join(self.parts)


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


class FeedClient:
    """Connection pools and the fixed parts of every request, without httpx.AsyncClient's work per
    request (merging client settings, the cookie jar, auth and redirect machinery), which costs as
    much as the request itself when most feeds answer 304. Redirects are followed by `_fetch`;
    no cookies are kept (a feed poller has no session to keep). Two pools: one for URLs the user
    wrote, one guarded for all others, so a connection one opened is never reused by the other."""

    def __init__(
        self,
        limits: FetchLimits,
        *,
        connections: int,
        tls: ssl.SSLContext | None = None,
        guard: Guard | None = None,
    ) -> None:
        tls = tls or tls_context()
        self.guard = guard or Guard(AddressPolicy(allow_private=limits.allow_private_networks))
        self._written = transport(tls, connections)
        self._guarded = transport(tls, connections, self.guard)
        self._timeout = {"timeout": _timeout(limits).as_dict()}
        self._headers = {
            "Accept": FEED_ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
            "User-Agent": limits.user_agent,
        }

    async def open(self, url: str, extra: dict[str, str], *, user_written: bool) -> httpx.Response:
        """The response to a GET of `url`, its body not yet read; the caller closes it. Raises
        AddressRefused when `url` is not `user_written` and leads where the policy refuses."""
        request = httpx.Request("GET", url, headers={**self._headers, **extra}, extensions=self._timeout)
        pool = self._written if user_written else self._guarded
        response = await pool.handle_async_request(request)
        response.request = request
        return response

    async def __aenter__(self) -> FeedClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._written.aclose()
        await self._guarded.aclose()


def _refused(request: FeedRequest, url: str, why: str) -> FeedFailed:
    where = "address refused" if url == request.url else f"redirect to {url[:200]} refused"
    return FeedFailed(request.url, f"{where}: {why}", kind="refused")


async def _fetch(client: FeedClient, request: FeedRequest, limits: FetchLimits) -> FetchResult:
    url = request.url
    if http_url(url) is None:
        return FeedFailed(request.url, f"not an http(s) URL: {url}", kind="bad_url")
    headers = {"Accept-Encoding": "gzip, deflate"}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    for _hop in range(limits.max_redirects + 1):
        written = request.user_written and same_server(request.url, url)
        why = None if written else client.guard.policy.url_refusal(url)
        if why:
            return _refused(request, url, why)
        try:
            response = await client.open(url, headers, user_written=written)
        except AddressRefused as exc:
            return _refused(request, url, str(exc))
        try:
            if response.status_code in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    return FeedFailed(
                        request.url, f"HTTP {response.status_code} without a Location", 0, kind="redirect"
                    )
                target = urljoin(url, location)
                if http_url(target) is None:
                    return FeedFailed(
                        request.url, f"redirect to a non-http(s) URL refused: {target[:200]}", kind="bad_url"
                    )
                url = target
                if int(response.headers.get("content-length") or 0) < 65536:
                    await response.aread()
                continue
            if response.status_code == 304:
                await response.aread()  # nothing to read, but a read response keeps its connection alive
                return FeedNotModified(request.url)
            if response.status_code >= 400 or response.status_code < 200:
                retry = None
                if response.status_code in RETRY_AFTER_STATUSES:
                    retry = parse_retry_after(response.headers.get("retry-after"))
                phrase = response.reason_phrase or ""
                return FeedFailed(
                    request.url,
                    f"HTTP {response.status_code} {phrase}".strip(),
                    response.status_code,
                    retry,
                    kind="http_status",
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_body_bytes:
                return FeedFailed(
                    request.url,
                    f"body of {declared} bytes exceeds the {limits.max_body_bytes}-byte cap",
                    kind="too_large",
                )
            decoder = _Decoder(response.headers.get("content-encoding", ""), limits.max_body_bytes)
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > limits.max_body_bytes:
                    raise _Refused(f"body larger than {limits.max_body_bytes} bytes", "too_large")
                decoder.feed(chunk)
            content_type = response.headers.get("content-type")
            return FeedOk(
                url=request.url,
                body=decoder.body(),
                final_url=url,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                charset=_charset(content_type),
                content_type=content_type,
            )
        finally:
            await response.aclose()
    return FeedFailed(request.url, f"more than {limits.max_redirects} redirects", kind="redirect")


def _failed(url: str, exc: BaseException, limits: FetchLimits) -> FeedFailed:
    """The failure an exception of the transport stands for."""
    if isinstance(exc, httpx.ConnectTimeout):
        return FeedFailed(url, f"connect timeout after {limits.connect_timeout:g}s", kind="timeout")
    if isinstance(exc, httpx.ReadTimeout):
        return FeedFailed(url, f"no data for {limits.read_timeout:g}s (read timeout)", kind="timeout")
    if isinstance(exc, httpx.TimeoutException):
        return FeedFailed(url, f"timeout: {type(exc).__name__}", kind="timeout")
    if isinstance(exc, httpx.ConnectError):
        detail = str(exc) or "refused"
        return FeedFailed(url, f"cannot connect: {detail}", kind="connect")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FeedFailed(url, f"broken HTTP response: {exc}", kind="protocol")
    if isinstance(exc, ssl.SSLError):
        return FeedFailed(url, f"TLS error: {exc.reason or exc}", kind="tls")
    if isinstance(exc, OSError):
        return FeedFailed(url, f"{type(exc).__name__}: {exc}", kind="connect")
    if isinstance(exc, httpx.InvalidURL | UnicodeError):
        return FeedFailed(url, f"{type(exc).__name__}: {exc}", kind="bad_url")
    return FeedFailed(url, f"{type(exc).__name__}: {exc}", kind="protocol")


async def fetch_feed(client: FeedClient, request: FeedRequest, limits: FetchLimits) -> FetchResult:
    """One feed, whatever happens: never raises for a network, HTTP or limit problem."""
    try:
        async with asyncio.timeout(limits.feed_timeout):
            return await _fetch(client, request, limits)
    except TimeoutError:
        return FeedFailed(
            request.url,
            f"feed took longer than {limits.feed_timeout:g}s (whole-feed deadline)",
            kind="timeout",
        )
    except _Refused as exc:
        return FeedFailed(request.url, str(exc), kind=exc.kind)
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError, UnicodeError) as exc:
        return _failed(request.url, exc, limits)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process (loading the CA bundle costs ~15-20 ms), shared by every
    client: each batch and each round of article fetches used to load it again."""
    return ssl.create_default_context(cafile=certifi.where())


def _timeout(limits: FetchLimits) -> httpx.Timeout:
    return httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.feed_timeout,
    )


FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


async def fetch_all(
    requests: Sequence[FeedRequest],
    limits: FetchLimits,
    on_result: Callable[[int, FetchResult], None] | None = None,
    guard: Guard | None = None,
) -> list[FetchResult]:
    """Every request, at most `limits.concurrency` at once, results in request order; each result
    is also handed to `on_result(index, result)` as soon as it is in. `guard`: the address policy
    (by default the one `limits` says), and how names are resolved.

    Each of the `concurrency` workers has its own small client: httpcore's pool walks all of its
    connections for every request, which costs more than the request itself on a fast network."""
    results: list[FetchResult | None] = [None] * len(requests)
    pending = iter(enumerate(requests))  # shared by the workers; asyncio runs one at a time
    tls = tls_context()

    async def worker() -> None:
        async with FeedClient(limits, connections=2, tls=tls, guard=guard) as client:
            for index, request in pending:
                results[index] = result = await fetch_feed(client, request, limits)
                if on_result is not None:
                    on_result(index, result)

    workers = max(1, min(limits.concurrency, len(requests)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return [
        r if r is not None else FeedFailed(q.url, "not fetched", kind="not_fetched")
        for r, q in zip(results, requests, strict=True)
    ]


def fetch_many(
    requests: Sequence[FeedRequest],
    limits: FetchLimits,
    on_result: Callable[[int, FetchResult], None] | None = None,
    guard: Guard | None = None,
) -> list[FetchResult]:
    """fetch_all from synchronous code (a Prefect task, a test)."""
    return asyncio.run(fetch_all(requests, limits, on_result, guard))
