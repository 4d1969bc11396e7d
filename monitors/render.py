"""Digest -> text, HTML or JSON. Every feed-supplied string is escaped; links are http(s) only."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from monitors.models import Digest

_env = Environment(
    loader=PackageLoader("monitors", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def safe_link(url: str | None) -> str | None:
    """Only http and https links reach a reader; `javascript:` and friends become no link."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def describe_figure(figure: dict[str, Any]) -> str:
    parts = [f"{int(figure['count']):,}"]
    route = figure.get("route")
    if route and route != "other":
        parts.append(f"via {route.replace('_', ' ')}")
    period = figure.get("period")
    if period:
        parts.append(
            f"({period.replace('_', ' ')}{', as of ' + figure['as_of'] if figure.get('as_of') else ''})"
        )
    if figure.get("change"):
        parts.append(f"[{figure['change']}]")
    return " ".join(parts)


def describe_visit(visit: dict[str, Any]) -> str:
    text = f"{visit['minister']}"
    if visit.get("role"):
        text += f" ({visit['role']})"
    text += f" in {visit['destination']}"
    if visit.get("counterpart"):
        text += f", meeting {visit['counterpart']}"
    if visit.get("date"):
        text += f", {visit['date']}"
    text += f" [{visit.get('status', 'done')}]"
    return text


def render_text(digest: Digest) -> str:
    if not digest.stories:
        return "No new stories with crossing figures or ministerial visits.\n"
    lines = [f"migwatch digest — {digest.summary_line}", ""]
    for number, story in enumerate(digest.stories, start=1):
        lines.append(f"{number}. {story.headline}")
        if story.why:
            lines.append(f"   Why: {story.why}")
        for visit in story.ministerial_visits:
            lines.append(f"   Visit: {describe_visit(visit)}")
        for figure in story.crossing_figures:
            lines.append(f"   Figure: {describe_figure(figure)}")
        for article in story.articles:
            when = article.published.date().isoformat() if article.published else "undated"
            where = f" <{safe_link(article.url)}>" if safe_link(article.url) else ""
            lines.append(f"   - {article.source or 'unknown source'}, {when}: {article.title}{where}")
        lines.append("")
    return "\n".join(lines)


def render_html(digest: Digest, chart_png_base64: str | None = None) -> str:
    template = _env.get_template("digest.html.j2")
    return template.render(
        digest=digest,
        safe_link=safe_link,
        describe_figure=describe_figure,
        chart=chart_png_base64,
    )


def render_json(digest: Digest) -> str:
    return json.dumps(digest.to_dict(), ensure_ascii=False, indent=2)
