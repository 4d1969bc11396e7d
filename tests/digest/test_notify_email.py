"""The email digest as a reader receives it: sent through apprise to a real SMTP server."""

from __future__ import annotations

import struct
from email.message import EmailMessage

from flows.pipeline import deliver, pending_digest
from monitors.digest.notify import channel_key, mask_url
from monitors.digest.render import subject_line
from storage import deliveries
from tests.support.digest import (
    EVIL_SOURCE,
    EVIL_TITLE,
    LINKED_URL,
    seed,
    seeded_engine,
    smtp_server,
)


def _part(message: EmailMessage, content_type: str) -> EmailMessage:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, f"expected one {content_type} part, found {len(found)}"
    return found[0]  # type: ignore[return-value]


def test_email_digest_has_text_and_html_parts_with_counts_escaping_and_chart(sqlite_url: str) -> None:
    with smtp_server() as smtp, seeded_engine(sqlite_url, evil=True) as engine:
        expected, _ = pending_digest(engine, [smtp.url()])
        assert len(expected.stories) == 4

        report = deliver(engine, [smtp.url()])

        assert report.failed == {}
        assert report.delivered == {mask_url(smtp.url()): 4}
        assert len(smtp.emails) == 1
        email = smtp.emails[0]

    # the subject carries the counts
    assert email["Subject"] == subject_line(expected)
    assert f"4 stories · {expected.figure_count} crossing figures" in email["Subject"]
    assert email["To"] == "desk@example.org"

    text = _part(email, "text/plain").get_content()
    html = _part(email, "text/html").get_content()

    # the plain-text part is our template, not apprise's flattening of the HTML
    assert text.startswith(f"migwatch digest — {expected.summary_line}")
    for story in expected.stories:
        assert story.headline in text
    assert "34,500  channel  2024 to date  2024-12-14  +19% on 2023" in text
    assert f"     {LINKED_URL}" in text
    assert "javascript:" not in text

    # HTML: every feed string escaped, only http(s) links, the counts in the heading
    assert expected.summary_line in html
    assert "<script>" not in html and "<b>meet</b>" not in html and "<i>Evil</i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Cooper &amp; Piantedosi" in html
    assert "&lt;i&gt;Evil&lt;/i&gt; Times &amp; Co" in html
    assert "javascript:" not in html
    assert f'href="{LINKED_URL.replace("&", "&amp;")}"' in html
    assert "<th" in html and ">34,500</td>" in html
    assert EVIL_TITLE not in html and EVIL_SOURCE not in html

    # the chart travels inside the message, shown in place by the HTML part
    assert 'src="cid:chart.png"' in html
    assert email.get_content_type() == "multipart/related"
    chart = _part(email, "image/png")
    assert chart["Content-ID"] == "<chart.png>"
    assert chart.get_content_disposition() == "inline"
    png = chart.get_content()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (660, 260)


def test_email_is_not_sent_twice_and_later_stories_follow_alone(sqlite_url: str) -> None:
    with smtp_server() as smtp, seeded_engine(sqlite_url) as engine:
        first = deliver(engine, [smtp.url()])
        again = deliver(engine, [smtp.url()])
        assert sum(first.delivered.values()) == 3
        assert again.delivered == {} and again.failed == {}
        assert len(smtp.emails) == 1
        seed(engine, evil=True)  # a new story arrives; the three old ones stay delivered
        later = deliver(engine, [smtp.url()])
        assert sum(later.delivered.values()) == 1
        assert len(smtp.emails) == 2
        assert smtp.emails[1]["Subject"].startswith("migwatch: 1 story · 1 crossing figure")
        assert deliveries.delivered_story_ids(engine, channel_key(smtp.url())) == [1, 2, 3, 4]
