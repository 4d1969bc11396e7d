"""A channel's label names it in a flow run's parameters: it shows no credential, and leads back
to the channel's URL inside the run (issue 12, item 5)."""

from __future__ import annotations

import pytest

from monitors.digest.notify import TERMINAL, channel_labels, channels_labelled
from monitors.errors import ConfigError

MAIL = "mailtos://desk:Pa55word@smtp.example.org:465?from=a@example.org&to=b@example.org"
SLACK_A = "slack://T1AAAAAAA/B2BBBBBBB/abcdefghijklmnopqrstuvwx"
SLACK_B = "slack://T9ZZZZZZZ/B8YYYYYYY/zyxwvutsrqponmlkjihgfedc"
HOOK = "json://hooks.example.org/incoming?token=s3cr3t-t0ken"
TOKEN_HOST = "pbul://o.Abcdefghijklmnopqrstuvwxyz012345"


def test_labels_show_the_scheme_and_the_host_of_a_server_never_a_secret() -> None:
    labels = channel_labels([MAIL, SLACK_A, HOOK, TOKEN_HOST, TERMINAL])
    assert labels == ["mailtos://smtp.example.org:465", "slack", "json://hooks.example.org", "pbul", TERMINAL]
    for secret in ("Pa55word", "desk", "T1AAAAAAA", "s3cr3t-t0ken", "Abcdefghijklmnop"):
        assert secret not in " ".join(labels)


def test_channels_that_share_a_label_are_numbered_in_order() -> None:
    assert channel_labels([SLACK_A, MAIL, SLACK_B]) == [
        "slack#1",
        "mailtos://smtp.example.org:465",
        "slack#2",
    ]


def test_labels_lead_back_to_their_urls_in_the_settings_order() -> None:
    urls = [SLACK_A, MAIL, SLACK_B]
    assert channels_labelled(urls, ["slack#2", "slack#1"]) == [SLACK_A, SLACK_B]
    assert channels_labelled(urls, []) == []
    assert channels_labelled(urls, None) == urls


def test_a_label_no_channel_has_is_an_error_naming_only_the_label() -> None:
    with pytest.raises(ConfigError, match="no configured channel is labelled slack#3"):
        channels_labelled([SLACK_A, SLACK_B], ["slack#3"])
