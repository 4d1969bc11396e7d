"""Measure the classifier on labelled evaluation sets.

    python -m flows.evaluation [FILE ...] [--corpus FILE] [--topic FILE] [--check] [--verbose]
                               [--hide-heldout-errors]

With no FILE: every set (flows/eval_sets.py): the written cases, the written holdout, and the real
items split by time into development and held-out parts. With FILEs: each as a written set. For
each set, overall and per language: precision, recall and F1 for relevance and for visits (a visit
matches on minister and destination), precision and recall for crossing figures (a figure matches
on count and period; on sets labelled by count only, on count), how many figures also carry the
labelled year, then the ids got wrong. `--check` exits 1 when a target is missed on a checked set
(the real held-out part, or the FILEs given), in any language. `--hide-heldout-errors` prints
only the numbers of the held-out sets (the written holdout and the real held-out part, or the FILEs
given), not the ids got wrong nor `--verbose`'s details: for tuning, so that no held-out item is read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.eval_sets import CORPUS, EVAL, Case, EvalSet, canonical_place, case_of, real_sets, written_set
from monitors.classify.classifier import classify
from monitors.classify.topic import Topic, load_topic
from monitors.errors import MigwatchError
from monitors.models import Classification, FeedItem

TARGETS = {
    "relevance_f1": 0.95,
    "visit_f1": 0.92,
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
    items: int = 0
    relevance: Tally = field(default_factory=Tally)
    visits: Tally = field(default_factory=Tally)
    figures: Tally = field(default_factory=Tally)
    year_right: int = 0  # matched figures whose labelled year the classifier also gives
    year_labelled: int = 0  # matched figures with a labelled year


@dataclass(slots=True)
class Report:
    name: str = ""
    overall: Scores = field(default_factory=Scores)
    by_language: dict[str, Scores] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(
        default_factory=lambda: {"relevance": [], "visits": [], "figures": []}
    )
    details: list[str] = field(default_factory=list)
    cases: int = 0


def load_cases(path: Path) -> list[Case]:
    """A written set's cases (kept for callers of the one-file form)."""
    return list(written_set(load_topic(), path).cases)


def item_of(case: Case) -> FeedItem:
    published = (
        datetime(case.published.year, case.published.month, case.published.day) if case.published else None
    )
    return FeedItem(id=case.id, title=case.title, summary=case.summary, published=published)


def evaluate(topic: Topic, cases: Iterable[Case | dict[str, Any]], name: str = "") -> Report:
    report = Report(name=name)
    for raw in cases:
        case = raw if isinstance(raw, Case) else case_of(topic, raw)
        report.cases += 1
        result = classify(topic, item_of(case))
        groups = (report.overall, report.by_language.setdefault(case.lang, Scores()))
        rel = _relevance(report, case, result)
        vis = _visits(topic, report, case, result)
        fig, years = _figures(report, case, result)
        for scores in groups:
            scores.items += 1
            scores.relevance.add(*rel)
            scores.visits.add(*vis)
            scores.figures.add(*fig)
            scores.year_right += years[0]
            scores.year_labelled += years[1]
    return report


def _relevance(report: Report, case: Case, result: Classification) -> tuple[int, int, int]:
    gold, got = case.relevant, result.relevant
    counts = (int(got and gold), int(got and not gold), int(gold and not got))
    if counts[1] or counts[2]:
        report.wrong["relevance"].append(case.id)
        report.details.append(f"{case.id}: relevance expected {gold}, got {got} (score {result.score:.2f})")
    return counts


def _visits(topic: Topic, report: Report, case: Case, result: Classification) -> tuple[int, int, int]:
    gold = set(case.visits)
    got = {(v.minister, canonical_place(topic, v.destination)) for v in result.ministerial_visits}
    counts = (len(gold & got), len(got - gold), len(gold - got))
    if counts[1] or counts[2]:
        report.wrong["visits"].append(case.id)
        report.details.append(f"{case.id}: visits expected {sorted(gold)}, got {sorted(got)}")
    return counts


def _figures(
    report: Report, case: Case, result: Classification
) -> tuple[tuple[int, int, int], tuple[int, int]]:
    """Figure tallies (a count told twice, headline and body, is one figure) and year agreement."""
    if case.figures_have_period:
        gold: set[tuple[int, str | None]] = {(f.count, f.period) for f in case.figures}
        got: set[tuple[int, str | None]] = {(f.count, f.period) for f in result.crossing_figures}
    else:
        gold = {(f.count, None) for f in case.figures}
        got = {(f.count, None) for f in result.crossing_figures}
    counts = (len(gold & got), len(got - gold), len(gold - got))
    if counts[1] or counts[2]:
        report.wrong["figures"].append(case.id)
        report.details.append(
            f"{case.id}: figures expected {sorted(gold, key=str)}, got {sorted(got, key=str)}"
        )
    got_years: dict[tuple[int, str | None], int] = {
        (f.count, f.period): f.year for f in result.crossing_figures if f.year is not None
    }
    labelled = [f for f in case.figures if f.year is not None and (f.count, f.period) in got]
    right = sum(int(got_years.get((f.count, f.period)) == f.year) for f in labelled)
    if right < len(labelled):
        report.details.append(f"{case.id}: figure years expected {[(f.count, f.year) for f in labelled]}")
    return counts, (right, len(labelled))


def _line(label: str, scores: Scores) -> str:
    r, v, f = scores.relevance, scores.visits, scores.figures
    years = f" years {scores.year_right}/{scores.year_labelled}" if scores.year_labelled else ""
    return (
        f"{label:<8} relevance P {r.precision:.3f} R {r.recall:.3f} F1 {r.f1:.3f} | "
        f"visits P {v.precision:.3f} R {v.recall:.3f} F1 {v.f1:.3f} | "
        f"figures P {f.precision:.3f} R {f.recall:.3f}{years}"
    )


def _sizes(scores: Scores) -> str:
    return (
        f"{scores.items} items, {scores.relevance.tp + scores.relevance.fn} relevant, "
        f"{scores.visits.tp + scores.visits.fn} visits, {scores.figures.tp + scores.figures.fn} figures"
    )


def render(report: Report, *, verbose: bool, hide_errors: bool = False) -> str:
    """The report's numbers, then the ids got wrong (and with `verbose` what was wrong in each);
    `hide_errors` leaves the ids and details out, as for a held-out set while tuning."""
    lines = [f"{report.name + ': ' if report.name else ''}{report.cases} cases"]
    lines.append(_line("overall", report.overall))
    for lang in sorted(report.by_language):
        lines.append(_line(lang, report.by_language[lang]))
    for lang in sorted(report.by_language):
        lines.append(f"  {lang}: {_sizes(report.by_language[lang])}")
    if hide_errors:
        lines.append("wrong ids: hidden (--hide-heldout-errors)")
        return "\n".join(lines)
    for what, ids in report.wrong.items():
        lines.append(f"wrong {what} ({len(ids)}): {', '.join(ids) if ids else '-'}")
    if verbose:
        lines.extend(report.details)
    return "\n".join(lines)


def _measured(scores: Scores) -> dict[str, float]:
    return {
        "relevance_f1": scores.relevance.f1,
        "visit_f1": scores.visits.f1,
        "figure_precision": scores.figures.precision,
        "figure_recall": scores.figures.recall,
    }


def missed_targets(report: Report) -> list[str]:
    """Targets missed overall or in a language (English and Italian; other languages are too few)."""
    groups = [("overall", report.overall)] + [
        (lang, s) for lang, s in sorted(report.by_language.items()) if lang in ("en", "it")
    ]
    missed = []
    for label, scores in groups:
        measured = _measured(scores)
        missed += [f"{label} {k} {measured[k]:.3f} < {t}" for k, t in TARGETS.items() if measured[k] < t]
    return missed


@dataclass(frozen=True, slots=True)
class _Run:
    """A set to report: `checked` against the targets; `held_out` from tuning."""

    cases: EvalSet
    checked: bool
    held_out: bool


def _sets(args: argparse.Namespace, topic: Topic) -> list[_Run]:
    if args.cases:
        return [_Run(written_set(topic, path), True, True) for path in args.cases]
    dev, held = real_sets(topic, args.corpus, EVAL)
    return [
        _Run(written_set(topic, EVAL / "cases.jsonl", "written"), False, False),
        _Run(written_set(topic, EVAL / "holdout.jsonl", "written-holdout"), False, True),
        _Run(dev, False, False),
        _Run(held, True, True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.evaluation", description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, nargs="*", help="labelled cases, JSON Lines (default: every set)")
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="the news corpus the real labels are keyed to"
    )
    parser.add_argument("--topic", type=Path, help="topic file (default: the built-in topic)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--verbose", "-v", action="store_true", help="say what was wrong in each case")
    parser.add_argument(
        "--hide-heldout-errors",
        action="store_true",
        help="print only the numbers of held-out sets, not their ids got wrong (for tuning)",
    )
    args = parser.parse_args(argv)
    try:
        topic = load_topic(args.topic)
        reports = [(evaluate(topic, run.cases.cases, run.cases.name), run) for run in _sets(args, topic)]
    except MigwatchError as exc:
        print(f"migwatch: {exc}", file=sys.stderr)
        return 2
    missed: list[str] = []
    for report, run in reports:
        hide = args.hide_heldout_errors and run.held_out
        print(render(report, verbose=args.verbose, hide_errors=hide))
        if run.checked:
            missed += [f"{report.name}: {m}" if report.name else m for m in missed_targets(report)]
        print()
    if missed:
        print("below target: " + "; ".join(missed))
        return 1 if args.check else 0
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
