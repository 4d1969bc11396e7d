"""Connections that go only where the address policy (monitors/feeds/urls.py) lets them.

httpcore opens every connection through a network backend's `connect_tcp(host, port, ...)`, then
starts TLS with the URL's own host as server name (SNI and the certificate check), and sends the
Host header from the request. `GuardedBackend` is such a backend: it reads the host as resolvers
do, resolves a name once, refuses the connection when any address is one the policy refuses, and
connects to the addresses it checked, never to a name, so a DNS answer that changes between the
check and the connection cannot lead anywhere else. TLS and the Host header keep the name.

httpx 0.28 builds its connection pool without a way to pass a network backend (an open pull
request, encode/httpx#3749, would add one), so `guarded_transport` gives httpx's transport a pool
of its own; tests/feeds/test_guard.py fails if that ever stops guarding.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import httpcore
import httpx

from monitors.feeds.urls import Address, AddressPolicy, AddressRefused, as_address, parse_host

Resolver = Callable[[str, int], Awaitable[list[str]]]
# Between starting connections to a name's addresses, as in Happy Eyeballs (RFC 8305), so one
# unreachable address (a broken IPv6 route) does not cost a whole connect timeout.
NEXT_ADDRESS_DELAY = 0.25
KEEPALIVE_EXPIRY = 5.0  # httpx's default


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Guard:
    """The policy connections follow, and how names are resolved (a test may answer for DNS)."""

    policy: AddressPolicy
    resolve: Resolver = system_resolve


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, guard: Guard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int, timeout: float | None) -> list[Address]:
        """The checked addresses to connect to for `host`; raises AddressRefused."""
        policy = self._guard.policy
        parsed = parse_host(host)
        if not isinstance(parsed, str):
            reason = policy.address_refusal(parsed)
            if reason:
                raise AddressRefused(reason)
            return [parsed]
        reason = policy.name_refusal(parsed)
        if reason:
            raise AddressRefused(reason)
        try:
            async with asyncio.timeout(timeout):
                answers = await self._guard.resolve(parsed, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no DNS answer for {host} in {timeout:g}s") from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [as_address(answer) for answer in answers]
        policy.check_resolved(parsed, addresses)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.addresses(host, port, timeout)
        if not addresses:
            raise httpcore.ConnectError(f"no address for {host}")
        winner: list[httpcore.AsyncNetworkStream] = []
        errors: list[Exception] = []
        options = list(socket_options or [])

        async def attempt(position: int, address: Address, group: anyio.abc.TaskGroup) -> None:
            await anyio.sleep(position * NEXT_ADDRESS_DELAY)
            try:
                stream = await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                errors.append(exc)
                return
            if winner:
                with anyio.CancelScope(shield=True):
                    await stream.aclose()
                return
            winner.append(stream)
            group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            for position, address in enumerate(addresses):
                group.start_soon(attempt, position, address, group)
        if winner:
            return winner[0]
        raise errors[0]

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("a Unix socket is never a fetch's destination")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


def transport(tls: ssl.SSLContext, connections: int, guard: Guard | None = None) -> httpx.AsyncHTTPTransport:
    """An httpx transport with `connections` connections at most; each goes through
    GuardedBackend when a `guard` is given, else wherever the URL's host resolves to."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    plain = httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=False)
    if guard is not None:
        plain._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=connections,
            max_keepalive_connections=connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            network_backend=GuardedBackend(guard),
        )
    return plain
