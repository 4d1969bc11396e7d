"""Where feed fetches may go (monitors/feeds/fetch.py): the feed URL the user wrote may be private,
and so may a redirect to that same server; a redirect to any other server is a URL the user did not
write, checked on every hop. Loopback servers log every connection; the internal one gets none."""

from __future__ import annotations

import asyncio
from ipaddress import ip_address

import pytest

from monitors.feeds import fetch
from monitors.feeds.article import fetch_articles
from monitors.feeds.guard import Guard
from monitors.feeds.limits import FetchLimits
from monitors.feeds.urls import AddressPolicy
from tests.feeds.servers import Route, logging_server, page, redirect

LIMITS = FetchLimits(connect_timeout=3, read_timeout=3, feed_timeout=6, max_redirects=4, concurrency=4)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>'
STAND_IN = "127.0.0.2"
PUBLIC = Guard(AddressPolicy(public_stand_ins=frozenset({ip_address(STAND_IN)})))

TARGETS = [
    "http://127.0.0.1:{port}/admin",
    "http://2130706433:{port}/admin",
    "http://127.1:{port}/admin",
    "http://0x7f000001:{port}/admin",
    "http://0:{port}/admin",
    "http://localhost:{port}/admin",
    "http://localhost.:{port}/admin",
    "http://[::ffff:127.0.0.1]:{port}/admin",
    "http://[::1]:{port6}/admin",
]


@pytest.mark.parametrize("target", TARGETS)
def test_a_feed_that_redirects_into_the_internal_network_is_refused(target: str) -> None:
    with logging_server("127.0.0.1") as admin, logging_server("::1") as admin6:
        location = target.format(port=admin.port, port6=admin6.port)
        chain = {"/feed": redirect("/moved", 301), "/moved": redirect(location)}
        with logging_server(STAND_IN, chain) as public:
            [result] = fetch.fetch_many([fetch.FeedRequest(f"{public.base}/feed", user_written=True)], LIMITS)
    assert isinstance(result, fetch.FeedFailed) and result.kind == "refused", result
    assert result.reason.startswith(f"redirect to {location} refused: "), result.reason
    assert [path for _, path, _ in public.requests] == ["/feed", "/moved"]  # same server: followed
    assert admin.untouched and admin6.untouched


def test_an_intranet_feed_the_user_wrote_is_fetched_with_its_redirects_on_the_same_server() -> None:
    routes = {"/feed": redirect("/feed.xml", 301), "/feed.xml": page(RSS, "application/rss+xml")}
    with logging_server("127.0.0.1", routes) as intranet:
        [written] = fetch.fetch_many([fetch.FeedRequest(f"{intranet.base}/feed", user_written=True)], LIMITS)
        [stranger] = fetch.fetch_many([fetch.FeedRequest(f"{intranet.base}/feed")], LIMITS)
    assert isinstance(written, fetch.FeedOk) and written.body == RSS
    assert written.final_url == f"{intranet.base}/feed.xml"
    assert isinstance(stranger, fetch.FeedFailed) and stranger.kind == "refused"
    assert stranger.reason == "address refused: 127.0.0.1 is a loopback address"
    assert [path for _, path, _ in intranet.requests] == ["/feed", "/feed.xml"]  # the stranger's: none


def test_a_redirect_from_an_intranet_feed_to_another_private_server_is_refused() -> None:
    routes: dict[str, Route] = {}
    with logging_server("127.0.0.1") as other, logging_server(STAND_IN, routes) as intranet:
        routes["/feed"] = redirect(f"{other.base}/feed")
        request = fetch.FeedRequest(f"{intranet.base}/feed", user_written=True)
        [result] = fetch.fetch_many([request], LIMITS)  # no stand-in here: 127.0.0.2 is private
    assert isinstance(result, fetch.FeedFailed) and result.kind == "refused", result
    assert other.untouched


def test_a_connection_opened_for_the_users_url_is_never_reused_for_a_strangers() -> None:
    """The user's feed on 127.0.0.1 leaves a kept-alive connection; an article link to the same
    server, in the same client, must not ride on it."""
    with logging_server("127.0.0.1", {"/feed": page(RSS, "application/rss+xml")}) as intranet:

        async def run() -> tuple[fetch.FetchResult, fetch.FetchResult]:
            async with fetch.FeedClient(LIMITS, connections=2) as client:
                feed = fetch.FeedRequest(f"{intranet.base}/feed", user_written=True)
                first = await fetch.fetch_feed(client, feed, LIMITS)
                second = await fetch.fetch_feed(client, fetch.FeedRequest(f"{intranet.base}/admin"), LIMITS)
                return first, second

        first, second = asyncio.run(run())
    assert isinstance(first, fetch.FeedOk)
    assert isinstance(second, fetch.FeedFailed) and second.kind == "refused"
    assert intranet.connections == 1 and [p for _, p, _ in intranet.requests] == ["/feed"]


def test_an_article_that_redirects_into_the_internal_network_is_refused_on_every_hop() -> None:
    with logging_server("127.0.0.1") as admin:
        hops = {"/story": redirect("/story/"), "/amp": redirect(f"http://2130706433:{admin.port}/admin")}
        with logging_server(STAND_IN, hops) as public:
            hops["/story/"] = redirect(f"{public.base}/amp")  # absolute, to the same "public" server
            [article] = asyncio.run(fetch_articles([f"{public.base}/story"], LIMITS, PUBLIC))
    assert article.text is None
    assert article.error == (
        f"redirect to http://2130706433:{admin.port}/admin refused: 127.0.0.1 is a loopback address"
    )
    assert [path for _, path, _ in public.requests] == ["/story", "/story/", "/amp"]
    assert admin.untouched
