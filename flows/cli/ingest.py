"""`migwatch replay` and `migwatch poll`: the two commands that bring items in."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flows.cli.common import safe, settings_from
from flows.settings import configure_prefect_environment, watched_flow_run
from monitors.errors import AllFeedsFailed


def cmd_replay(args: argparse.Namespace) -> int:
    from flows.messages import write_html
    from flows.reports import to_stderr
    from monitors.digest.notify import TERMINAL
    from monitors.digest.render import render_text
    from monitors.feeds.fixtures import fixture_paths, read_fixture
    from storage.store import open_engine

    settings = settings_from(args)
    paths = args.paths or [Path("seeds")]
    # Check everything a user can get wrong before Prefect starts, so errors are one clear line.
    for path in fixture_paths(paths):
        read_fixture(path)
    open_engine(settings.database_url).dispose()

    configure_prefect_environment(one_run=True)
    from flows.replay import replay_flow

    to_stderr(f"Replaying {', '.join(str(p) for p in paths)} into {safe(settings.database_url)}")
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


def cmd_poll(args: argparse.Namespace) -> int:
    from flows.reports import all_failed, render_table, to_stderr
    from monitors.classify.topic import load_topic
    from monitors.feeds.feedlist import load_feed_list
    from monitors.feeds.fetch import FetchLimits
    from storage.store import open_engine

    settings = settings_from(args)
    # Check everything a user can get wrong before Prefect starts, so errors are one clear line.
    feeds = load_feed_list(args.feeds or settings.feeds_file)
    load_topic(settings.topic_file)
    open_engine(settings.database_url).dispose()

    configure_prefect_environment(one_run=True)
    from flows.poll import poll_flow

    text = args.format == "text"
    if text:
        to_stderr(f"Polling {len(feeds)} feed(s) into {safe(settings.database_url)}")
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
    for label, reason in report.delivery_failed.items():
        if label in report.delivery_uncertain:
            print(
                f"migwatch: alert uncertain: {reason}; the next run resends these "
                f"{report.delivery_uncertain[label]} story(ies) once, in the same message",
                file=sys.stderr,
            )
        else:
            print(f"migwatch: alert failed: {reason}; it will be retried on the next run", file=sys.stderr)
    if text:
        print(render_table(report))
    else:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    failure = all_failed(report)
    if failure:
        raise AllFeedsFailed(failure)
    return 0
