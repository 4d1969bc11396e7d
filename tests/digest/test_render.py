"""Pure pieces of the digest: Slack escaping, links, the chart's data, back-off, masking, schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from flows.schedules import daily_at, digest_schedule
from flows.settings import Settings
from monitors.digest.build import build_digest
from monitors.digest.chart import channel_chart_png, channel_points, period_label
from monitors.digest.notify import mask_url, url_secrets, with_inline_images
from monitors.digest.render import figure_table, render_slack, safe_link, slack_text, slack_url
from monitors.errors import ConfigError
from monitors.models import ArticleRef, Digest, DigestStory
from storage.deliveries import backoff
from storage.items import StoredItem
from storage.stories import StoredStory


def _digest(*figures: dict[str, object], url: str | None = None) -> Digest:
    story = DigestStory(
        story_id=1,
        headline="Headline",
        articles=[ArticleRef("Title", "Outlet", url, None)],
        crossing_figures=list(figures),  # type: ignore[arg-type]
    )
    return Digest([story], datetime(2026, 1, 1, tzinfo=UTC))


def test_slack_text_cannot_link_or_mention() -> None:
    assert slack_text("<!channel> a|b <@U1> `x`\nnext") == "‹!channel› a¦b ‹@U1› 'x' next"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("https://example.org/@user/x!y|z>w", "https://example.org/%40user/x%21y%7Cz%3Ew"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("http:///no-host", None),
    ],
)
def test_slack_links_are_http_only_and_cannot_break_out(url: str, shown: str | None) -> None:
    assert slack_url(url) == shown


def test_slack_message_links_with_our_own_label() -> None:
    text = render_slack(_digest({"count": 5, "route": "channel"}, url="https://example.org/x"))
    assert "◦ Outlet: Title <https://example.org/x|open>" in text


def test_safe_link_keeps_only_http_and_https() -> None:
    assert safe_link(" https://a.example/x ") == "https://a.example/x"
    assert safe_link("JAVASCRIPT:alert(1)") is None
    assert safe_link("mailto:a@b") is None


def test_chart_points_are_channel_figures_with_a_date_grouped_by_period() -> None:
    figures = [
        {"count": 500, "route": "channel", "period": "day", "as_of": "2024-12-13"},
        {"count": 600, "route": "channel", "period": "day", "as_of": "2024-12-12"},
        {"count": 600, "route": "channel", "period": "day", "as_of": "2024-12-12"},  # same report twice
        {"count": 34500, "route": "channel", "period": "year_to_date", "as_of": "2024-12-14"},
        {"count": 110000, "route": "lampedusa", "period": "year", "as_of": "2023-12-31"},
        {"count": 25000, "route": "channel", "period": "year_to_date", "as_of": None},
        {
            "count": 24830,
            "route": "channel",
            "period": "year_to_date",
            "as_of": "2023-10-03",
        },  # a year earlier
    ]
    assert channel_points(figures) == {
        "per day": [(date(2024, 12, 12), 600), (date(2024, 12, 13), 500)],
        "2024 to date": [(date(2024, 12, 14), 34500)],
        "2023 to date": [(date(2023, 10, 3), 24830)],
    }


def test_a_figure_says_the_year_it_refers_to() -> None:
    so_far = {"count": 25244, "route": "channel", "period": "year_to_date", "as_of": "2024-10-03"}
    compared = {"count": 24830, "route": "channel", "period": "year_to_date", "as_of": "2023-10-03"}
    whole = {"count": 110000, "route": "lampedusa", "period": "year", "as_of": "2023-12-31"}
    month = {"count": 4192, "route": "channel", "period": "month", "as_of": "2024-09-30"}
    assert [period_label(f) for f in (so_far, compared, whole, month)] == [
        "2024 to date",
        "2023 to date",
        "whole of 2023",
        "September 2024",
    ]
    assert period_label({"count": 3, "period": None}) == "—"
    table = figure_table([so_far, compared])
    assert "2024 to date" in table and "2023 to date" in table


def test_no_dated_channel_figure_means_no_chart() -> None:
    assert channel_chart_png(_digest({"count": 5, "route": "lampedusa", "as_of": "2024-01-01"})) is None
    png = channel_chart_png(_digest({"count": 5, "route": "channel", "as_of": "2024-01-01"}))
    assert png is not None and png.startswith(b"\x89PNG")


def test_a_story_reports_a_trip_and_a_count_once() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    dated = {"count": 110000, "route": "lampedusa", "period": "year", "as_of": "2023-12-31"}
    headline = {"count": 110000, "route": "lampedusa", "period": None, "as_of": None}
    to_italy = {"minister": "James Cleverly", "destination": "Italy", "destination_country": "Italy"}
    to_rome = {"minister": "James Cleverly", "destination": "Rome", "destination_country": "Italy"}
    first = StoredItem(1, "a", None, None, None, moment, True, 0.9, 1, [headline], [to_italy], [])
    second = StoredItem(2, "b", None, None, None, moment, True, 0.9, 1, [dated], [to_rome], [])
    built = build_digest([StoredStory(1, "h", moment, moment, [first, second])]).stories[0]
    assert built.crossing_figures == [dated]
    assert [v["destination"] for v in built.ministerial_visits] == ["Rome"]


def test_topic_signals_decide_which_stories_alert() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    figure = {"count": 9, "route": "channel", "period": "day"}
    article = StoredItem(1, "t", None, None, None, moment, True, 0.9, 1, [figure], [], [])
    story = StoredStory(1, "h", moment, moment, [article])
    assert len(build_digest([story]).stories) == 1
    assert build_digest([story], signals={"ministerial_visits"}).stories == []


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(50) == timedelta(hours=6)


@pytest.mark.parametrize(
    ("url", "masked", "secret"),
    [
        (
            "mailtos://joe:hunter2@mail.example.org?to=a@b.org",
            "mailtos://joe:***@mail.example.org?to=a@b.org",
            "hunter2",
        ),
        ("slack://TOKENAAAA/TOKENBBBB/TOKENCCCC", "slack://***", "TOKENAAAA"),
        (
            "json://host/hook/averylongsecrettoken?token=abc",
            "json://host/hook/***?token=***",
            "averylongsecrettoken",
        ),
        (
            "mailto://127.0.0.1:2525?from=d@e.org&to=f@g.org",
            "mailto://127.0.0.1:2525?from=d@e.org&to=f@g.org",
            None,
        ),
    ],
)
def test_masked_urls_show_no_secret(url: str, masked: str, secret: str | None) -> None:
    assert mask_url(url) == masked
    if secret:
        assert secret in url_secrets(url) and secret not in mask_url(url)


def test_email_urls_embed_images_unless_told_otherwise() -> None:
    assert with_inline_images("mailto://h?to=a@b") == "mailto://h?to=a@b&inline=yes"
    assert with_inline_images("mailto://h?to=a@b&inline=no") == "mailto://h?to=a@b&inline=no"


def test_digest_schedule_is_a_daily_cron_in_a_zone() -> None:
    assert digest_schedule(Settings()).cron == "0 7 * * *"
    assert digest_schedule(Settings()).timezone == "Europe/London"
    assert daily_at("18:05", "Europe/Rome").cron == "5 18 * * *"


@pytest.mark.parametrize(
    ("time_of_day", "zone"),
    [
        ("7", "Europe/London"),
        ("24:00", "UTC"),
        ("07:60", "UTC"),
        ("07:00", "Mars/Olympus"),
        ("07:00", "../etc/passwd"),
    ],
)
def test_bad_digest_schedule_is_a_config_error(time_of_day: str, zone: str) -> None:
    with pytest.raises(ConfigError, match="bad setting digest_"):
        daily_at(time_of_day, zone)
