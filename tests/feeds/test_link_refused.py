"""A link the address policy refuses is the item's reason, stored and shown, never a silent drop:
a poll of a feed whose short, likely-relevant items link into the internal network stores every
item with its link and why it was not fetched, and the internal service receives nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows import pipeline
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import FeedSource
from monitors.feeds.formats.xmlfeed import BLANKED
from monitors.feeds.limits import FetchLimits
from monitors.feeds.parse import parse_feed
from storage.store import list_items, open_engine
from tests.conftest import run_cli
from tests.feeds.servers import SECRET, Logged, logging_server, page

LIMITS = FetchLimits(connect_timeout=3, read_timeout=3, feed_timeout=6, concurrency=4)
HOSTS = [
    "127.0.0.1:{port}",
    "2130706433:{port}",
    "localhost.:{port}",
    "[::ffff:127.0.0.1]:{port}",
    "[::1]:{port6}",
]


def _json_feed(links: list[str]) -> bytes:
    """A JSON Feed: its links reach the URL check as written (feedparser-rs, the XML path's fast
    parser, blanks links to literal private addresses itself)."""
    items = [
        {
            "id": f"https://news.example.org/boats-{n}",
            "url": link,
            "title": f"Piantedosi and Cooper agree on small boats plan, part {n}",
            "summary": "Home Secretary in Rome.",
        }
        for n, link in enumerate(links)
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}).encode()


@contextmanager
def _hostile_feed() -> Iterator[tuple[str, list[str], Logged, Logged]]:
    """A feed the user listed (on 127.0.0.2) whose items link to the internal service."""
    with logging_server("127.0.0.1") as admin, logging_server("::1") as admin6:
        links = [f"http://{h.format(port=admin.port, port6=admin6.port)}/admin" for h in HOSTS]
        with logging_server(
            "127.0.0.2", {"/feed.json": page(_json_feed(links), "application/feed+json")}
        ) as feed:
            yield f"{feed.base}/feed.json", links, admin, admin6


def test_links_into_private_networks_are_kept_by_the_parser() -> None:
    links = ["http://127.0.0.1:8080/admin", "http://10.0.0.5/x", "https://www.gov.uk/news"]
    assert [item.url for item in parse_feed(_json_feed(links))] == links  # where they lead: the fetch's call


def test_a_poll_stores_each_refused_link_with_its_reason(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'migwatch.db'}")
    with _hostile_feed() as (url, links, admin, admin6):
        report = pipeline.poll_all(engine, [FeedSource(url)], LIMITS, load_topic())
    [feed] = report.feeds
    assert feed.status == "ok" and feed.new_items == len(links)
    refused = dict(feed.links_refused)
    assert list(refused) == links
    assert all(why.startswith("address refused: ") for why in refused.values()), refused
    assert "localhost is a loopback name" in refused[links[2]]
    assert "IPv4-mapped address of 127.0.0.1" in refused[links[3]]
    stored = {row.url: row for row in list_items(engine)}
    assert set(stored) == set(links)  # every item kept, with the link as the feed wrote it
    assert {url: row.link_refused for url, row in stored.items()} == refused
    assert all(SECRET not in (row.title or "") for row in stored.values())
    assert admin.untouched and admin6.untouched


def test_poll_json_and_items_show_why_a_link_was_not_fetched(
    sqlite_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.txt"
    with _hostile_feed() as (url, links, admin, admin6):
        feeds_file.write_text(url + "\n")
        polled = run_cli(
            ["poll", "--feeds", str(feeds_file), "--db", sqlite_url, "--format", "json"], cli_env
        )
    assert polled.returncode == 0, polled.stderr
    [feed] = json.loads(polled.stdout)["feeds"]
    assert [row["link"] for row in feed["links_refused"]] == links
    assert feed["links_refused"][0]["reason"] == "address refused: 127.0.0.1 is a loopback address"
    assert admin.untouched and admin6.untouched

    shown = run_cli(["items", "--db", sqlite_url, "--format", "json"], cli_env)
    reasons = {row["url"]: row["link_refused"] for row in json.loads(shown.stdout)}
    assert reasons == {row["link"]: row["reason"] for row in feed["links_refused"]}
    table = run_cli(["items", "--db", sqlite_url], cli_env)
    assert table.stdout.count("link not fetched: address refused: ") == len(links)
    csv = run_cli(["items", "--db", sqlite_url, "--format", "csv"], cli_env)
    assert csv.stdout.splitlines()[0].endswith(",link_refused")


def test_an_rss_link_the_fast_parser_removed_is_stored_with_its_reason(tmp_path: Path) -> None:
    """feedparser-rs blanks links to literal private addresses in RSS and Atom: the item is stored
    with a reason saying so, not as an item that never had a link."""
    body = (Path(__file__).with_name("cases") / "links_to_private_addresses.rss").read_bytes()
    engine = open_engine(f"sqlite:///{tmp_path / 'migwatch.db'}")
    with logging_server("127.0.0.2", {"/feed.rss": page(body, "application/rss+xml")}) as feed:
        pipeline.poll_all(engine, [FeedSource(f"{feed.base}/feed.rss")], LIMITS, load_topic())
    reasons = {row.title: row.link_refused for row in list_items(engine)}
    assert reasons["Piantedosi meets the Home Secretary in Rome"] == BLANKED
    assert reasons["Boats reach Lampedusa overnight"] == BLANKED
    assert reasons["Council budget approved"] is None
