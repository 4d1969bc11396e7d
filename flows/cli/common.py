"""What every command shares: the --db/--config options, loading the settings, masking a database URL."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from flows.settings import Settings, load_settings

CONFIG_HELP = "config file (TOML; default: MIGWATCH_CONFIG or ~/.config/migwatch/config.toml)"
DB_HELP = (
    "database URL (default: MIGWATCH_DATABASE_URL, the config file, or the SQLite file in the data folder)"
)


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    add_config(parser)


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", type=Path, help=CONFIG_HELP)


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None), database_url=getattr(args, "db", None))


def config_file_arg(args: argparse.Namespace) -> str | None:
    """The --config a command was given, as a flow-run parameter (a path, never its contents)."""
    return str(args.config) if getattr(args, "config", None) else None


def safe(url: str) -> str:
    from storage.engine import mask_database_url

    return mask_database_url(url)


def when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, an ellipsis marking a cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def merge_global_options(args: argparse.Namespace) -> argparse.Namespace:
    """--db and --config given before the command count as if given after it (where they win)."""
    for name in ("db", "config"):
        if getattr(args, name, None) is None:
            setattr(args, name, getattr(args, f"global_{name}", None))
    return args
