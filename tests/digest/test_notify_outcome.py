"""What a send's failure means: refused or unreachable (nothing was accepted), or uncertain (the
message was handed over and no answer came). Real SMTP and HTTP servers on 127.0.0.1."""

from __future__ import annotations

from email import message_from_bytes, policy

from monitors.digest.notify import message_id, send
from tests.support.digest import email_url, free_port, http_receiver, smtp_server

# apprise's socket timeout, in seconds: the held servers below answer only after send() returned,
# so the timeout always fires, whatever the machine's speed; it only has to outlast a local
# connection and greeting.
TIMEOUT = 3


def test_an_email_whose_answer_never_comes_is_uncertain() -> None:
    with smtp_server(hold=True) as smtp:
        result = send(smtp.url() + f"&cto={TIMEOUT}", "t", "body", body_format="text")
        assert smtp.sink.received.is_set()  # the server has the message; the sender cannot know
    assert not result.ok and result.uncertain
    assert result.error and "may have been delivered" in result.error


def test_an_email_refused_or_never_connected_is_a_plain_failure() -> None:
    with smtp_server(reply="554 5.7.1 Message rejected") as smtp:
        refused = send(smtp.url(), "t", "body", body_format="text")
        assert len(smtp.sink.messages) == 1
    down = send(email_url(free_port()), "t", "body", body_format="text")  # nothing listens
    for result in (refused, down):
        assert not result.ok and not result.uncertain
        assert result.error and "refused or was unreachable" in result.error


def test_an_email_carries_the_message_id_it_is_given_once() -> None:
    stable = message_id("ch-0123456789abcdef", [3, 1, 2])
    assert stable == message_id("ch-0123456789abcdef", [1, 2, 3, 3])  # the stories, not their order
    assert stable != message_id("ch-0123456789abcdef", [1, 2])
    assert stable != message_id("ch-fedcba9876543210", [1, 2, 3])
    with smtp_server() as smtp:
        assert send(smtp.url(), "t", "body", body_format="text", message_id=stable).ok
        assert send(smtp.url(), "t", "body", body_format="text").ok
        first, second = (message_from_bytes(raw, policy=policy.default) for raw in smtp.sink.messages)
    assert first.get_all("Message-ID") == [stable]
    assert len(second.get_all("Message-ID") or []) == 1 and second["Message-ID"] != stable


def test_a_webhook_whose_answer_never_comes_is_uncertain_and_an_error_status_is_not() -> None:
    with http_receiver() as receiver:
        receiver.hold = True
        url = f"json://127.0.0.1:{receiver.port}/hook?rto={TIMEOUT}"
        held = send(url, "t", "body", body_format="text")
        assert len(receiver.requests) == 1
    assert not held.ok and held.uncertain
    with http_receiver(status=500) as receiver:
        refused = send(f"json://127.0.0.1:{receiver.port}/hook", "t", "body", body_format="text")
    down = send(f"json://127.0.0.1:{free_port()}/hook", "t", "body", body_format="text")
    for result in (refused, down):
        assert not result.ok and not result.uncertain
