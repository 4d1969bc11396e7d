"""The one settings object: defaults, then the config file, then MIGWATCH_* variables, then flags.

This is the only module that reads the environment.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from monitors.errors import ConfigError
from monitors.feeds.limits import FetchLimits

if TYPE_CHECKING:
    from prefect.settings import Settings as PrefectSettings


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "migwatch"


def _config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "migwatch" / "config.toml"


DEFAULT_DATA_DIR = _data_home()
DEFAULT_CONFIG_FILE = _config_home()
_LIMITS = FetchLimits()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIGWATCH_", extra="forbid")

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of migwatch's database (SQLite or PostgreSQL); "
        "default: migwatch.db in data_dir.",
    )
    data_dir: Path = DEFAULT_DATA_DIR
    digest_dir: Path | None = Field(default=None, description="Where HTML digests are written.")
    notify_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    topic_file: Path | None = None
    feeds_file: Path | None = None

    # fetching limits (defaults from the fetcher's own FetchLimits, so they are written once)
    connect_timeout: float = Field(default=_LIMITS.connect_timeout, gt=0)
    read_timeout: float = Field(default=_LIMITS.read_timeout, gt=0)
    feed_timeout: float = Field(default=_LIMITS.feed_timeout, gt=0)
    max_body_bytes: int = Field(default=_LIMITS.max_body_bytes, ge=1)
    max_redirects: int = Field(default=_LIMITS.max_redirects, ge=0)
    concurrency: int = Field(default=_LIMITS.concurrency, ge=1)
    user_agent: str = _LIMITS.user_agent
    allow_private_networks: bool = Field(
        default=_LIMITS.allow_private_networks,
        description="Let URLs the user did not write (item links, redirects to another server) reach "
        "loopback, private, link-local and other non-public addresses. Feed URLs from the feeds "
        "file may point into a private network whatever this says.",
    )

    # schedules
    poll_interval_minutes: int = Field(default=15, ge=1)
    digest_time: str = "07:00"
    digest_timezone: str = "Europe/London"

    @field_validator("notify_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in value.replace("\n", ",").split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'migwatch.db'}"
        return self

    @property
    def digests_path(self) -> Path:
        return self.digest_dir or self.data_dir / "digests"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _CONFIG_FILE[0]
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None and path.exists():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


_CONFIG_FILE: list[Path | None] = [None]
# Settings whose bad value is echoed in the error; a URL setting never is (it may hold a secret).
_SHOWN_WHEN_BAD = frozenset(
    {
        "connect_timeout",
        "read_timeout",
        "feed_timeout",
        "max_body_bytes",
        "max_redirects",
        "concurrency",
        "poll_interval_minutes",
        "digest_time",
        "digest_timezone",
    }
)


def config_file_from_env() -> Path:
    return Path(os.environ.get("MIGWATCH_CONFIG") or DEFAULT_CONFIG_FILE)


def crash_point_from_env() -> str:
    """MIGWATCH_CRASH_AT, for the crash-injection tests only (flows/faults.py); "" when unset."""
    return os.environ.get("MIGWATCH_CRASH_AT", "")


def child_environment(**defaults: str) -> dict[str, str]:
    """This process's environment for a child it starts, with `defaults` where the user set none."""
    return {**defaults, **os.environ}


# Set by `migwatch serve` for the flow-run processes its runner starts (not a user setting).
SERVED_BY = "_MIGWATCH_SERVED_BY"


def mark_served_runs() -> None:
    """In `serve`: the flow-run processes started from here on are told this process's pid."""
    os.environ[SERVED_BY] = str(os.getpid())


def served_by() -> int | None:
    """In a flow run: the pid of the `migwatch serve` that started this process, if one did."""
    value = os.environ.get(SERVED_BY, "")
    return int(value) if value.isdigit() else None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from every layer; `overrides` are the command-line flags that were given."""
    path = config_file or config_file_from_env()
    if config_file is not None and not config_file.exists():
        raise ConfigError(f"config file not found: {config_file}")
    if path.exists() and not path.is_file():  # pydantic-settings would skip it without a word
        raise ConfigError(f"config file {path} is not a file (a TOML file is expected)")
    _CONFIG_FILE[0] = path
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        given = f" (got {first['input']!r})" if where in _SHOWN_WHEN_BAD and "input" in first else ""
        raise ConfigError(f"bad setting {where}{given}: {first['msg']}") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc


def configure_prefect_environment(*, one_run: bool = False) -> None:
    """Defaults that keep Prefect's output clean; a user's own PREFECT_* settings still win.

    Analytics off: with it on, the ephemeral server's telemetry write races its own start-up and
    logs "database is locked" tracebacks on SQLite. Logging at WARNING: our CLI prints progress.
    Ephemeral start-up timeout 120 s instead of Prefect's 20 s: on a loaded 2-core machine the
    ephemeral API took longer than 20 s to answer and the command died with a traceback.
    If Prefect is to start its ephemeral server, it starts it on a leash (flows/lifeline.py): the
    server stops when the command does, even after `kill -9`.
    Prefect's EventsWorker warns "Still processing items" while it sends the run's last events at
    exit; it sends them all the same, so that warning is noise at the end of every run and is not
    shown (its errors still are).
    `one_run`: a command that runs one flow and exits (replay, poll, digest). Without
    PREFECT_API_URL its flow runs on a temporary server that Prefect stops when the command exits,
    mid-work: its services then log the flush they were cancelled in ("Error flushing 1 events",
    CancelledError tracebacks) after the command's last line. That server's own log is set to
    CRITICAL; whatever fails while the run needs it reaches the command as an API error. `serve`
    keeps the server's log: there the server runs for days and its errors matter.
    """
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    if one_run and not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    from flows.lifeline import leash_prefect_server

    leash_prefect_server()


@contextmanager
def watched_flow_run() -> Iterator[PrefectSettings]:
    """Prefect settings for a flow the CLI calls directly and waits for: no flow-run heartbeats.

    Heartbeats let the Prefect server mark a crashed deployment run as such; a direct CLI run is
    watched by whoever started it (its exit code and output), and its heartbeat thread, which
    sleeps in one-second steps, holds up the end of every flow run by up to a second. A heartbeat
    frequency the user set (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, the legacy
    PREFECT_RUNNER_HEARTBEAT_FREQUENCY, a Prefect profile or prefect.toml) still wins: it is only
    the default that changes, and only inside this block. Served and deployed runs never enter it.
    Call after configure_prefect_environment.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # A None frequency turns heartbeats off (FlowRunEngine.heartbeat_seconds); no environment
    # variable can say None, hence a settings context rather than os.environ.
    from flows.prefect_api import reachable_api, run_failures_off_the_console

    with (
        temporary_settings(set_defaults={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}) as settings,
        reachable_api(),
        run_failures_off_the_console(),
    ):
        yield settings


@contextmanager
def run_overrides(**overrides: Any) -> Iterator[str | None]:
    """The command-line flags that set settings (`--db`, `--notify` ...) for a flow run, as the
    path of a private file (flows/runfiles.py) that the run reads with load_run_settings, so the
    database URL and channel URLs they may carry never become flow-run parameters. None when no
    flag was given; the file is removed when the block ends."""
    from flows.runfiles import private_file

    given = {name: value for name, value in overrides.items() if value is not None}
    if not given:
        yield None
        return
    with private_file(json.dumps(given), prefix="migwatch-flags-", suffix=".json") as path:
        yield path


def load_run_settings(config_file: str | None = None, overrides_file: str | None = None) -> Settings:
    """The settings inside a flow run, from what its parameters name: the config file, and the file
    of the flags of the command that started it (run_overrides). The run reads them, and so its
    secrets, on the machine that runs it."""
    overrides: dict[str, Any] = {}
    if overrides_file:
        try:
            overrides = json.loads(Path(overrides_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"the flags file {overrides_file} is gone: the command that started this run has ended"
            ) from None
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"the flags file {overrides_file} cannot be read: {type(exc).__name__}"
            ) from None
    return load_settings(Path(config_file) if config_file else None, **overrides)
