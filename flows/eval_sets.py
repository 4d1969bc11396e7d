"""The evaluation sets: labelled items read into one shape, the real ones split by time.

Four sets (see README "Measuring the classifier"):
- `written` (eval/cases.jsonl) and `written-holdout` (eval/holdout.jsonl): items written for the
  classifier, figures labelled by count only;
- `real-dev` and `real-heldout`: the hand labels of real 2022 feed entries (eval/news_2022.jsonl,
  joined on id with the shared corpus, which holds the text) and the visit items written from real
  2023–2026 reporting (eval/visits_it.jsonl, eval/visits_en.jsonl). An item is held out when its
  month (the corpus `published`, the written item's `date`) is March, July or November, unless
  eval/moved_to_dev.txt moves it to development (one id per line, then the reason).

Visits follow one convention on every set: only a UK–Italy trip counts (a UK minister at a place in
Italy, an Italian minister at a place in the UK), with destinations mapped through the topic file's
places. A labelled trip elsewhere (Sharm el-Sheikh, Kyiv, Dover) is dropped from the gold. A whole
country ("to Italy") counts as a destination only when the item names no place in that country for
the same minister: "Italy" and "Lampedusa" for one trip are one visit, to Lampedusa.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from monitors.classify.topic_model import Topic
from monitors.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
CORPUS = ROOT.parent / "shared" / "corpus" / "news" / "rss-link-database-2022.jsonl"
HELD_OUT_MONTHS = frozenset({3, 7, 11})
OTHER_SIDE = {"uk": "it", "it": "uk"}


@dataclass(frozen=True, slots=True)
class GoldFigure:
    count: int
    period: str | None  # None: not labelled (written sets) or no stated span (real sets)
    year: int | None


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    lang: str
    title: str
    summary: str
    published: date | None
    relevant: bool
    visits: frozenset[tuple[str, str]]  # (minister, destination as the topic names it)
    figures: tuple[GoldFigure, ...]
    figures_have_period: bool  # False: score figures by count only


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    cases: tuple[Case, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict) or not {"id", "relevant"} <= row.keys():
            raise InputError(f"{path}: line {number}: needs at least id and relevant")
        rows.append(row)
    return rows


def canonical_place(topic: Topic, name: str) -> str:
    """A destination as the gazetteer names it ("Roma" -> "Rome"); unknown names stay as written."""
    entity = topic.entity_by_alias.get(name)
    if entity is not None and entity.place is not None:
        return entity.place.name
    return name


def uk_italy_visits(topic: Topic, labelled: list[dict[str, Any]]) -> frozenset[tuple[str, str]]:
    """The labelled visits that count under the UK–Italy convention (module docstring)."""
    country_of = {p.name: p.country for p in topic.people}
    kept: list[tuple[str, str, str, bool]] = []
    for visit in labelled:
        minister, written = str(visit["minister"]), str(visit["destination"])
        entity = topic.entity_by_alias.get(written)
        place = entity.place if entity is not None else None
        if place is None or place.country not in OTHER_SIDE:
            continue  # a trip outside the UK and Italy, or to a place the topic does not know
        side = country_of.get(minister)
        if side is not None and OTHER_SIDE[side] != place.country:
            continue  # a trip inside the minister's own country
        kept.append((minister, place.name, place.country, place.country_only))
    towns = {(m, c) for m, _, c, only in kept if not only}
    return frozenset((m, name) for m, name, c, only in kept if not only or (m, c) not in towns)


def _figures(raw: list[Any]) -> tuple[tuple[GoldFigure, ...], bool]:
    if all(isinstance(f, int) for f in raw):
        return tuple(GoldFigure(int(f), None, None) for f in raw), False
    figures = tuple(GoldFigure(int(f["count"]), f.get("period"), f.get("year")) for f in raw)
    return figures, True


def _day(value: str | None) -> date | None:
    return datetime.fromisoformat(value).date() if value else None


def case_of(topic: Topic, row: dict[str, Any], text: dict[str, Any] | None = None) -> Case:
    """One labelled row as a Case; `text`: the corpus row that holds a real entry's text."""
    source = text or row
    figures, with_period = _figures(list(row.get("figures", [])))
    lang = str(source.get("lang") or source.get("language") or "en")
    return Case(
        id=str(row["id"]),
        lang=lang if lang in ("en", "it") else "other",
        title=str(source.get("title") or ""),
        summary=str(source.get("summary") or ""),
        published=_day(source.get("published") or source.get("date")),
        relevant=bool(row["relevant"]),
        visits=uk_italy_visits(topic, list(row.get("visits", []))),
        figures=figures,
        figures_have_period=with_period,
    )


def written_set(topic: Topic, path: Path, name: str | None = None) -> EvalSet:
    rows = read_jsonl(path)
    if not rows:
        raise InputError(f"{path}: no cases")
    for number, row in enumerate(rows, start=1):
        if "title" not in row:
            raise InputError(f"{path}: line {number}: needs at least id, title and relevant")
    return EvalSet(name or path.stem, tuple(case_of(topic, row) for row in rows))


def moved_to_dev(path: Path) -> dict[str, str]:
    """Held-out ids moved to development, each with the reason it was looked at."""
    if not path.exists():
        return {}
    moved = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            item_id, _, reason = line.strip().partition(" ")
            moved[item_id] = reason.strip()
    return moved


def real_sets(topic: Topic, corpus: Path = CORPUS, folder: Path = EVAL) -> tuple[EvalSet, EvalSet]:
    """The real development and held-out sets (module docstring)."""
    by_id = {str(r["id"]): r for r in _corpus_rows(corpus)}
    cases: list[Case] = []
    for row in read_jsonl(folder / "news_2022.jsonl"):
        text = by_id.get(str(row["id"]))
        if text is None:
            raise InputError(f"{corpus}: no entry {row['id']} (labelled in news_2022.jsonl)")
        cases.append(case_of(topic, row, text))
    for name in ("visits_it.jsonl", "visits_en.jsonl"):
        if (folder / name).exists():
            cases.extend(case_of(topic, row) for row in read_jsonl(folder / name))
    moved = moved_to_dev(folder / "moved_to_dev.txt")
    held = [
        c
        for c in cases
        if c.published is not None and c.published.month in HELD_OUT_MONTHS and c.id not in moved
    ]
    held_ids = {c.id for c in held}
    dev = [c for c in cases if c.id not in held_ids]
    return EvalSet("real-dev", tuple(dev)), EvalSet("real-heldout", tuple(held))


def _corpus_rows(corpus: Path) -> list[dict[str, Any]]:
    try:
        lines = corpus.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{corpus}: cannot read the news corpus: {exc.strerror}") from exc
    return [json.loads(line) for line in lines if line.strip()]
