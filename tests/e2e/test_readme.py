"""The README is part of the contract: every CLI option is documented and its examples run."""

from __future__ import annotations

import argparse
import json
import re
import shlex

from flows.cli import build_parser
from tests.conftest import ROOT, run_cli
from tests.support.digest import email_url, smtp_server
from tests.support.feedserver import closed_port

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


def _options(sub: argparse.ArgumentParser) -> set[str]:
    return {option for action in sub._actions for option in action.option_strings if option.startswith("--")}


def test_each_command_heading_shows_only_options_it_takes_and_db_where_it_does() -> None:
    subcommands = _subcommands()
    headings = re.findall(r"^### `migwatch (\w+)([^`]*)`", README, flags=re.MULTILINE)
    assert {name for name, _ in headings} == set(subcommands)
    for name, shown in headings:
        options = _options(subcommands[name])
        assert set(re.findall(r"--[a-z][a-z-]*", shown)) <= options, name
        assert ("--db" in shown) == ("--db" in options), name
    without_db = sorted(name for name, sub in subcommands.items() if "--db" not in _options(sub))
    without_config = sorted(name for name, sub in subcommands.items() if "--config" not in _options(sub))
    assert without_db == ["classify", "notify"] and without_config == ["classify"]
    sentence = " ".join(README.split("## The CLI", 1)[1].split("\n\n", 2)[1].split())
    assert sentence.startswith(
        "Every command but `classify` and `notify` takes `--db URL` (else `MIGWATCH_DATABASE_URL`, "
        "else the config file, else the default SQLite file), and every command but `classify` takes "
        "`--config FILE`; both may also come before the command (`migwatch --config FILE items`)"
    )
    assert {"--version", "--db", "--config"} <= _options(build_parser())


def test_the_version_pins_the_readme_names_are_the_ones_pyproject_pins() -> None:
    pins = dict(re.findall(r'"([a-z-]+)==([0-9][^"]*)"', (ROOT / "pyproject.toml").read_text()))
    versions = README.split("## Versions", 1)[1]
    for name, package in [("Prefect", "prefect"), ("FastAPI", "fastapi"), ("SQLAlchemy", "sqlalchemy")]:
        said = re.search(rf"{name} (\d+\.\d+\.\d+)", versions)
        assert said and said.group(1) == pins[package], name


def test_the_documented_output_shapes_are_what_the_code_writes() -> None:
    from flows.cli.items import CSV_COLUMNS
    from flows.reports import FeedReport, PollReport

    poll = json.loads(README.split("`--format json` prints\n\n```json\n", 1)[1].split("\n```", 1)[0])
    real = PollReport(feeds=[FeedReport("https://a.example/rss", "ok")]).to_dict()
    assert set(poll) == set(real) and set(poll["feeds"][0]) == set(real["feeds"][0])
    columns = re.search(r"one row per item \(`([^`]+)`\)", " ".join(README.split()))
    assert columns and columns.group(1).split(", ") == CSV_COLUMNS


def test_the_readme_replay_example_is_what_a_real_replay_prints(
    cli_env: dict[str, str], sqlite_url: str
) -> None:
    block = README.split("```console\n$ migwatch replay seeds/\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line and line != "..."]
    result = run_cli(["replay", "seeds/", "--db", sqlite_url], cli_env)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    *exact, written = shown
    assert all(line in printed for line in exact), (exact, printed[:8])
    path = (
        re.escape(written)
        .replace(r"/home/you/\.local/share", ".+")
        .replace(r"20261126\-231304", r"\d{8}-\d{6}")
    )
    assert re.fullmatch(path, printed[-1]), (written, printed[-1])
    summary = next(line for line in printed if line.startswith("migwatch digest — ")).removeprefix(
        "migwatch digest — "
    )
    # every place the README quotes the seeds' digest counts quotes what the run says
    quoted = re.findall(r"\d+ stories · \d+ crossing figures · \d+ ministerial\s+visits", README)
    assert quoted and {" ".join(q.split()) for q in quoted} == {summary}


def test_the_readme_notify_example_is_what_a_real_notify_test_prints(cli_env: dict[str, str]) -> None:
    """The example's channels, with its hosts swapped for loopback ones: a real SMTP server for the
    mailto channel (configured), a closed port for the hook (given with --notify)."""
    command = "$ migwatch notify --test --notify 'json://127.0.0.1:8080/hook'\n"
    shown = README.split(f"```console\n{command}", 1)[1].split("```", 1)[0].splitlines()
    with smtp_server() as smtp:
        env = {**cli_env, "MIGWATCH_NOTIFY_URLS": email_url(smtp.port)}
        hook = f"json://127.0.0.1:{closed_port()}/hook"
        result = run_cli(["notify", "--test", "--notify", hook], env)
    assert result.returncode == 4, result.stdout + result.stderr

    def shape(line: str) -> str:  # the URL is the part that names the host
        return re.sub(r"\b(mailto|json)://\S+?(?=: )", r"\1://URL", line)

    assert [shape(line) for line in result.stdout.splitlines()] == [shape(line) for line in shown]
