"""`migwatch classify`: JSON Lines in, one classification line out per item; stores nothing."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime
from typing import Any

from flows.settings import load_settings
from monitors.errors import InputError


def _parse_published(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("'published' must be an ISO 8601 string")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"'published' is not a date: {value!r}") from exc


def _item_from_json(data: Any) -> Any:
    from monitors.models import FeedItem

    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    for key in ("id", "title"):
        if key not in data or data[key] in (None, ""):
            raise ValueError(f"'{key}' is required")
    for key in ("summary", "content", "url", "source"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"'{key}' must be a string")
    return FeedItem(
        id=str(data["id"]),
        title=str(data["title"]),
        summary=data.get("summary") or "",
        content=data.get("content") or "",
        url=data.get("url"),
        published=_parse_published(data.get("published")),
        source=data.get("source"),
    )


def _open(file: str) -> io.TextIOBase | Any:
    if file == "-":
        return sys.stdin
    try:
        return open(file, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from exc


def _classified_line(topic: Any, item: Any, explain: bool) -> str:
    from monitors.classify.classifier import classify

    result = classify(topic, item)
    out: dict[str, Any] = {"id": item.id}
    data = result.to_dict()
    out.update(
        relevant=result.relevant,
        score=data["score"],
        crossing_figures=data["crossing_figures"],
        ministerial_visits=data["ministerial_visits"],
    )
    if explain:
        out["explanation"] = data["rules"]
    return json.dumps(out, ensure_ascii=False) + "\n"


def cmd_classify(args: argparse.Namespace) -> int:
    from monitors.classify.topic import load_topic

    topic = load_topic(args.topic or load_settings(args.config).topic_file)
    stream = _open(args.file)
    failures = 0
    seen_any = False
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            seen_any = True
            try:
                item = _item_from_json(json.loads(line))
            except (json.JSONDecodeError, ValueError) as exc:
                failures += 1
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                print(f"migwatch: line {number}: skipped: {reason}", file=sys.stderr)
                continue
            sys.stdout.write(_classified_line(topic, item, args.explain))
    if not seen_any:
        raise InputError(
            f"{'standard input' if args.file == '-' else args.file}: no items (expected JSON Lines)"
        )
    if failures:
        print(f"migwatch: {failures} line(s) skipped", file=sys.stderr)
        return 1
    return 0
