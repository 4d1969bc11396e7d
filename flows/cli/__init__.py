"""The `migwatch` command: a thin layer over the library. See README.md for the contract.

parser.py builds the options, one function per command; each command runs from its group's module
(ingest: replay, poll; delivery: digest, notify; items; feeds; service: serve, doctor; classify).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from flows.cli.classify import cmd_classify
from flows.cli.common import merge_global_options
from flows.cli.delivery import cmd_digest, cmd_notify
from flows.cli.feeds import cmd_feeds
from flows.cli.ingest import cmd_poll, cmd_replay
from flows.cli.items import cmd_items
from flows.cli.parser import build_parser
from flows.cli.service import cmd_doctor, cmd_serve
from monitors.errors import MigwatchError

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "replay": cmd_replay,
    "classify": cmd_classify,
    "digest": cmd_digest,
    "notify": cmd_notify,
    "items": cmd_items,
    "serve": cmd_serve,
    "doctor": cmd_doctor,
    "poll": cmd_poll,
    "feeds": cmd_feeds,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = merge_global_options(parser.parse_args(argv))
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
