"""The URL and address policy (monitors/feeds/urls.py): link shapes, host forms read as resolvers
read them, and which addresses a URL nobody wrote may reach. No network: pure functions."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from monitors.feeds.urls import AddressPolicy, AddressRefused, http_url, parse_host, safe_url, same_server

STRICT = AddressPolicy()

# IPv4 hosts in the forms inet_aton accepts (glibc's resolver reads a numeric host with it)
INET_ATON_FORMS = [
    "127.0.0.1",
    "2130706433",
    "127.1",
    "127.0.1",
    "0x7f000001",
    "0X7F.1",
    "0177.0.0.1",
    "017700000001",
    "0x7f.0.0.0x1",
    "0",
    "10.1",
    "192.168.257",
    "8.8.8.8",
]


@pytest.mark.parametrize("host", INET_ATON_FORMS)
def test_numeric_hosts_are_read_as_the_system_resolver_reads_them(host: str) -> None:
    assert parse_host(host) == IPv4Address(socket.inet_aton(host))
    assert parse_host(host + ".") == parse_host(host)  # a trailing dot changes nothing


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3.4.5", "08.1.1.1", "foo.0x1", "1.2.3.4294967296"])
def test_a_host_that_looks_numeric_but_is_no_address_is_refused(host: str) -> None:
    with pytest.raises(AddressRefused, match="looks like an IPv4 address"):
        parse_host(host)


def test_names_are_lower_case_without_their_trailing_dot() -> None:
    assert parse_host("LocalHost.") == "localhost"
    assert parse_host("0x1g") == "0x1g"  # not a number: a name
    assert parse_host("127.0.0.1.nip.io") == "127.0.0.1.nip.io"  # a name: its answers are checked
    assert parse_host("[::FFFF:127.0.0.1]") == IPv6Address("::ffff:7f00:1")


REFUSED = {
    "127.0.0.1": "loopback",
    "2130706433": "loopback",
    "127.1": "loopback",
    "0x7f000001": "loopback",
    "0177.0.0.1": "loopback",
    "127.0.0.1.": "loopback",
    "0": "unspecified",
    "0.0.0.0": "unspecified",
    "10.0.0.5": "private",
    "172.16.3.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",
    "100.64.0.1": "carrier-grade NAT",
    "224.0.0.251": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.7": "private",  # TEST-NET-1
    "localhost": "loopback name",
    "localhost.": "loopback name",
    "LOCALHOST": "loopback name",
    "admin.localhost": "loopback name",
    "[::1]": "loopback",
    "[0:0:0:0:0:0:0:1]": "loopback",
    "[::]": "unspecified",
    "[fe80::1]": "link-local",
    "[fe80::1%25eth0]": "link-local",
    "[fd12:3456::1]": "unique-local",
    "[fec0::1]": "site-local",
    "[ff02::1]": "multicast",
    "[::ffff:127.0.0.1]": "IPv4-mapped address of 127.0.0.1, a loopback",
    "[::ffff:7f00:1]": "IPv4-mapped address of 127.0.0.1, a loopback",
    "[::ffff:10.1.2.3]": "IPv4-mapped address of 10.1.2.3, a private",
    "[::127.0.0.1]": "IPv4-compatible address of 127.0.0.1, a loopback",
    "[64:ff9b::7f00:1]": "NAT64 address of 127.0.0.1, a loopback",
    "[64:ff9b::a9fe:a9fe]": "NAT64 address of 169.254.169.254, a link-local",
    "[64:ff9b:1::1]": "local-use NAT64",
    "[2002:7f00:1::]": "6to4 address of 127.0.0.1, a loopback",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]": "Teredo address of 127.0.0.1, a loopback",
}


@pytest.mark.parametrize(("host", "why"), REFUSED.items())
def test_a_url_nobody_wrote_may_not_reach_a_private_address(host: str, why: str) -> None:
    reason = STRICT.url_refusal(f"http://{host}:8080/admin")
    assert reason is not None and why in reason, reason


PUBLIC = ["8.8.8.8", "134744072", "[2a00:1450:4009:81f::200e]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]"]


@pytest.mark.parametrize("host", [*PUBLIC, "www.gov.uk", "127.0.0.1.nip.io", "news.example.org."])
def test_public_addresses_and_names_are_not_refused_before_resolving(host: str) -> None:
    assert STRICT.url_refusal(f"https://{host}/news") is None


@pytest.mark.parametrize("host", REFUSED)
def test_allow_private_networks_lifts_every_address_rule(host: str) -> None:
    assert AddressPolicy(allow_private=True).url_refusal(f"http://{host}:8080/") is None


def test_a_public_stand_in_is_public_and_nothing_else_is() -> None:
    policy = AddressPolicy(public_stand_ins=frozenset({ip_address("127.0.0.2")}))
    assert policy.url_refusal("http://127.0.0.2:9/") is None
    assert policy.url_refusal("http://[::ffff:127.0.0.2]:9/") is None
    assert "loopback" in (policy.url_refusal("http://127.0.0.1:9/") or "")


def test_a_name_is_refused_when_any_of_its_answers_is_private() -> None:
    STRICT.check_resolved("news.example.org", [ip_address("8.8.8.8"), ip_address("2a00:1450::1")])
    with pytest.raises(AddressRefused, match=r"intranet\.example resolves to 10\.0\.0\.5, a private address"):
        STRICT.check_resolved("intranet.example", [ip_address("8.8.8.8"), ip_address("10.0.0.5")])


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "mailto:a@b.example",
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "http://",
        "https:///path-only",
        "//news.example.org/a",
        "http://news.example.org/a b",
        "http://news.example.org/<script>",
        "http://news.example.org:99999/",
        "http://[::1/",
        None,
        42,
    ],
)
def test_only_absolute_http_urls_with_a_host_are_links(value: object) -> None:
    assert http_url(value) is None
    assert safe_url(value) is None


def test_a_link_is_kept_as_the_feed_meant_it() -> None:
    assert http_url(" https://news.example.org/a?b=1 ") == "https://news.example.org/a?b=1"
    assert safe_url("https://news.example.org/a?b=1&amp;c=2") == "https://news.example.org/a?b=1&c=2"
    assert safe_url("HTTP://News.Example.org/A") == "HTTP://News.Example.org/A"


def test_the_server_the_user_wrote_is_the_same_scheme_host_and_port_or_its_https_upgrade() -> None:
    written = "http://intranet.example/feed.xml"
    assert same_server(written, "http://INTRANET.example:80/other")
    assert same_server(written, "https://intranet.example/feed.xml")
    assert same_server("http://10.0.0.5:8080/f", "http://10.0.0.5:8080/g")
    assert not same_server(written, "http://intranet.example:5432/")
    assert not same_server(written, "http://admin.intranet.example/")
    assert not same_server("https://intranet.example/f", "http://intranet.example/f")
    assert not same_server("http://10.0.0.5:8080/f", "https://10.0.0.5/f")
