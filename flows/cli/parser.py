"""The argument parser: one small function per command, so each command's options read in one place."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.cli.common import CONFIG_HELP, DB_HELP, add_common, add_config

Commands = Any  # argparse's _SubParsersAction, private in typeshed's spelling


def _replay(commands: Commands) -> None:
    replay = commands.add_parser(
        "replay",
        help="replay fixture documents through the pipeline and preview the digest",
        description="Read fixture documents (headline on line 1, page text after), classify them, "
        "store the new ones, group them into stories, print the digest and write it as HTML. "
        "Delivers nothing.",
    )
    replay.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        type=Path,
        help="fixture file or folder (default: seeds/)",
    )
    add_common(replay)


def _classify(commands: Commands) -> None:
    classify = commands.add_parser(
        "classify",
        help="classify JSON Lines items; stores nothing",
        description="Read JSON Lines items ('id' and 'title' required; 'summary', 'content', 'url', "
        "'published', 'source' optional) and write one JSON line per item with relevance, score, "
        "crossing figures and ministerial visits.",
    )
    classify.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="JSON Lines file, or - for standard input (default)",
    )
    classify.add_argument(
        "--explain", action="store_true", help="add the rules that fired, and where, to each line"
    )
    classify.add_argument(
        "--topic",
        metavar="FILE",
        type=Path,
        help="topic file (default: the built-in UK–Italy migration topic)",
    )


def _digest(commands: Commands) -> None:
    digest = commands.add_parser(
        "digest",
        help="send (or with --dry-run, show) the digest of stories not yet delivered",
        description="The digest of stories not yet delivered that carry a crossing figure or a "
        "ministerial visit. Without --dry-run, stories are marked delivered to each channel that took "
        "them (the terminal when no channel is configured).",
    )
    digest.add_argument(
        "--format",
        choices=["text", "html", "json", "slack"],
        default="text",
        help="output format of what is shown (default: text; slack shows the Slack mrkdwn)",
    )
    digest.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the next run would deliver; change nothing",
    )
    digest.add_argument(
        "--notify",
        metavar="URL",
        action="append",
        default=[],
        help="apprise URL to send to (repeatable; adds to MIGWATCH_NOTIFY_URLS)",
    )
    add_common(digest)


def _notify(commands: Commands) -> None:
    notify = commands.add_parser(
        "notify",
        help="list the notification channels; with --test, check each with a test message",
        description="The configured channels (MIGWATCH_NOTIFY_URLS, notify_urls in the config file, "
        "and --notify), secrets masked. With --test, send each a short message marked as a test and "
        "report each result; no story is sent and nothing is recorded. Exits 4 when a channel failed.",
    )
    notify.add_argument(
        "--test", action="store_true", help="send each channel a test message and report each result"
    )
    notify.add_argument(
        "--notify",
        metavar="URL",
        action="append",
        default=[],
        help="apprise URL to include (repeatable; adds to MIGWATCH_NOTIFY_URLS)",
    )
    add_config(notify)


def _items(commands: Commands) -> None:
    from flows.cli.items import since

    items = commands.add_parser(
        "items",
        help="list stored items, or show one whole with why it matched",
        description="The stored items with their classification, newest first (by published date, "
        "else when first seen): id, relevance, score, date, outlet, figure and visit counts, title. "
        "With --id, one item whole: outlet, link, dates, verdict, crossing figures, ministerial "
        "visits, its text, and with --explain the rules that fired.",
    )
    items.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="output format (default: table)",
    )
    items.add_argument("--relevant", action="store_true", help="only relevant items")
    items.add_argument(
        "--since",
        metavar="WHEN",
        type=since,
        help="only items dated from WHEN: a date (2025-06-01), a date and time (UTC unless given), "
        "or an age (24h, 7d, 2w)",
    )
    items.add_argument(
        "--match", metavar="TEXT", help="only items whose title or text contains TEXT (any case)"
    )
    items.add_argument("--limit", metavar="N", type=_positive, help="at most N items (the newest)")
    items.add_argument("--id", metavar="ID", type=_positive, help="show this one item whole")
    items.add_argument(
        "--explain",
        action="store_true",
        help="add the rules that fired, with their weights (with --id, or --format json or csv)",
    )
    add_common(items)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not 1 or more")
    return number


def _poll(commands: Commands) -> None:
    poll = commands.add_parser(
        "poll",
        help="poll the feeds once: fetch, parse, classify and store new items",
        description="One polling cycle as a Prefect flow: fetch every due feed (conditional GET, "
        "limits from the settings), parse, classify and store new or changed items, then send the "
        "alert to configured channels. Exits 0 when the cycle completed, even if some feeds failed; "
        "5 when every feed failed (one line on stderr says so, with the likely cause).",
    )
    poll.add_argument(
        "--feeds",
        metavar="FILE",
        type=Path,
        help="OPML file or text file with one feed URL per line (default: MIGWATCH_FEEDS_FILE, "
        "else the built-in list of sources)",
    )
    poll.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    add_common(poll)


def _feeds(commands: Commands) -> None:
    feeds = commands.add_parser(
        "feeds",
        help="list each feed's health",
        description="Each polled feed with its last success, last error, failures in a row and next try.",
    )
    feeds.add_argument(
        "--format", choices=["table", "json"], default="table", help="output format (default: table)"
    )
    add_common(feeds)


def _serve(commands: Commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="poll on a schedule and send the daily digest, until stopped",
        description="Serve two Prefect deployments from this process: the poll (every --every "
        "minutes, never two at once, with the instant alert after each) and the daily digest. "
        "Runs on the Prefect server of PREFECT_API_URL, else on one at 127.0.0.1:4200 "
        "(PREFECT_SERVER_API_PORT), started here if none answers and stopped on exit; its UI is at "
        "that address. Ctrl-C or SIGTERM stops it and pauses its schedules.",
    )
    serve.add_argument(
        "--every",
        metavar="MINUTES",
        type=int,
        help="minutes between polls (default: 15; setting poll_interval_minutes)",
    )
    serve.add_argument(
        "--digest-at", metavar="HH:MM", help="time of the daily digest (default: 07:00; setting digest_time)"
    )
    serve.add_argument(
        "--timezone",
        metavar="TZ",
        help="time zone of --digest-at (default: Europe/London; setting digest_timezone)",
    )
    add_common(serve)


def _doctor(commands: Commands) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check that this machine can run migwatch unattended",
        description="Check the database (reachable, schema current), the Prefect API (reachable), "
        "the channels (configured) and the feeds (healthy). One line per check; exits 1 when a "
        "check failed, 0 when all passed or only warned.",
    )
    add_common(doctor)


COMMAND_PARSERS: list[Callable[[Commands], None]] = [
    _replay,
    _classify,
    _digest,
    _notify,
    _items,
    _poll,
    _feeds,
    _serve,
    _doctor,
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("migwatch")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migwatch",
        description="Monitor news on UK–Italy cooperation on migration and alert on crossing figures and ministerial visits.",
        epilog="--db and --config may also come after the command; there they win.",
    )
    parser.add_argument("--version", action="version", version=f"migwatch {_version()}")
    # Before the command, into their own names: a subcommand's own default (None) would
    # otherwise overwrite them (flows/cli/__init__.py merges the two).
    parser.add_argument("--db", metavar="URL", dest="global_db", help=DB_HELP)
    parser.add_argument("--config", metavar="FILE", dest="global_config", type=Path, help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMAND_PARSERS:
        add(commands)
    return parser
