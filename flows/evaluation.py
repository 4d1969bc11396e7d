"""Measure the classifier on a labelled evaluation set (JSON Lines).

    python -m flows.evaluation eval/cases.jsonl [--topic FILE] [--check] [--verbose]

Each line: id, lang, title, summary, relevant (bool), visits ([{minister, destination, status}]),
figures ([int]). Prints precision, recall and F1 for relevance and visits (a visit matches on the
same minister and destination), precision and recall for figures (matched by count within an item),
overall and per language, then the ids that were got wrong. `--check` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitors.classify.classifier import classify
from monitors.classify.topic import Topic, load_topic
from monitors.errors import InputError, MigwatchError
from monitors.models import FeedItem

TARGETS = {
    "relevance_f1": 0.95,
    "visit_f1": 0.90,
    "figure_precision": 0.95,
    "figure_recall": 0.90,
}


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn


@dataclass(slots=True)
class Scores:
    relevance: Tally = field(default_factory=Tally)
    visits: Tally = field(default_factory=Tally)
    figures: Tally = field(default_factory=Tally)


@dataclass(slots=True)
class Report:
    overall: Scores = field(default_factory=Scores)
    by_language: dict[str, Scores] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(
        default_factory=lambda: {"relevance": [], "visits": [], "figures": []}
    )
    details: list[str] = field(default_factory=list)
    cases: int = 0


def load_cases(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number}: not JSON: {exc.msg}") from exc
        if not isinstance(case, dict) or not {"id", "title", "relevant"} <= case.keys():
            raise InputError(f"{path}: line {number}: needs at least id, title and relevant")
        cases.append(case)
    if not cases:
        raise InputError(f"{path}: no cases")
    return cases


def canonical_place(topic: Topic, name: str) -> str:
    """A destination as the gazetteer names it ("Roma" -> "Rome"); unknown names stay as written."""
    entity = topic.entity_by_alias.get(name)
    if entity is not None and entity.place is not None:
        return entity.place.name
    return name


def evaluate(topic: Topic, cases: list[dict[str, Any]]) -> Report:
    report = Report(cases=len(cases))
    for case in cases:
        item = FeedItem(id=str(case["id"]), title=case["title"], summary=case.get("summary", ""))
        result = classify(topic, item)
        lang = str(case.get("lang", "en"))
        groups = (report.overall, report.by_language.setdefault(lang, Scores()))

        gold_relevant = bool(case["relevant"])
        rel = (
            int(result.relevant and gold_relevant),
            int(result.relevant and not gold_relevant),
            int(gold_relevant and not result.relevant),
        )
        if rel[1] or rel[2]:
            report.wrong["relevance"].append(case["id"])
            report.details.append(
                f"{case['id']}: relevance expected {gold_relevant}, got {result.relevant} "
                f"(score {result.score:.2f})"
            )

        gold_visits = {
            (v["minister"], canonical_place(topic, v["destination"])) for v in case.get("visits", [])
        }
        got_visits = {(v.minister, canonical_place(topic, v.destination)) for v in result.ministerial_visits}
        vis = (
            len(gold_visits & got_visits),
            len(got_visits - gold_visits),
            len(gold_visits - got_visits),
        )
        if vis[1] or vis[2]:
            report.wrong["visits"].append(case["id"])
            report.details.append(
                f"{case['id']}: visits expected {sorted(gold_visits)}, got {sorted(got_visits)}"
            )

        # A count told twice (headline and body) is one figure.
        gold_figures = {int(n) for n in case.get("figures", [])}
        got_figures = {f.count for f in result.crossing_figures}
        fig = (
            len(gold_figures & got_figures),
            len(got_figures - gold_figures),
            len(gold_figures - got_figures),
        )
        if fig[1] or fig[2]:
            report.wrong["figures"].append(case["id"])
            report.details.append(
                f"{case['id']}: figures expected {sorted(gold_figures)}, got {sorted(got_figures)}"
            )

        for scores in groups:
            scores.relevance.add(*rel)
            scores.visits.add(*vis)
            scores.figures.add(*fig)
    return report


def _line(label: str, scores: Scores) -> str:
    r, v, f = scores.relevance, scores.visits, scores.figures
    return (
        f"{label:<8} relevance P {r.precision:.3f} R {r.recall:.3f} F1 {r.f1:.3f} | "
        f"visits P {v.precision:.3f} R {v.recall:.3f} F1 {v.f1:.3f} | "
        f"figures P {f.precision:.3f} R {f.recall:.3f}"
    )


def render(report: Report, *, verbose: bool) -> str:
    lines = [f"{report.cases} cases"]
    lines.append(_line("overall", report.overall))
    for lang in sorted(report.by_language):
        lines.append(_line(lang, report.by_language[lang]))
    for what, ids in report.wrong.items():
        lines.append(f"wrong {what} ({len(ids)}): {', '.join(ids) if ids else '-'}")
    if verbose:
        lines.extend(report.details)
    return "\n".join(lines)


def missed_targets(report: Report) -> list[str]:
    o = report.overall
    measured = {
        "relevance_f1": o.relevance.f1,
        "visit_f1": o.visits.f1,
        "figure_precision": o.figures.precision,
        "figure_recall": o.figures.recall,
    }
    return [f"{k} {measured[k]:.3f} < {t}" for k, t in TARGETS.items() if measured[k] < t]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.evaluation", description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, help="labelled cases, JSON Lines")
    parser.add_argument("--topic", type=Path, help="topic file (default: the built-in topic)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--verbose", "-v", action="store_true", help="say what was wrong in each case")
    args = parser.parse_args(argv)
    try:
        topic = load_topic(args.topic)
        report = evaluate(topic, load_cases(args.cases))
    except MigwatchError as exc:
        print(f"migwatch: {exc}", file=sys.stderr)
        return 2
    print(render(report, verbose=args.verbose))
    missed = missed_targets(report)
    if missed:
        print("below target: " + "; ".join(missed))
        return 1 if args.check else 0
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
