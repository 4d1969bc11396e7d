"""`python -m flows.evaluation`: precision, recall and F1 from labelled cases, with the real
classifier, and a --check that fails below target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.eval_sets import real_sets
from flows.evaluation import evaluate, load_cases, missed_targets
from monitors.classify.topic import load_topic

ROOT = Path(__file__).resolve().parents[2]

ON_TOPIC = {
    "id": "t-1",
    "lang": "en",
    "title": "Cooper meets Piantedosi in Rome on small boats",
    "summary": "Yvette Cooper met Matteo Piantedosi in Rome to discuss irregular migration. More than "
    "30,000 people have crossed the Channel in small boats so far this year.",
    "relevant": True,
    "visits": [{"minister": "Yvette Cooper", "destination": "Roma", "status": "done"}],
    "figures": [30000],
}
OFF_TOPIC = {
    "id": "t-2",
    "lang": "it",
    "title": "Serie A, l'Inter vince il derby",
    "summary": "L'Inter ha battuto il Milan per 2 a 1.",
    "relevant": False,
    "visits": [],
    "figures": [],
}


def _write(tmp_path: Path, cases: list[dict[str, object]]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


def test_scores_count_hits_misses_and_false_alarms(tmp_path: Path) -> None:
    wrong = dict(OFF_TOPIC, id="t-3", relevant=True, figures=[5])  # a label the classifier cannot meet
    report = evaluate(load_topic(), load_cases(_write(tmp_path, [ON_TOPIC, OFF_TOPIC, wrong])))
    o = report.overall
    assert (o.relevance.tp, o.relevance.fp, o.relevance.fn) == (1, 0, 1)
    assert (o.visits.tp, o.visits.fp, o.visits.fn) == (1, 0, 0)  # "Roma" is the gazetteer's Rome
    assert (o.figures.tp, o.figures.fp, o.figures.fn) == (1, 0, 1)
    assert report.wrong["relevance"] == ["t-3"]
    assert set(report.by_language) == {"en", "it"}
    assert any("relevance" in m for m in missed_targets(report))


def test_check_flag_fails_below_target_and_passes_above(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "flows.evaluation"]
    good = _write(tmp_path, [ON_TOPIC, OFF_TOPIC])
    run = subprocess.run([*command, str(good), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "relevance P 1.000 R 1.000 F1 1.000" in run.stdout
    bad = _write(tmp_path, [ON_TOPIC, dict(OFF_TOPIC, relevant=True)])
    run = subprocess.run([*command, str(bad), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    assert "below target" in run.stdout
    run = subprocess.run([*command, str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0


def test_unreadable_cases_are_one_line_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "flows.evaluation", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "line 1" in run.stderr


def _real_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus of two entries and labels for them plus two written visit items, one of each
    part: March and November are held out, the rest is development."""
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {
            "id": "c-mar",
            "title": ON_TOPIC["title"],
            "summary": ON_TOPIC["summary"],
            "published": "2022-03-04T10:00:00+00:00",
            "language": "en",
        },
        {
            "id": "c-apr",
            "title": OFF_TOPIC["title"],
            "summary": OFF_TOPIC["summary"],
            "published": "2022-04-04T10:00:00+00:00",
            "language": "other",
        },
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    folder = tmp_path / "eval"
    folder.mkdir()
    cooper_rome = {"minister": "Yvette Cooper", "destination": "Rome", "counterpart": None, "status": "done"}
    labels = [
        {
            "id": "c-mar",
            "relevant": True,
            "visits": [cooper_rome],
            "figures": [{"count": 30000, "route": "channel", "period": "year_to_date", "year": 2022}],
        },
        # A trip inside the minister's own country, and one outside the UK and Italy: not UK–Italy visits.
        {
            "id": "c-apr",
            "relevant": False,
            "visits": [
                {"minister": "Yvette Cooper", "destination": "Dover", "status": "done"},
                {"minister": "Yvette Cooper", "destination": "Sharm el-Sheikh", "status": "done"},
            ],
            "figures": [],
        },
    ]
    (folder / "news_2022.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels), encoding="utf-8")
    written = [
        dict(
            ON_TOPIC,
            id="w-nov",
            date="2024-11-05",
            visits=[cooper_rome, dict(cooper_rome, destination="Italy")],
            figures=[{"count": 30000, "route": "channel", "period": "year", "year": 2024}],
        ),
        dict(OFF_TOPIC, id="w-dec", date="2024-12-05", figures=[]),
    ]
    (folder / "visits_en.jsonl").write_text("".join(json.dumps(r) + "\n" for r in written), encoding="utf-8")
    return corpus, folder


def test_real_items_split_by_month_and_join_the_corpus_on_id(tmp_path: Path) -> None:
    corpus, folder = _real_folder(tmp_path)
    dev, held = real_sets(load_topic(), corpus, folder)
    assert [c.id for c in held.cases] == ["c-mar", "w-nov"]
    assert [c.id for c in dev.cases] == ["c-apr", "w-dec"]
    assert held.cases[0].title == ON_TOPIC["title"]  # the text comes from the corpus
    assert dev.cases[0].lang == "other"


def test_only_uk_italy_trips_count_and_a_country_gives_way_to_a_place_in_it(tmp_path: Path) -> None:
    corpus, folder = _real_folder(tmp_path)
    dev, held = real_sets(load_topic(), corpus, folder)
    assert dev.cases[0].visits == frozenset()  # Dover (home) and Sharm el-Sheikh (elsewhere) dropped
    assert held.cases[1].visits == {("Yvette Cooper", "Rome")}  # "Italy" and "Rome" are one trip


def test_a_figure_matches_on_count_and_period(tmp_path: Path) -> None:
    corpus, folder = _real_folder(tmp_path)
    _, held = real_sets(load_topic(), corpus, folder)
    report = evaluate(load_topic(), held.cases, held.name)
    # c-mar: 30,000 "so far this year" is year to date, as labelled; w-nov's label says a whole year.
    assert (report.overall.figures.tp, report.overall.figures.fp, report.overall.figures.fn) == (1, 1, 1)
    assert report.wrong["figures"] == ["w-nov"]


def test_an_item_moved_to_development_leaves_the_held_out_part(tmp_path: Path) -> None:
    corpus, folder = _real_folder(tmp_path)
    (folder / "moved_to_dev.txt").write_text(
        "# id reason\nw-nov looked at its visit error\n", encoding="utf-8"
    )
    dev, held = real_sets(load_topic(), corpus, folder)
    assert [c.id for c in held.cases] == ["c-mar"]
    assert "w-nov" in {c.id for c in dev.cases}


def test_hidden_heldout_errors_leave_the_numbers_and_no_id(tmp_path: Path) -> None:
    bad = _write(tmp_path, [ON_TOPIC, dict(OFF_TOPIC, relevant=True)])
    command = [sys.executable, "-m", "flows.evaluation", str(bad), "-v"]
    shown = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert "wrong relevance (1): t-2" in shown.stdout
    hidden = subprocess.run([*command, "--hide-heldout-errors"], capture_output=True, text=True, cwd=ROOT)
    assert hidden.returncode == 0, hidden.stderr
    assert "relevance P 1.000 R 0.500 F1 0.667" in hidden.stdout
    assert "t-2" not in hidden.stdout and "t-1" not in hidden.stdout
    assert "below target" in hidden.stdout
