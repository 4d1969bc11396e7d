"""A digest as each kind of channel is sent it, and as the HTML file a replay leaves behind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from monitors.digest.chart import channel_chart_png
from monitors.digest.notify import Attachment
from monitors.digest.render import (
    chart_data_uri,
    render_html,
    render_json,
    render_slack,
    render_text,
    subject_line,
)
from monitors.models import Digest

CHART_NAME = "chart.png"


@dataclass(frozen=True, slots=True)
class Message:
    """One channel's rendering of a digest."""

    title: str
    body: str
    body_format: str
    attachments: tuple[Attachment, ...] = ()
    text_alternative: str | None = None


def compose(digest: Digest, kind: str) -> Message:
    """What a channel of `kind` (see notify.channel_kind) is sent for `digest`."""
    title = subject_line(digest)
    if kind == "email":
        png = channel_chart_png(digest)
        attachments = (Attachment(CHART_NAME, png, "image/png"),) if png else ()
        html = render_html(digest, f"cid:{CHART_NAME}" if png else None)
        return Message(title, html, "html", attachments, render_text(digest))
    if kind == "slack":
        return Message(title, render_slack(digest), "markdown")
    if kind == "json":
        return Message(title, render_json(digest), "text")
    return Message(title, render_text(digest), "text")


TEST_TITLE = "migwatch: TEST message (no news; please ignore)"


def test_message(kind: str, sent_at: datetime, host: str) -> Message:
    """The clearly marked test message `migwatch notify --test` sends a channel of `kind`: it
    carries no story, and sending it records nothing."""
    when = sent_at.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC")
    text = (
        f"This is a test message from migwatch on {host}, sent {when} by `migwatch notify --test`. "
        "If you can read it, this channel works. It carries no news, and no story was marked as "
        "delivered."
    )
    if kind == "email":
        html = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body style="font-family:'
            'Helvetica,Arial,sans-serif;"><p style="display:inline-block;padding:4px 8px;background:#9a6700;'
            'color:#fff;font-weight:bold;letter-spacing:.08em;">TEST MESSAGE</p>'
            f"<p>{escape(text)}</p></body></html>"
        )
        return Message(TEST_TITLE, html, "html", (), f"TEST MESSAGE\n\n{text}\n")
    if kind == "slack":
        return Message(TEST_TITLE, f"*TEST MESSAGE* — {text}", "markdown")
    if kind == "json":
        body = json.dumps({"test": True, "sent_at": sent_at.astimezone(UTC).isoformat(), "message": text})
        return Message(TEST_TITLE, body, "text")
    return Message(TEST_TITLE, f"TEST MESSAGE: {text}", "text")


def write_html(digest: Digest, folder: Path, html: str | None = None) -> Path:
    """The digest as a standalone HTML file (chart inline as a data: URI), for a browser."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = digest.generated_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"digest-{stamp}.html"
    if html is None:
        html = render_html(digest, chart_data_uri(channel_chart_png(digest)))
    path.write_text(html, encoding="utf-8")
    return path
