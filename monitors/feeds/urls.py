"""URL and address policy: the one place that decides which URLs migwatch keeps and may request.

Two ideas live here, each once:
- the shape of a link: an absolute http(s) URL with a host (`http_url`, `safe_url`);
- where a request may go (`AddressPolicy`): a URL the user did not write (an item's link, a
  redirect target) must not reach loopback, private, link-local, unique-local, multicast,
  reserved or unspecified addresses. Hosts are read the way resolvers read them (`parse_host`):
  `2130706433`, `127.1`, `0x7f000001`, `0177.0.0.1` and `0` are IPv4 addresses, a trailing dot
  changes nothing, and an IPv6 address that carries an IPv4 one (IPv4-mapped `::ffff:127.0.0.1`,
  IPv4-compatible `::127.0.0.1`, NAT64 `64:ff9b::7f00:1`, 6to4, Teredo) is judged by that one.

Pure functions, no network: resolving a name and connecting to the address checked is
monitors/feeds/guard.py's work. Identity's `canonical_url` (identity.py) is another idea (which
two links are the same item) and stays there.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any
from urllib.parse import SplitResult, urlsplit

Address = IPv4Address | IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
# A space or markup means text around a link was taken for it. Controls are kept: every output
# %-encodes them (monitors/safetext.clean_url), and httpx refuses to request them.
_BAD_CHARS = re.compile(r"[ <]")

_UNIQUE_LOCAL = IPv6Network("fc00::/7")
_NAT64 = IPv6Network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are the IPv4 address
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")  # a network's own NAT64 prefix: where it leads is its own
_SIX_TO_FOUR = IPv6Network("2002::/16")
_IPV4_COMPATIBLE = IPv6Network("::/96")
_SHARED = IPv4Network("100.64.0.0/10")


class AddressRefused(Exception):
    """A request refused by the address policy; the message is the reason shown to the user."""


# ------------------------------------------------------------------ shape
def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError:
        return None
    return parts


def http_url(value: Any) -> str | None:
    """`value`, stripped, when it is an absolute http(s) URL with a host and no space or markup;
    else None. The one shape check, for links kept from feeds, shown to readers and requested."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url[:8].lower().startswith(("http://", "https://")) or _BAD_CHARS.search(url):
        return None
    parts = _split(url)
    if parts is None or not parts.hostname:
        return None
    return url


def safe_url(value: Any) -> str | None:
    """A link as a feed wrote it (entities may still be escaped), kept when `http_url` keeps it.
    Where it points is not judged here: a fetch of it is (AddressPolicy), and a refusal is the
    item's link_refused reason, never a link silently dropped."""
    return http_url(html.unescape(value.strip())) if isinstance(value, str) else None


def host_of(url: str) -> str:
    """The URL's host, lower-case, without brackets; "" when there is none."""
    parts = _split(url)
    return (parts.hostname or "") if parts is not None else ""


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = _split(url)
    if parts is None or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.rstrip("."), parts.port or DEFAULT_PORTS.get(scheme, 0)


def same_server(written: str, target: str) -> bool:
    """Whether `target` is on the server the user wrote in `written`: the same scheme, host and
    port, or the same host moved from http on port 80 to https on port 443."""
    a, b = _origin(written), _origin(target)
    if a is None or b is None or a[1] != b[1]:
        return False
    return a == b or (a[0], a[2], b[0], b[2]) == ("http", 80, "https", 443)


# ------------------------------------------------------------------ hosts
def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 host as inet_aton reads it: 0x hex, 0-led octal, else decimal."""
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits:
        return 0 if base == 16 else None
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


def _ends_in_number(labels: list[str]) -> bool:
    last = labels[-1]
    return last.isdigit() or _ipv4_number(last) is not None


def _ipv4(labels: list[str]) -> IPv4Address:
    numbers = [_ipv4_number(label) for label in labels]
    if len(labels) > 4 or any(n is None for n in numbers):
        raise AddressRefused("host looks like an IPv4 address but is not a valid one")
    values = [n for n in numbers if n is not None]
    *head, last = values
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(values)):
        raise AddressRefused("host looks like an IPv4 address but is out of range")
    value = last
    for position, number in enumerate(head):
        value += number << (8 * (3 - position))
    return IPv4Address(value)


def parse_host(host: str) -> Address | str:
    """The address `host` stands for when it is one, in any form a resolver accepts; else the
    name, lower-case and without its trailing dot. Raises AddressRefused for a host that looks
    like a number but is none (a resolver would send it to DNS as a name)."""
    name = host.strip().lower().removeprefix("[").removesuffix("]")
    if name.endswith(".") and len(name) > 1:
        name = name[:-1]
    if not name:
        raise AddressRefused("no host")
    if ":" in name:
        try:
            return IPv6Address(name)
        except ValueError:
            raise AddressRefused("host is not a valid IPv6 address") from None
    labels = name.split(".")
    if _ends_in_number(labels):
        return _ipv4(labels)
    return name


def _embedded_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 address carries, and how it carries it."""
    if address.ipv4_mapped is not None:
        return "an IPv4-mapped address", address.ipv4_mapped
    if address in _NAT64:
        return "a NAT64 address", IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "a 6to4 address", address.sixtofour
    if address.teredo is not None:
        return "a Teredo address", address.teredo[1]
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return "an IPv4-compatible address", IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: Address) -> str | None:
    """What makes `address` one a stranger's URL must not reach, or None when it is public."""
    v6 = isinstance(address, IPv6Address)
    checks: list[tuple[bool, str]] = [
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (v6 and address in _UNIQUE_LOCAL, "a unique-local address"),
        (isinstance(address, IPv6Address) and address.is_site_local, "a site-local address"),
        (v6 and address in _NAT64_LOCAL, "a local-use NAT64 address"),
        (address.is_multicast, "a multicast address"),
        (not v6 and address in _SHARED, "a shared (carrier-grade NAT) address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a globally reachable address"),
    ]
    return next((kind for hit, kind in checks if hit), None)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Where a URL the user did not write may lead. `allow_private` (the allow_private_networks
    setting) lifts every address rule. `public_stand_ins` is for tests only: loopback addresses
    that stand for public sites, so a redirect from a "public" server can be tried on one machine."""

    allow_private: bool = False
    public_stand_ins: frozenset[Address] = frozenset()

    def _refused_kind(self, address: Address) -> str | None:
        """What `address` is that makes it refused ("a loopback address"), or None."""
        if self.allow_private or address in self.public_stand_ins:
            return None
        if isinstance(address, IPv6Address):
            if address.scope_id:
                address = IPv6Address(str(address).split("%", 1)[0])
            embedded = _embedded_ipv4(address)
            if embedded is not None:
                how, inner = embedded
                kind = None if inner in self.public_stand_ins else _kind(inner)
                return f"{how} of {inner}, {kind}" if kind else None
        return _kind(address)

    def address_refusal(self, address: Address) -> str | None:
        """Why a connection to `address` is refused, or None when it may be made."""
        kind = self._refused_kind(address)
        return f"{address} is {kind}" if kind else None

    def name_refusal(self, name: str) -> str | None:
        """Why a host name is refused before it is resolved: the localhost names (RFC 6761) are
        loopback whatever any resolver answers."""
        if self.allow_private:
            return None
        if name == "localhost" or name.endswith(".localhost"):
            return f"{name} is a loopback name"
        return None

    def url_refusal(self, url: str) -> str | None:
        """Why `url` may not be requested, as far as can be told without asking DNS (a name's
        addresses are checked when it is resolved, monitors/feeds/guard.py); None when it may."""
        if http_url(url) is None:
            return "not an http(s) URL with a host"
        try:
            host = parse_host(host_of(url))
        except AddressRefused as exc:
            return str(exc)
        if isinstance(host, str):
            return self.name_refusal(host)
        return self.address_refusal(host)

    def check_resolved(self, name: str, addresses: list[Address]) -> None:
        """Raises AddressRefused when any address `name` resolved to is refused: a name that
        leads into a private network for one answer may for the next."""
        for address in addresses:
            kind = self._refused_kind(address)
            if kind:
                raise AddressRefused(f"{name} resolves to {address}, {kind}")


def as_address(text: str) -> Address:
    return ip_address(text.split("%", 1)[0])
