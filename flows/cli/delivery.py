"""`migwatch digest`: show or deliver the stories not yet delivered; `migwatch notify`: the
configured channels, and with --test a test message to each."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flows.cli.common import config_file_arg, settings_from
from flows.settings import configure_prefect_environment, load_settings, run_overrides, watched_flow_run


def print_digest(digest: Any, fmt: str) -> None:
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


def _report_deliveries(report: Any) -> None:
    if report.digest is None and not report.failed and not report.skipped:
        print("No new stories to deliver.", file=sys.stderr)
    for label, count in report.resent.items():
        print(
            f"Resent {count} story(ies) to {label} whose earlier delivery was uncertain "
            "(same Message-ID for email)",
            file=sys.stderr,
        )
    for label, count in report.delivered.items():
        print(f"Delivered {count} story(ies) to {label}", file=sys.stderr)
    for label, reason in report.skipped.items():
        print(f"Skipped {label}: {reason}", file=sys.stderr)
    for label, reason in report.failed.items():
        if label in report.uncertain:
            print(
                f"migwatch: delivery uncertain: {reason}; the next run resends these "
                f"{report.uncertain[label]} story(ies) once, in the same message",
                file=sys.stderr,
            )
        else:
            print(
                f"migwatch: delivery failed: {reason}; the stories stay pending for the next run",
                file=sys.stderr,
            )


def cmd_digest(args: argparse.Namespace) -> int:
    from flows import pipeline
    from monitors.classify.topic import load_topic
    from monitors.digest.notify import TERMINAL, channel_labels, check_url, mask_url
    from storage.store import open_engine

    settings = settings_from(args)
    channels = list(dict.fromkeys([*settings.notify_urls, *args.notify]))
    for channel in channels:
        check_url(channel)
    signals = load_topic(settings.topic_file).alert_signals
    engine = open_engine(settings.database_url)
    if args.dry_run:
        digest, _ = pipeline.pending_digest(engine, channels or [TERMINAL], signals)
        engine.dispose()
        print_digest(digest, args.format)
        if channels:
            print(
                f"(dry run: nothing sent or marked; would send to {', '.join(mask_url(c) for c in channels)})",
                file=sys.stderr,
            )
        return 0
    # Nothing alerting is pending for any channel (nothing in flight either: that is pending too):
    # answer at once, without starting Prefect for a run that would send nothing.
    nothing_pending = not pipeline.pending_digest(engine, channels or [TERMINAL], signals)[0].stories
    engine.dispose()
    if nothing_pending:
        print("No new stories to deliver.", file=sys.stderr)
        return 0
    configure_prefect_environment(one_run=True)
    from flows.digest_flow import digest_flow

    # The flow takes the channels' labels; the run reads their URLs (and passwords) itself.
    extra = channels if channels != settings.notify_urls else None  # what --notify added
    with (
        run_overrides(database_url=args.db, notify_urls=extra) as overrides,
        watched_flow_run(),
    ):
        report = digest_flow(
            config_file=config_file_arg(args),
            channels=channel_labels(channels),
            overrides_file=overrides,
        )
    if not channels:
        if report.digest is None:
            print("No new stories to deliver.", file=sys.stderr)
        else:
            print_digest(report.digest, args.format)
    else:
        _report_deliveries(report)
    return 4 if report.failed else 0


def cmd_notify(args: argparse.Namespace) -> int:
    from monitors.digest.notify import mask_url
    from monitors.errors import ConfigError

    settings = load_settings(args.config)
    channels = list(dict.fromkeys([*settings.notify_urls, *args.notify]))
    if not channels:
        message = (
            "no channel configured: set MIGWATCH_NOTIFY_URLS or notify_urls in the config file, "
            "or give --notify URL"
        )
        if args.test:
            raise ConfigError(message)
        print(f"No channels: {message.removeprefix('no channel configured: ')}.")
        return 0
    if not args.test:
        for channel in channels:
            print(mask_url(channel))
        print(f"{len(channels)} channel(s). `migwatch notify --test` sends each a test message.")
        return 0
    return _send_tests(channels)


def _send_tests(channels: list[str]) -> int:
    import socket
    from datetime import UTC, datetime

    from flows.messages import test_message
    from monitors.digest.notify import channel_kind, send

    failed = 0
    for channel in channels:
        message = test_message(channel_kind(channel), datetime.now(UTC), socket.gethostname())
        result = send(
            channel,
            message.title,
            message.body,
            body_format=message.body_format,
            text_alternative=message.text_alternative,
        )
        if result.ok:
            print(f"ok    {result.label}: test message sent", flush=True)
        else:
            failed += 1
            reason = (result.error or "failed").removeprefix(f"{result.label}: ")
            print(f"fail  {result.label}: {reason}", flush=True)
    print(
        f"{len(channels)} channel(s): {len(channels) - failed} ok, {failed} failed. "
        "Nothing was recorded: pending stories stay pending."
    )
    return 4 if failed else 0
