"""The README is part of the contract: every CLI option is documented and its examples run."""

from __future__ import annotations

import argparse
import json
import re
import shlex

from flows.cli import build_parser
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_is_in_the_readme() -> None:
    missing = []
    for name, sub in _subcommands().items():
        if f"migwatch {name}" not in README:
            missing.append(f"migwatch {name}")
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and option not in README:
                    missing.append(f"{name} {option}")
    assert not missing, f"undocumented in README.md: {missing}"


def test_the_readme_classify_example_says_what_the_readme_shows(cli_env: dict[str, str]) -> None:
    line = next(x for x in README.splitlines() if x.startswith("$ echo") and "migwatch classify" in x)
    payload = shlex.split(line.removeprefix("$ ").split("|")[0])[1]
    result = run_cli(["classify"], cli_env, stdin=payload + "\n")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    shown = README[README.index(line) + len(line) :].splitlines()[1]
    assert f'"score": {answer["score"]}' in shown
    assert answer["relevant"] is True
    assert [f["count"] for f in answer["crossing_figures"]] == [
        int(n) for n in re.findall(r'"count": (\d+)', shown)
    ]
    assert answer["ministerial_visits"][0]["minister"] in shown
