"""The `migwatch` command: a thin layer over the library. See README.md for the contract."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.settings import Settings, configure_prefect_environment, load_settings, watched_flow_run
from monitors.errors import InputError, MigwatchError

DB_HELP = (
    "database URL (default: MIGWATCH_DATABASE_URL, the config file, or the SQLite file in the data folder)"
)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="config file (TOML; default: MIGWATCH_CONFIG or ~/.config/migwatch/config.toml)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migwatch",
        description="Monitor news on UK–Italy cooperation on migration and alert on crossing figures and ministerial visits.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    _add_common(replay)

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
    _add_common(digest)

    items = commands.add_parser(
        "items",
        help="list stored items",
        description="List the stored items with their classification.",
    )
    items.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="output format (default: table)",
    )
    items.add_argument("--relevant", action="store_true", help="only relevant items")
    _add_common(items)

    poll = commands.add_parser(
        "poll",
        help="poll the feeds once: fetch, parse, classify and store new items",
        description="One polling cycle as a Prefect flow: fetch every due feed (conditional GET, "
        "limits from the settings), parse, classify and store new or changed items, then send the "
        "alert to configured channels. Exits 0 when the cycle completed, whatever single feeds did.",
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
    _add_common(poll)

    feeds = commands.add_parser(
        "feeds",
        help="list each feed's health",
        description="Each polled feed with its last success, last error, failures in a row and next try.",
    )
    feeds.add_argument(
        "--format", choices=["table", "json"], default="table", help="output format (default: table)"
    )
    _add_common(feeds)

    serve = commands.add_parser(
        "serve",
        help="poll on a schedule and send the daily digest, until stopped",
        description="Serve two Prefect deployments from this process: the poll (every --every "
        "minutes, never two at once, with the instant alert after each) and the daily digest. "
        "Needs a Prefect API: PREFECT_API_URL, else a temporary local one. Ctrl-C or SIGTERM stops "
        "it and pauses the schedules.",
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
    _add_common(serve)

    doctor = commands.add_parser(
        "doctor",
        help="check that this machine can run migwatch unattended",
        description="Check the database (reachable, schema current), the Prefect API (reachable), "
        "the channels (configured) and the feeds (healthy). One line per check; exits 1 when a "
        "check failed, 0 when all passed or only warned.",
    )
    _add_common(doctor)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None), database_url=getattr(args, "db", None))


# ---------------------------------------------------------------- replay
def cmd_replay(args: argparse.Namespace) -> int:
    from flows.messages import write_html
    from flows.reports import to_stderr
    from monitors.digest.notify import TERMINAL
    from monitors.digest.render import render_text
    from monitors.feeds.fixtures import fixture_paths, read_fixture
    from storage.store import open_engine

    settings = _settings(args)
    paths = args.paths or [Path("seeds")]
    # Check everything a user can get wrong before Prefect starts, so errors are one clear line.
    for path in fixture_paths(paths):
        read_fixture(path)
    open_engine(settings.database_url).dispose()

    configure_prefect_environment()
    from flows.replay import replay_flow

    to_stderr(f"Replaying {', '.join(str(p) for p in paths)} into {_safe(settings.database_url)}")
    with watched_flow_run():
        report, digest = replay_flow(
            [str(p) for p in paths],
            settings.database_url,
            settings.notify_urls or [TERMINAL],
            str(settings.topic_file) if settings.topic_file else None,
        )
    print(
        f"Stored {report.new} new item(s) ({report.relevant_new} relevant), "
        f"{report.updated} updated, {report.unchanged} already stored, from {report.documents} document(s)."
    )
    print()
    print("Digest preview (nothing is sent; `migwatch digest` delivers):")
    print()
    print(render_text(digest))
    html_path = write_html(digest, settings.digests_path)
    print(f"HTML digest written to {html_path}")
    return 0


def _safe(url: str) -> str:
    from storage.engine import mask_database_url

    return mask_database_url(url)


# ---------------------------------------------------------------- classify
def _parse_published(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("'published' must be an ISO 8601 string")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"'published' is not a date: {value!r}") from exc


def _item_from_json(data: Any) -> Any:
    from monitors.models import FeedItem

    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    for key in ("id", "title"):
        if key not in data or data[key] in (None, ""):
            raise ValueError(f"'{key}' is required")
    for key in ("summary", "content", "url", "source"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"'{key}' must be a string")
    return FeedItem(
        id=str(data["id"]),
        title=str(data["title"]),
        summary=data.get("summary") or "",
        content=data.get("content") or "",
        url=data.get("url"),
        published=_parse_published(data.get("published")),
        source=data.get("source"),
    )


def cmd_classify(args: argparse.Namespace) -> int:
    from monitors.classify.classifier import classify
    from monitors.classify.topic import load_topic

    topic = load_topic(args.topic or load_settings().topic_file)
    if args.file == "-":
        stream: io.TextIOBase | Any = sys.stdin
    else:
        try:
            stream = open(args.file, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"{args.file}: cannot read: {exc.strerror}") from exc
    failures = 0
    seen_any = False
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            seen_any = True
            try:
                item = _item_from_json(json.loads(line))
            except (json.JSONDecodeError, ValueError) as exc:
                failures += 1
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                print(f"migwatch: line {number}: skipped: {reason}", file=sys.stderr)
                continue
            result = classify(topic, item)
            out: dict[str, Any] = {"id": item.id}
            data = result.to_dict()
            out.update(
                relevant=result.relevant,
                score=data["score"],
                crossing_figures=data["crossing_figures"],
                ministerial_visits=data["ministerial_visits"],
            )
            if args.explain:
                out["explanation"] = data["rules"]
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if not seen_any:
        raise InputError(
            f"{'standard input' if args.file == '-' else args.file}: no items (expected JSON Lines)"
        )
    if failures:
        print(f"migwatch: {failures} line(s) skipped", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- digest
def _print_digest(digest: Any, fmt: str) -> None:
    from monitors.digest.chart import channel_chart_png
    from monitors.digest.render import chart_data_uri, render_html, render_json, render_slack, render_text

    if fmt == "json":
        print(render_json(digest))
    elif fmt == "html":
        print(render_html(digest, chart_data_uri(channel_chart_png(digest)) if digest.stories else None))
    elif fmt == "slack":
        print(render_slack(digest))
    else:
        print(render_text(digest), end="")


def cmd_digest(args: argparse.Namespace) -> int:
    from flows import pipeline
    from monitors.classify.topic import load_topic
    from monitors.digest.notify import TERMINAL, check_url, mask_url
    from storage.store import open_engine

    settings = _settings(args)
    channels = list(dict.fromkeys([*settings.notify_urls, *args.notify]))
    for channel in channels:
        check_url(channel)
    signals = load_topic(settings.topic_file).alert_signals
    engine = open_engine(settings.database_url)
    if args.dry_run:
        digest, _ = pipeline.pending_digest(engine, channels or [TERMINAL], signals)
        engine.dispose()
        _print_digest(digest, args.format)
        if channels:
            print(
                f"(dry run: nothing sent or marked; would send to {', '.join(mask_url(c) for c in channels)})",
                file=sys.stderr,
            )
        return 0
    engine.dispose()
    configure_prefect_environment()
    from flows.digest_flow import digest_flow

    topic_file = str(settings.topic_file) if settings.topic_file else None
    with watched_flow_run():
        report = digest_flow(settings.database_url, channels, topic_file)
    if not channels:
        if report.digest is None:
            print("No new stories to deliver.", file=sys.stderr)
        else:
            _print_digest(report.digest, args.format)
    else:
        if report.digest is None and not report.failed and not report.skipped:
            print("No new stories to deliver.", file=sys.stderr)
        for label, count in report.delivered.items():
            print(f"Delivered {count} story(ies) to {label}", file=sys.stderr)
        for label, reason in report.skipped.items():
            print(f"Skipped {label}: {reason}", file=sys.stderr)
        for reason in report.failed.values():
            print(
                f"migwatch: delivery failed: {reason}; the stories stay pending for the next run",
                file=sys.stderr,
            )
    return 4 if report.failed else 0


# ---------------------------------------------------------------- poll / feeds
def cmd_poll(args: argparse.Namespace) -> int:
    from flows.reports import render_table, to_stderr
    from monitors.classify.topic import load_topic
    from monitors.feeds.feedlist import load_feed_list
    from monitors.feeds.fetch import FetchLimits
    from storage.store import open_engine

    settings = _settings(args)
    # Check everything a user can get wrong before Prefect starts, so errors are one clear line.
    feeds = load_feed_list(args.feeds or settings.feeds_file)
    load_topic(settings.topic_file)
    open_engine(settings.database_url).dispose()

    configure_prefect_environment()
    from flows.poll import poll_flow

    text = args.format == "text"
    if text:
        to_stderr(f"Polling {len(feeds)} feed(s) into {_safe(settings.database_url)}")
    with watched_flow_run():  # the caller watches this run: no heartbeat thread to wait for
        report = poll_flow(
            settings.database_url,
            [(feed.url, feed.title) for feed in feeds],
            FetchLimits.from_settings(settings),
            str(settings.topic_file) if settings.topic_file else None,
            settings.notify_urls,
            show_progress=text,
        )
    for label, count in report.delivered.items():
        print(f"Alerted {label} with {count} story(ies)", file=sys.stderr)
    for reason in report.delivery_failed.values():
        print(f"migwatch: alert failed: {reason}; it will be retried on the next run", file=sys.stderr)
    if text:
        print(render_table(report))
    else:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    return 0


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def cmd_feeds(args: argparse.Namespace) -> int:
    from storage.store import feed_health, open_engine

    settings = _settings(args)
    rows = feed_health(open_engine(settings.database_url))
    records = [
        {
            "url": r.url,
            "title": r.title,
            "last_success": _when(r.last_success),
            "last_error": r.last_error,
            "last_error_at": _when(r.last_error_at),
            "failures": r.failures,
            "next_try": _when(r.next_try),
        }
        for r in rows
    ]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("No feeds polled yet.")
        return 0
    print(f"{'FEED':<60}  {'LAST SUCCESS':<25}  {'FAILS':>5}  {'NEXT TRY':<25}  LAST ERROR")
    from monitors.safetext import clean_url, one_line

    for rec in records:
        url = clean_url(str(rec["url"])) or ""
        url = url if len(url) <= 60 else url[:59] + "…"
        print(
            f"{url:<60}  {rec['last_success'] or '-':<25}  {rec['failures']:>5}  "
            f"{rec['next_try'] or 'next poll':<25}  {one_line(rec['last_error'] or '-')}"
        )
    return 0


# ---------------------------------------------------------------- serve / doctor
def cmd_serve(args: argparse.Namespace) -> int:
    from storage.store import open_engine

    settings = load_settings(
        args.config,
        database_url=args.db,
        poll_interval_minutes=args.every,
        digest_time=args.digest_at,
        digest_timezone=args.timezone,
    )
    open_engine(settings.database_url).dispose()  # one clear line now, not a failed run later
    configure_prefect_environment()
    from flows.serve import build_deployments, serve

    build_deployments(settings)  # checks the schedules before anything starts
    print(
        f"Serving: poll every {settings.poll_interval_minutes} min, digest daily at "
        f"{settings.digest_time} {settings.digest_timezone}, into {_safe(settings.database_url)}. "
        "Ctrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    serve(settings, args.config, database_url=args.db)
    print("migwatch: stopped", file=sys.stderr)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    settings = _settings(args)
    configure_prefect_environment()
    from flows.doctor import run_checks

    checks = run_checks(settings)
    for check in checks:
        print(f"{check.verdict:<5} {check.name:<12} {check.detail}")
    return 1 if any(check.verdict == "fail" for check in checks) else 0


# ---------------------------------------------------------------- items
def cmd_items(args: argparse.Namespace) -> int:
    from monitors.safetext import clean_url, clean_values, csv_cell, one_line
    from storage.store import list_items, open_engine

    settings = _settings(args)
    engine = open_engine(settings.database_url)
    rows = list_items(engine, relevant_only=args.relevant)
    # feed text is shown only once made safe (monitors/safetext.py), whatever the format
    records: list[dict[str, Any]] = [
        {
            "id": r.id,
            "title": one_line(r.title),
            "source": one_line(r.source) if r.source else None,
            "url": clean_url(r.url),
            "published": r.published.isoformat() if r.published else None,
            "first_seen": r.first_seen.isoformat(),
            "relevant": r.relevant,
            "score": round(r.score, 3),
            "story_id": r.story_id,
            "crossing_figures": [f["count"] for f in r.crossing_figures],
            "ministerial_visits": [
                one_line(f"{v['minister']} -> {v['destination']}") for v in clean_values(r.ministerial_visits)
            ],
        }
        for r in rows
    ]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(
            [
                "id",
                "title",
                "source",
                "url",
                "published",
                "relevant",
                "score",
                "story_id",
                "crossing_figures",
                "ministerial_visits",
            ]
        )
        for rec in records:
            writer.writerow(
                csv_cell(cell)
                for cell in [
                    rec["id"],
                    rec["title"],
                    rec["source"],
                    rec["url"],
                    rec["published"],
                    rec["relevant"],
                    rec["score"],
                    rec["story_id"],
                    " ".join(str(c) for c in rec["crossing_figures"]),
                    "; ".join(rec["ministerial_visits"]),
                ]
            )
    else:
        if not records:
            print("No items stored yet.")
        for rec in records:
            mark = "*" if rec["relevant"] else " "
            title = rec["title"] if len(rec["title"]) <= 70 else rec["title"][:69] + "…"
            print(f"{rec['id']:>5} {mark} {rec['score']:.2f}  {title}")
        if records:
            print(f"{len(records)} item(s); * = relevant")
    return 0


COMMANDS = {
    "replay": cmd_replay,
    "classify": cmd_classify,
    "digest": cmd_digest,
    "items": cmd_items,
    "serve": cmd_serve,
    "doctor": cmd_doctor,
    "poll": cmd_poll,
    "feeds": cmd_feeds,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MigwatchError as exc:
        print(f"migwatch: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("migwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
