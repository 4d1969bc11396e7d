"""The fetcher against a real local server: conditional GET, Retry-After, redirects, caps."""

from __future__ import annotations

from monitors.feeds.fetch import (
    FeedFailed,
    FeedNotModified,
    FeedOk,
    FeedRequest,
    FetchLimits,
    fetch_many,
    parse_retry_after,
)
from tests.support.feedserver import Handler, feed_server

LIMITS = FetchLimits(
    connect_timeout=2,
    read_timeout=1,
    feed_timeout=3,
    max_body_bytes=1024 * 1024,
    max_redirects=2,
    concurrency=4,
    user_agent="migwatch-test/1.0 (+https://example.org)",
)


def listed(url: str, etag: str | None = None) -> FeedRequest:
    """A feed as the user listed it: its own URL may be on 127.0.0.1 (tests/feeds for the rest)."""
    return FeedRequest(url, etag=etag, user_written=True)


def test_second_request_with_the_etag_is_not_modified_and_sends_our_user_agent() -> None:
    with feed_server() as base:
        url = f"{base}/corpus/guardian_us_2018.rss"
        [first] = fetch_many([listed(url)], LIMITS)
        assert isinstance(first, FeedOk) and first.etag and b"<rss" in first.body
        [second] = fetch_many([listed(url, etag=first.etag)], LIMITS)
        assert second == FeedNotModified(url)
    assert Handler.seen_agents[-1] == LIMITS.user_agent


def test_retry_after_is_read_from_429_and_503() -> None:
    with feed_server() as base:
        too_many, unavailable = fetch_many(
            [listed(f"{base}/status429"), listed(f"{base}/unavailable")], LIMITS
        )
    assert isinstance(too_many, FeedFailed) and too_many.status == 429 and too_many.retry_after == 120
    assert isinstance(unavailable, FeedFailed) and unavailable.status == 503
    assert unavailable.retry_after is not None and unavailable.retry_after > 3600
    assert parse_retry_after("soon") is None


def test_redirects_are_followed_a_few_times_and_only_to_http() -> None:
    with feed_server() as base:
        moved, loop, to_file, scheme = fetch_many(
            [
                listed(f"{base}/redirect-ok"),
                listed(f"{base}/loop"),
                listed(f"{base}/to-file"),
                listed("file:///etc/passwd"),
            ],
            LIMITS,
        )
    assert isinstance(moved, FeedOk) and moved.final_url.endswith("/corpus/guardian_us_2018.rss")
    assert isinstance(loop, FeedFailed) and loop.reason == "more than 2 redirects"
    assert isinstance(to_file, FeedFailed) and "file:///etc/passwd" in to_file.reason
    assert isinstance(scheme, FeedFailed) and scheme.reason.startswith("not an http(s) URL")


def test_body_caps_hold_on_the_wire_and_after_decompression() -> None:
    with feed_server() as base:
        huge, bomb = fetch_many([listed(f"{base}/huge"), listed(f"{base}/gzip-bomb")], LIMITS)
    assert isinstance(huge, FeedFailed) and huge.reason == "body larger than 1048576 bytes"
    assert isinstance(bomb, FeedFailed)
    assert bomb.reason == "body larger than 1048576 bytes once decompressed"
