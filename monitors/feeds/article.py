"""The article behind a likely-relevant item whose feed gives only a short summary.

The page is fetched under the same limits as feeds (monitors.feeds.fetch) and its main text is taken
out with trafilatura, a library made for that (boilerplate, menus and comments are dropped). An
item's link is not a URL the user wrote: every connection is guarded (monitors/feeds/guard.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from monitors.feeds.fetch import (
    FeedClient,
    FeedFailed,
    FeedOk,
    FeedRequest,
    fetch_feed,
    tls_context,
)
from monitors.feeds.guard import Guard
from monitors.feeds.limits import FetchLimits
from monitors.feeds.urls import host_of

# Below this many characters of text an item is "only a short summary" worth completing.
SHORT_TEXT = 400


@dataclass(frozen=True, slots=True)
class ArticleText:
    url: str
    text: str | None  # None when the page could not be fetched or held no article
    error: str | None = None
    refused: bool = False  # the address policy refused the link or a redirect (error says why)


def extract_main_text(html: bytes | str, url: str | None = None) -> str | None:
    """The main text of an HTML page, or None when there is none."""
    import trafilatura  # heavy import, only when an article is actually read

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return text.strip() if isinstance(text, str) and text.strip() else None


async def _article(client: FeedClient, url: str, limits: FetchLimits) -> ArticleText:
    result = await fetch_feed(client, FeedRequest(url), limits)
    if isinstance(result, FeedFailed):
        return ArticleText(url, None, result.reason, refused=result.kind == "refused")
    if not isinstance(result, FeedOk):
        return ArticleText(url, None, "not modified")
    content_type = (result.content_type or "").lower()
    if content_type and "html" not in content_type and "xml" not in content_type:
        return ArticleText(url, None, f"not an HTML page ({content_type.split(';')[0]})")
    text = await asyncio.to_thread(extract_main_text, result.body, result.final_url)
    return ArticleText(url, text, None if text else "no article text found")


def _unreachable(article: ArticleText) -> bool:
    """The host itself failed (no DNS answer, refused, no connection in time), not one page."""
    return (article.error or "").startswith(("cannot connect", "connect timeout"))


async def fetch_articles(
    urls: Sequence[str], limits: FetchLimits, guard: Guard | None = None
) -> list[ArticleText]:
    """Every page, `limits.concurrency` at once. The first page of each host goes first; when that
    host cannot be reached, its other pages fail at once with the same reason instead of each
    waiting for its own DNS or connect failure."""
    gate = asyncio.Semaphore(max(1, limits.concurrency))
    probes: dict[str, asyncio.Future[str | None]] = {}  # host -> why it is unreachable, or None

    async def one(client: FeedClient, url: str) -> ArticleText:
        host = host_of(url)
        probe = probes.get(host)
        if probe is None:
            probe = probes[host] = asyncio.get_running_loop().create_future()
            try:
                async with gate:
                    article = await _article(client, url, limits)
            except BaseException:
                probe.set_result(None)
                raise
            probe.set_result(article.error if _unreachable(article) else None)
            return article
        reason = await asyncio.shield(probe)
        if reason:
            return ArticleText(url, None, f"{reason} (host unreachable earlier in this poll)")
        async with gate:
            return await _article(client, url, limits)

    connections = max(1, limits.concurrency)
    async with FeedClient(limits, connections=connections, tls=tls_context(), guard=guard) as client:
        return list(await asyncio.gather(*(one(client, u) for u in urls)))
