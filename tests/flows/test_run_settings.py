"""A flow run reads its settings itself: the config file and the command's flags file that its
parameters name (flows/settings.py: run_overrides, load_run_settings; issue 12, item 5)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from flows.settings import load_run_settings, run_overrides
from monitors.errors import ConfigError

SECRET_URL = "postgresql+psycopg://bob:hunter2@db.internal:5432/migwatch"


def test_flags_reach_the_run_through_a_private_file_that_is_gone_afterwards(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database_url = "sqlite:///from-config.db"\nconcurrency = 3\n', encoding="utf-8")
    with run_overrides(database_url=SECRET_URL, notify_urls=None) as path:
        assert path is not None
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
        settings = load_run_settings(str(config), path)
    assert settings.database_url == SECRET_URL  # the flag wins over the config file
    assert settings.concurrency == 3  # the rest still comes from the config file
    assert not Path(path).exists()


def test_no_flag_no_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database_url = "sqlite:///from-config.db"\n', encoding="utf-8")
    with run_overrides(database_url=None) as path:
        assert path is None
        assert load_run_settings(str(config), path).database_url == "sqlite:///from-config.db"


def test_a_flags_file_gone_before_the_run_says_why(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the command that started this run has ended"):
        load_run_settings(None, str(tmp_path / "gone.json"))
