"""A flow the CLI calls directly runs without Prefect's flow-run heartbeats (its caller watches
it), unless the user set a heartbeat frequency; everywhere else Prefect's default stays."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Prefect reads its settings when imported: each case runs in a fresh interpreter.
PROBE = """
from prefect.settings import get_current_settings
from flows.settings import watched_flow_run

before = get_current_settings().flows.heartbeat_frequency
with watched_flow_run() as settings:
    inside = get_current_settings().flows.heartbeat_frequency
    assert settings.flows.heartbeat_frequency == inside
after = get_current_settings().flows.heartbeat_frequency
print(repr((before, inside, after)))
"""


def _frequencies(tmp_path: Path, **env: str) -> tuple[int | None, int | None, int | None]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MIGWATCH_"))}
    clean.update(PREFECT_HOME=str(tmp_path / "prefect"), **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    before, inside, after = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    return before, inside, after


def test_heartbeats_are_off_inside_and_on_by_default_outside(tmp_path: Path) -> None:
    assert _frequencies(tmp_path) == (180, None, 180)


@pytest.mark.parametrize(
    "variable", ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"]
)
def test_a_frequency_the_user_set_still_wins(tmp_path: Path, variable: str) -> None:
    assert _frequencies(tmp_path, **{variable: "60"}) == (60, 60, 60)


def test_a_frequency_in_the_prefect_profile_still_wins(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "mine"\n[profiles.mine]\nPREFECT_FLOWS_HEARTBEAT_FREQUENCY = "45"\n')
    assert _frequencies(tmp_path, PREFECT_PROFILES_PATH=str(profiles)) == (45, 45, 45)
