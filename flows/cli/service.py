"""`migwatch serve` and `migwatch doctor`: running unattended, and checking that it can."""

from __future__ import annotations

import argparse
import sys

from flows.cli.common import safe, settings_from
from flows.settings import configure_prefect_environment, load_settings, run_overrides


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
        f"{settings.digest_time} {settings.digest_timezone}, into {safe(settings.database_url)}. "
        "Ctrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    with run_overrides(database_url=args.db) as overrides:  # read by each run, never a parameter
        serve(settings, args.config, overrides_file=overrides)
    print("migwatch: stopped", file=sys.stderr)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    configure_prefect_environment()
    from flows.doctor import run_checks

    checks = run_checks(settings)
    for check in checks:
        print(f"{check.verdict:<5} {check.name:<12} {check.detail}")
    return 1 if any(check.verdict == "fail" for check in checks) else 0
