"""Article pages on a host that cannot be reached fail once per host, not once per page."""

from __future__ import annotations

import asyncio
import socket

from monitors.feeds.article import fetch_articles
from monitors.feeds.limits import FetchLimits


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_pages_of_an_unreachable_host_share_its_first_failure() -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    urls = [f"{base}/a", f"{base}/b", f"{base}/c"]
    # 127.0.0.1 stands for a public host here, hence allow_private_networks
    limits = FetchLimits(connect_timeout=5, allow_private_networks=True)
    first, *others = asyncio.run(fetch_articles(urls, limits))
    assert first.text is None and (first.error or "").startswith("cannot connect")
    for page in others:
        assert page.text is None
        assert page.error == f"{first.error} (host unreachable earlier in this poll)"
