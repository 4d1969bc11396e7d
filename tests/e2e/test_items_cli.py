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
    assert "6 item(s); * = relevant" in table
    assert "Sunny spells" in table


def test_help_lists_every_command(cli_env: dict[str, str]) -> None:
    result = run_cli(["--help"], cli_env)
    assert result.returncode == 0
    for command in ("replay", "classify", "digest", "items"):
        assert command in result.stdout
