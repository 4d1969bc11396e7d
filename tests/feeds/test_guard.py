"""Guarded connections (monitors/feeds/guard.py), tried as an attacker would: article links in every
form a resolver reads as an internal address, names this machine resolves to loopback by itself,
and a DNS answer that changes between the check and the connection. Loopback servers stand for
the internal services and log every connection; each must receive nothing.

No test asks DNS about a name: hosts are literal addresses, names in /etc/hosts, or names a test
resolver answers for.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from monitors.feeds.article import fetch_articles
from monitors.feeds.guard import Guard
from monitors.feeds.limits import FetchLimits
from monitors.feeds.urls import AddressPolicy
from tests.feeds.servers import SECRET, Logged, logging_server, page

LIMITS = FetchLimits(connect_timeout=3, read_timeout=3, feed_timeout=6, concurrency=8)
STAND_IN = "127.0.0.2"  # stands for a public site: the tests' guards treat it as public
ARTICLE = (
    "<!DOCTYPE html><html><body><article><h1>Cooper in Rome</h1>"
    + "<p>The Home Secretary met the Italian interior minister in Rome to agree a joint plan.</p>" * 8
    + "</article></body></html>"
).encode()

V4_FORMS = [
    "127.0.0.1",
    "2130706433",
    "127.1",
    "0x7f000001",
    "0x7f.1",
    "0177.0.0.1",
    "017700000001",
    "0",
    "0.0.0.0",
    "127.0.0.1.",
    "localhost",
    "localhost.",
    "LOCALHOST",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
]
V6_FORMS = ["[::1]", "[0:0:0:0:0:0:0:1]", "[::]", "[0::1]"]


@pytest.fixture(scope="module")
def internal() -> Iterator[tuple[Logged, Logged]]:
    """The internal service, on 127.0.0.1 and on ::1."""
    with logging_server("127.0.0.1") as v4, logging_server("::1") as v6:
        yield v4, v6


def _fetch(urls: list[str], guard: Guard | None = None, limits: FetchLimits = LIMITS) -> list[str | None]:
    pages = asyncio.run(fetch_articles(urls, limits, guard))
    assert all(SECRET not in (p.text or "") for p in pages)
    return [p.error for p in pages]


@pytest.mark.parametrize("host", V4_FORMS)
def test_an_article_link_in_any_ipv4_form_of_loopback_reaches_nothing(
    internal: tuple[Logged, Logged], host: str
) -> None:
    v4, _ = internal
    [error] = _fetch([f"http://{host}:{v4.port}/admin"])
    assert error is not None and error.startswith("address refused: "), error
    assert "loopback" in error or "unspecified" in error
    assert v4.untouched


@pytest.mark.parametrize("host", V6_FORMS)
def test_an_article_link_in_any_ipv6_form_of_loopback_reaches_nothing(
    internal: tuple[Logged, Logged], host: str
) -> None:
    _, v6 = internal
    [error] = _fetch([f"http://{host}:{v6.port}/admin"])
    assert error is not None and error.startswith("address refused: "), error
    assert v6.untouched


def _loopback_names_in_etc_hosts() -> list[str]:
    """Names this machine resolves to loopback by itself (its hosts file), localhost aside."""
    names = []
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and ip_address(fields[0].split("%")[0]).is_loopback:
            names += [n for n in fields[1:] if "localhost" not in n.lower()]
    return sorted(set(names))


def test_a_name_this_machine_resolves_to_loopback_is_refused_once_resolved(
    internal: tuple[Logged, Logged],
) -> None:
    v4, v6 = internal
    names = _loopback_names_in_etc_hosts()
    if not names:
        pytest.skip("this machine's hosts file names no loopback address but localhost")
    errors = _fetch([f"http://{name}:{v4.port}/admin" for name in names])
    for name, error in zip(names, errors, strict=True):
        assert error is not None and error.startswith(f"address refused: {name} resolves to "), error
    assert v4.untouched and v6.untouched


def test_private_links_are_fetched_when_allow_private_networks_says_so() -> None:
    with logging_server("127.0.0.1", {"/story": page(ARTICLE)}) as server:
        [error] = _fetch([f"{server.base}/story"], limits=FetchLimits(allow_private_networks=True))
    assert error is None
    assert [path for _, path, _ in server.requests] == ["/story"]


def _same_port_pair() -> tuple[int, socket.socket]:
    """A port free on both 127.0.0.2 and 127.0.0.1, held on 127.0.0.1 until the caller closes it."""
    for _ in range(20):
        probe = socket.socket()
        probe.bind((STAND_IN, 0))
        port = int(probe.getsockname()[1])
        probe.close()
        held = socket.socket()
        try:
            held.bind(("127.0.0.1", port))
        except OSError:
            held.close()
            continue
        return port, held
    raise RuntimeError("no port free on both loopback addresses")


def test_a_dns_answer_that_changes_after_the_check_cannot_lead_to_the_internal_service() -> None:
    """The name is resolved once: first to the "public" stand-in, then (rebinding) to loopback.
    The connection goes to the address that was checked, on the same port as the internal one."""
    answers = [[STAND_IN], ["127.0.0.1"], ["127.0.0.1"]]
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked) - 1, 2)]

    port, held = _same_port_pair()
    held.close()
    guard = Guard(AddressPolicy(public_stand_ins=frozenset({ip_address(STAND_IN)})), rebinding)
    with (
        logging_server(STAND_IN, {"/story": page(ARTICLE)}, port=port) as public,
        logging_server("127.0.0.1", port=port) as admin,
    ):
        [error] = _fetch([f"http://rebind.test:{port}/story"], guard)
    assert error is None
    assert asked == ["rebind.test"]  # one answer, checked and used
    assert public.requests == [("GET", "/story", f"rebind.test:{port}")]  # the Host header keeps the name
    assert admin.untouched


def test_a_name_with_one_private_answer_among_public_ones_is_refused_outright() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return [STAND_IN, "127.0.0.1"]

    guard = Guard(AddressPolicy(public_stand_ins=frozenset({ip_address(STAND_IN)})), mixed)
    with logging_server(STAND_IN) as public, logging_server("127.0.0.1") as admin:
        [error] = _fetch([f"http://mixed.test:{public.port}/story"], guard)
    assert error == "address refused: mixed.test resolves to 127.0.0.1, a loopback address"
    assert public.untouched and admin.untouched


def _tls_pair(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for `name`, and a client context that
    trusts that certificate only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


def test_tls_is_checked_against_the_name_while_the_checked_address_is_connected(tmp_path: Path) -> None:
    from monitors.feeds import fetch

    server_tls, client_tls = _tls_pair(tmp_path, "news.test")

    async def news_test(host: str, port: int) -> list[str]:
        return [STAND_IN]

    guard = Guard(AddressPolicy(public_stand_ins=frozenset({ip_address(STAND_IN)})), news_test)
    with logging_server(STAND_IN, {"/story": page(ARTICLE)}, tls=server_tls) as public:

        async def run() -> list[fetch.FetchResult]:
            async with fetch.FeedClient(LIMITS, connections=2, tls=client_tls, guard=guard) as client:
                good = await fetch.fetch_feed(
                    client, fetch.FeedRequest(f"https://news.test:{public.port}/story"), LIMITS
                )
                # the same server under a name its certificate does not carry: refused by TLS
                bad = await fetch.fetch_feed(
                    client, fetch.FeedRequest(f"https://other.test:{public.port}/story"), LIMITS
                )
                return [good, bad]

        good, bad = asyncio.run(run())
    assert isinstance(good, fetch.FeedOk), good
    assert isinstance(bad, fetch.FeedFailed) and "not valid for 'other.test'" in bad.reason, bad
    assert public.server_names == ["news.test", "other.test"]  # SNI: the URL's name, not the address
    assert public.requests == [("GET", "/story", f"news.test:{public.port}")]
