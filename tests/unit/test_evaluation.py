"""`python -m flows.evaluation`: precision, recall and F1 from labelled cases, with the real
classifier, and a --check that fails below target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
