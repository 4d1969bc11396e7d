"""Digest -> subject, plain text, HTML, Slack mrkdwn or JSON.

Every feed-supplied string is escaped for its target (HTML by Jinja2's autoescape, Slack by
`slack_text`), and links are http(s) only (`safe_link`).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from monitors.digest.chart import period_label
from monitors.feeds.urls import http_url
from monitors.models import Digest, DigestStory
from monitors.safetext import clean, clean_url, one_line


def _finalize(value: Any) -> Any:
    """Every value a template prints loses escape sequences and bidi controls (Markup is ours)."""
    return value if isinstance(value, Markup) or not isinstance(value, str) else clean(value)


_env = Environment(
    loader=PackageLoader("monitors.digest", "templates"),
    # *.html.j2 is escaped; *.txt.j2 is plain text and must not be.
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=_finalize,
)


def safe_link(url: str | None) -> str | None:
    """Only http and https links reach a reader; `javascript:` and friends become no link."""
    # a CR or LF in a feed's URL is %-encoded first: it can never split a line
    return http_url(clean_url(url)) if url else None


def line(value: Any) -> str:
    """A feed string on one line: newlines, escape sequences and controls cannot break a layout."""
    return one_line(value or "")


def words(value: Any) -> str:
    return str(value).replace("_", " ") if value else "—"


def count(figure: dict[str, Any]) -> str:
    try:
        return f"{int(figure['count']):,}"
    except (KeyError, TypeError, ValueError):
        return "?"


def place(visit: dict[str, Any]) -> str:
    destination, country = visit.get("destination") or "", visit.get("destination_country") or ""
    if not country or country == destination:
        return str(destination or country or "—")
    return f"{destination}, {country}"


def describe_visit(visit: dict[str, Any]) -> str:
    text = f"{visit['minister']}"
    if visit.get("role"):
        text += f" ({visit['role']})"
    text += f" in {place(visit)}"
    if visit.get("counterpart"):
        text += f", meeting {visit['counterpart']}"
    if visit.get("date"):
        text += f", {visit['date']}"
    text += f" [{visit.get('status') or 'done'}]"
    return text


def subject_line(digest: Digest) -> str:
    """The email subject / message title: the counts a reader decides on."""
    return one_line(f"migwatch: {digest.summary_line}")


def figure_table(figures: list[dict[str, Any]], indent: str = "     ") -> str:
    """Crossing figures as an aligned plain-text table."""
    rows = [("Count", "Route", "Period", "As of", "Change")]
    for figure in figures:
        rows.append(
            (
                count(figure),
                words(figure.get("route")),
                period_label(figure),
                str(figure.get("as_of") or "—"),
                line(figure.get("change")) or "—",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    out = []
    for row in rows:
        cells = [row[0].rjust(widths[0])] + [cell.ljust(widths[i]) for i, cell in enumerate(row) if i]
        out.append(indent + "  ".join(cells).rstrip())
    return "\n".join(out)


def _context(digest: Digest) -> dict[str, Any]:
    return {
        "digest": digest,
        "subject": subject_line(digest),
        "safe_link": safe_link,
        "place": place,
        "count": count,
        "words": words,
        "period_label": period_label,
        "figure_table": figure_table,
    }


_env.filters["line"] = line


def render_text(digest: Digest) -> str:
    return _env.get_template("digest.txt.j2").render(**_context(digest))


def chart_data_uri(png: bytes | None) -> str | None:
    """The chart as a data: URI, for HTML read in a browser (email uses a cid: reference instead)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None


def render_html(digest: Digest, chart_src: str | None = None) -> str:
    """HTML digest; `chart_src` is where the chart image is (`cid:chart.png`, a data: URI) or None."""
    return _env.get_template("digest.html.j2").render(chart_src=chart_src, **_context(digest))


def render_json(digest: Digest) -> str:
    return json.dumps(digest.to_dict(), ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- Slack
# Slack mrkdwn has three entities (&amp; &lt; &gt;) and <...> for links and mentions. Apprise's
# Slack plugin entity-escapes & < > itself and then turns `&lt;url|text&gt;`, `&lt;!here&gt;` and
# `&lt;@U123&gt;` back into live links and mentions. A feed string must never complete one, so it
# loses its angle brackets and bars; formatting marks stay literal only if inert, so backticks go too.
_SLACK_FEED = str.maketrans({"<": "‹", ">": "›", "|": "¦", "`": "'"})


def slack_text(value: Any) -> str:
    """A feed string made inert for Slack: it can neither link nor mention nor break a line."""
    return line(value).translate(_SLACK_FEED)


def slack_url(url: str | None) -> str | None:
    """An http(s) link safe inside Slack's <url|label>: characters that end or re-parse it are %-encoded."""
    link = safe_link(url)
    if link is None:
        return None
    return quote(link, safe=":/?#[]$&'()*+,;=%-._~")


def _slack_story(number: int, story: DigestStory) -> list[str]:
    out = [f"*{number}. {slack_text(story.headline)}*"]
    if story.why:
        out.append(f"_Why it matched:_ {slack_text(story.why)}")
    for visit in story.ministerial_visits:
        out.append(f"• Visit: {slack_text(describe_visit(visit))}")
    if story.crossing_figures:
        out.append("Crossing figures (count · route · period · as of · change):")
        for figure in story.crossing_figures:
            cells = [
                count(figure),
                words(figure.get("route")),
                period_label(figure),
                str(figure.get("as_of") or "—"),
                line(figure.get("change")) or "—",
            ]
            out.append("• " + " · ".join(slack_text(cell) for cell in cells))
    for article in story.articles:
        when = f", {article.published.strftime('%d %b %Y')}" if article.published else ""
        text = f"◦ {slack_text(article.source or 'unknown source')}{when}: {slack_text(article.title)}"
        link = slack_url(article.url)
        # the label is ours, never a feed string, so no feed text sits next to a closing '>'
        out.append(text + (f" <{link}|open>" if link else ""))
    if story.first_seen and story.last_seen:
        out.append(
            f"First seen {story.first_seen.strftime('%d %b %Y %H:%M')} · "
            f"last seen {story.last_seen.strftime('%d %b %Y %H:%M')} UTC"
        )
    return out


def render_slack(digest: Digest) -> str:
    """The digest as Slack mrkdwn (the message body; the title carries the counts)."""
    if not digest.stories:
        return "No new stories with crossing figures or ministerial visits."
    out = [f"*{digest.summary_line}*"]
    for number, story in enumerate(digest.stories, start=1):
        out.append("")
        out.extend(_slack_story(number, story))
    return "\n".join(out)
