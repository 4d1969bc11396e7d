"""Which links a feed item may carry: the one URL check the parser calls."""

from __future__ import annotations

import html
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

_PUBLIC_NAME = re.compile(r"https?://(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::\d{1,5})?(?:[/?#]|$)", re.IGNORECASE)


def _private_host(url: str) -> bool:
    if _PUBLIC_NAME.match(url) and "localhost" not in url[:40].lower():
        return False  # a dotted name ending in letters: not an IP literal, not localhost
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return True
    if host == "localhost" or host.endswith(".localhost") or not host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def safe_url(value: Any) -> str | None:
    """Only http(s) links to public hosts are kept: never javascript:, data: or file:, nor a link
    into a private network that fetching the article would reach (feedparser-rs drops those too)."""
    if not isinstance(value, str):
        return None
    url = html.unescape(value.strip())
    if not url.lower().startswith(("http://", "https://")) or " " in url or "<" in url:
        return None
    return None if _private_host(url) else url
