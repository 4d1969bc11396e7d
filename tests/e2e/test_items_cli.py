"""`migwatch items` and `--help`: the light commands, which never start Prefect."""

from __future__ import annotations

import csv
import io
import json

from flows.pipeline import classify_fixtures, store_and_group
from monitors.classify.classifier import classify
from monitors.classify.topic import load_topic
from monitors.models import FeedItem
from storage import store
from storage.engine import open_engine
from tests.conftest import SEEDS, run_cli


def _stored(url: str) -> None:
    engine = open_engine(url)
    entries = classify_fixtures(load_topic(), [SEEDS], progress=lambda _: None)
    store_and_group(engine, "file:seeds", entries, 1)
    off_topic = FeedItem(id="weather-1", title="Sunny spells for the weekend", summary="Rain later.")
    source = store.ensure_feeds(engine, [("https://example.org/weather.xml", None)])[
        "https://example.org/weather.xml"
    ]
    row = store.storable("weather-1", off_topic, classify(load_topic(), off_topic))
    store.store_items(engine, [(source.source_id, row)])
    engine.dispose()


def test_items_json_csv_and_table_agree(sqlite_url: str, cli_env: dict[str, str]) -> None:
    _stored(sqlite_url)
    as_json = json.loads(run_cli(["items", "--db", sqlite_url, "--format", "json"], cli_env).stdout)
    assert isinstance(as_json, list) and len(as_json) == 6
    relevant = json.loads(
        run_cli(["items", "--db", sqlite_url, "--format", "json", "--relevant"], cli_env).stdout
    )
    assert len(relevant) == 5 and all(item["relevant"] for item in relevant)
    rows = list(
        csv.DictReader(io.StringIO(run_cli(["items", "--db", sqlite_url, "--format", "csv"], cli_env).stdout))
    )
    assert [row["title"] for row in rows] == [item["title"] for item in as_json]
    table = run_cli(["items", "--db", sqlite_url], cli_env).stdout
    assert "6 item(s), newest first; * = relevant" in table
    assert "Sunny spells" in table


def test_help_lists_every_command(cli_env: dict[str, str]) -> None:
    result = run_cli(["--help"], cli_env)
    assert result.returncode == 0
    for command in ("replay", "classify", "digest", "items"):
        assert command in result.stdout


def _json(args: list[str], url: str, env: dict[str, str]) -> object:
    result = run_cli(["items", "--db", url, "--format", "json", *args], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _dated(item: dict[str, str]) -> str:
    return item["published"] or item["first_seen"]


def test_items_newest_first_with_header_date_and_outlet_and_the_filters(
    sqlite_url: str, cli_env: dict[str, str]
) -> None:
    _stored(sqlite_url)
    every = _json([], sqlite_url, cli_env)
    assert isinstance(every, list)
    dates = [_dated(item) for item in every]
    assert dates == sorted(dates, reverse=True)

    table = run_cli(["items", "--db", sqlite_url], cli_env).stdout.splitlines()
    assert table[0].split() == ["ID", "REL", "SCORE", "PUBLISHED", "OUTLET", "FIG", "VIS", "TITLE"]
    by_id = {line.split()[0]: line for line in table[1:-1]}
    for item in every:
        line = by_id[str(item["id"])]
        assert (item["published"] or "-")[:10] in line
        assert item["source"].startswith("https://") or item["source"][:23] in line
    # an outlet known only by its feed URL is shown by its host
    assert "example.org " in by_id[str(next(i["id"] for i in every if i["title"].startswith("Sunny")))]

    dated = [item for item in every if item["published"]]
    cutoff = sorted(_dated(item) for item in dated)[1][:10]  # keeps all but the oldest dated item
    recent = _json(["--since", cutoff], sqlite_url, cli_env)
    assert [i["id"] for i in recent] == [i["id"] for i in every if _dated(i)[:10] >= cutoff]
    assert len(recent) == len(every) - 1
    assert [i["id"] for i in _json(["--limit", "2"], sqlite_url, cli_env)] == [i["id"] for i in every[:2]]
    cleverly = {i["id"] for i in _json(["--match", "CLEVERLY"], sqlite_url, cli_env)}
    engine = open_engine(sqlite_url)
    texts = {row.id: f"{row.title} {row.summary} {row.content}".lower() for row in store.list_items(engine)}
    engine.dispose()
    assert cleverly == {key for key, text in texts.items() if "cleverly" in text}
    assert 0 < len(cleverly) < len(every)
    assert _json(["--match", "no such words anywhere"], sqlite_url, cli_env) == []
    assert _json(["--since", "1h", "--match", "Sunny"], sqlite_url, cli_env) != []

    rows = list(
        csv.DictReader(
            io.StringIO(
                run_cli(["items", "--db", sqlite_url, "--format", "csv", "--explain"], cli_env).stdout
            )
        )
    )
    assert [row["first_seen"] for row in rows] == [item["first_seen"] for item in every]
    assert all(row["explanation"] for row in rows if row["relevant"] == "True")


def test_one_item_whole_with_its_explanation_figures_and_visits(
    sqlite_url: str, cli_env: dict[str, str]
) -> None:
    _stored(sqlite_url)
    every = _json([], sqlite_url, cli_env)
    assert isinstance(every, list)
    chosen = next(i for i in every if i["crossing_figures"] and i["ministerial_visits"])
    whole = _json(["--id", str(chosen["id"]), "--explain"], sqlite_url, cli_env)
    assert isinstance(whole, dict)
    assert whole["title"] == chosen["title"] and whole["content"]
    assert [f["count"] for f in whole["crossing_figures"]] == chosen["crossing_figures"]
    assert whole["explanation"] and {"rule", "match", "where", "weight"} <= set(whole["explanation"][0])

    shown = run_cli(["items", "--db", sqlite_url, "--id", str(chosen["id"]), "--explain"], cli_env)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith(f"Item {chosen['id']}: {chosen['title']}\n")
    assert f"Crossing figures ({len(whole['crossing_figures'])}):" in text
    assert f"{whole['crossing_figures'][0]['count']:,}" in text
    assert f"Ministerial visits ({len(whole['ministerial_visits'])}):" in text
    assert whole["ministerial_visits"][0]["minister"] in text
    assert f"Why: the rules that fired ({len(whole['explanation'])})" in text
    assert all(hit["rule"] in text for hit in whole["explanation"])
    assert "\nText:\n" in text
    plain = run_cli(["items", "--db", sqlite_url, "--id", str(chosen["id"])], cli_env).stdout
    assert "Why:" not in plain and "Crossing figures" in plain


def test_items_mistakes_are_one_line(sqlite_url: str, cli_env: dict[str, str]) -> None:
    _stored(sqlite_url)
    for args, message in [
        (["--id", "9999"], "no item with id 9999"),
        (["--explain"], "--explain shows why one item matched"),
        (["--since", "last week"], "is neither a date"),
        (["--limit", "0"], "is not 1 or more"),
    ]:
        result = run_cli(["items", "--db", sqlite_url, *args], cli_env)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr.strip().splitlines()[-1]
