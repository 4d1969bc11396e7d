"""`migwatch replay` and `migwatch poll`: the two commands that bring items in."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.cli.common import config_file_arg, safe, settings_from
from flows.settings import configure_prefect_environment, run_overrides, watched_flow_run
from monitors.errors import AllFeedsFailed

# At most this many characters of fixture paths go into a replay's flow-run parameters; more are
# listed in a private file whose path goes instead (Prefect keeps parameters, up to 512 KB).
PATHS_IN_PARAMETERS = 8_000


@contextmanager
def _fixtures_for_run(paths: list[Path]) -> Iterator[tuple[list[str] | None, str | None]]:
    """The replay flow's `paths` and `paths_file`: the paths as given while they are short, else
    a private file listing them, removed when the run is over."""
    from flows.runfiles import private_file

    given = [str(path) for path in paths]
    listed = json.dumps(given)
    if len(listed) <= PATHS_IN_PARAMETERS:
        yield given, None
        return
    with private_file(listed, prefix="migwatch-paths-", suffix=".json") as paths_file:
        yield None, paths_file


def cmd_replay(args: argparse.Namespace) -> int:
    from flows.messages import write_html
    from flows.reports import to_stderr
    from monitors.digest.notify import TERMINAL, channel_labels
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
    # The flow's parameters name the work; the run reads the database URL and channels itself.
    with (
        run_overrides(database_url=args.db) as overrides,
        _fixtures_for_run(paths) as (listed, listed_file),
        watched_flow_run(),
    ):
        report, digest = replay_flow(
            listed,
            listed_file,
            config_file=config_file_arg(args),
            channels=channel_labels(settings.notify_urls or [TERMINAL]),
            overrides_file=overrides,
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
    from monitors.digest.notify import channel_labels
    from monitors.feeds.feedlist import load_feed_list
    from storage.store import open_engine

    settings = settings_from(args)
    feeds_file: Path | None = args.feeds or settings.feeds_file
    # Check everything a user can get wrong before Prefect starts, so errors are one clear line.
    feeds = load_feed_list(feeds_file)
    load_topic(settings.topic_file)
    open_engine(settings.database_url).dispose()

    configure_prefect_environment(one_run=True)
    from flows.poll import poll_flow

    text = args.format == "text"
    if text:
        to_stderr(f"Polling {len(feeds)} feed(s) into {safe(settings.database_url)}")
    # The flow's parameters name the work (the feeds file, not its 20,000 URLs; channel labels,
    # not URLs); the run reads the feeds, the database URL and the channels itself.
    with (
        run_overrides(database_url=args.db) as overrides,
        watched_flow_run(),  # the caller watches this run: no heartbeat thread to wait for
    ):
        report = poll_flow(
            config_file=config_file_arg(args),
            feeds_file=str(feeds_file.absolute()) if feeds_file else None,
            feed_count=len(feeds),
            channels=channel_labels(settings.notify_urls),
            overrides_file=overrides,
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
