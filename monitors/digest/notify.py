"""Sending through apprise, with secrets masked wherever a channel is named."""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

TERMINAL = "terminal"

_SECRET_QUERY = re.compile(
    r"((?:^|&)(?:pass(?:word)?|pwd|token|key|secret|apikey|api_key|webhook|auth|access_token)=)[^&]*",
    re.IGNORECASE,
)
# Schemes whose host and path are themselves tokens (slack://TokenA/TokenB/TokenC ...).
_TOKEN_SCHEMES = frozenset(
    {
        "slack",
        "discord",
        "msteams",
        "tgram",
        "pover",
        "gotify",
        "gotifys",
        "ntfy",
        "ntfys",
        "matrix",
        "matrixs",
    }
)


def channel_key(url: str) -> str:
    """A stable id of a channel URL that reveals nothing of it."""
    if url == TERMINAL:
        return TERMINAL
    return "ch-" + hashlib.sha256(url.strip().encode()).hexdigest()[:24]


def mask_url(url: str) -> str:
    """The URL with passwords, tokens and path secrets replaced by ***: safe for logs and errors."""
    if url == TERMINAL:
        return url
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
    except ValueError:
        return "<unparsable URL>"
    if not scheme:
        return "***"
    if scheme in _TOKEN_SCHEMES:
        return f"{scheme}://***"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{_mask_userinfo(userinfo)}@{host}"
    path = "/".join(s if len(s) < 12 else "***" for s in parts.path.split("/"))
    query = _SECRET_QUERY.sub(lambda m: m.group(1) + "***", parts.query)
    masked = f"{scheme}://{netloc}{path}"
    return masked + (f"?{query}" if query else "")


# Schemes whose host is a server's name, not a token: a label may show it.
_HOST_SCHEMES = frozenset({"mailto", "mailtos", "json", "jsons", "xml", "xmls", "form", "forms"})


def _label(url: str) -> str:
    if url == TERMINAL:
        return TERMINAL
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "channel"
    if not scheme:
        return "channel"
    if scheme not in _HOST_SCHEMES or not host or any(s in host for s in url_secrets(url)):
        return scheme
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def channel_labels(urls: Sequence[str]) -> list[str]:
    """A name per channel that shows no credential, in the order given: its scheme, with the host
    for mail and webhook servers (`mailtos://smtp.example.org`, `slack`), numbered when two share
    one (`slack#1`, `slack#2`). What a flow run takes as its parameter in place of the URLs."""
    bases = [_label(url) for url in urls]
    seen: dict[str, int] = {}
    labels = []
    for base in bases:
        if bases.count(base) == 1:
            labels.append(base)
            continue
        seen[base] = seen.get(base, 0) + 1
        labels.append(f"{base}#{seen[base]}")
    return labels


def channels_labelled(urls: Sequence[str], labels: Sequence[str] | None) -> list[str]:
    """The channels among `urls` that `labels` name (channel_labels), in the order of `urls`; all
    of them when `labels` is None. A ConfigError names a label that no channel has (the settings
    changed since it was given)."""
    from monitors.errors import ConfigError

    if labels is None:
        return list(urls)
    by_label = dict(zip(channel_labels(urls), urls, strict=True))
    missing = [label for label in labels if label not in by_label]
    if missing:
        raise ConfigError(f"no configured channel is labelled {', '.join(missing)}")
    wanted = set(labels)
    return [url for label, url in by_label.items() if label in wanted]


def url_secrets(url: str) -> set[str]:
    """The parts of a channel URL that must not be shown: password, token host and path, secret query values."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return {url}
    found: set[str] = set()
    if parts.password:
        found.add(parts.password)
    if parts.username and len(parts.username) > 12:
        found.add(parts.username)
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme.lower() in _TOKEN_SCHEMES:
        host = parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0]  # as written: .hostname lowercases
        found.update(s for s in [host, *segments] if len(s) >= 4)
    else:
        found.update(s for s in segments if len(s) >= 12)
    for key, values in parse_qs(parts.query).items():
        if _SECRET_QUERY.match(f"{key}="):
            found.update(v for v in values if v)
    found.update({unquote(s) for s in found})
    return {s for s in found if s}


class _Redact(logging.Filter):
    """Masks a channel's secrets in what apprise and its HTTP client log while sending to it."""

    def __init__(self, secrets: set[str]) -> None:
        super().__init__()
        self.secrets = sorted(secrets, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, ()
        return True


_LOGGERS = ("apprise", "urllib3.connectionpool", "requests")


@contextmanager
def _redacted_logs(url: str) -> Iterator[None]:
    redact = _Redact(url_secrets(url))
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    for logger in loggers:
        logger.addFilter(redact)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(redact)


def _mask_userinfo(userinfo: str) -> str:
    if ":" in userinfo:
        user, _ = userinfo.split(":", 1)
        return f"{user}:***"
    return "***" if len(userinfo) > 12 else userinfo


def channel_kind(url: str) -> str:
    """What a channel wants to read: `email`, `slack`, `json`, `terminal`, or `other` (plain text)."""
    if url == TERMINAL:
        return TERMINAL
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in ("mailto", "mailtos"):
        return "email"
    if scheme == "slack":
        return "slack"
    if scheme in ("json", "jsons"):
        return "json"
    return "other"


def with_inline_images(url: str) -> str:
    """An email URL that embeds image attachments in the HTML part (apprise's `inline=yes`), unless
    the user chose otherwise; then a chart is still in the message, as an attachment."""
    parts = urlsplit(url.strip())
    if "inline" in parse_qs(parts.query):
        return url
    query = f"{parts.query}&inline=yes" if parts.query else "inline=yes"
    return urlunsplit(parts._replace(query=query))


def check_url(url: str) -> None:
    """A ConfigError (masked) when apprise cannot use `url`, so a typo fails before anything runs."""
    import apprise

    from monitors.errors import ConfigError

    if url == TERMINAL:
        return
    with _redacted_logs(url):
        usable = apprise.Apprise().add(url)
    if not usable:
        raise ConfigError(f"not a usable notification URL: {mask_url(url)} (see apprise's URL formats)")


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content: bytes
    mimetype: str


@dataclass(frozen=True, slots=True)
class SendResult:
    channel: str
    label: str
    ok: bool
    error: str | None = None
    # not ok, and the channel may have accepted the message all the same (see `uncertain`)
    uncertain: bool = False


# One send at a time in a process: apprise's email module and its logger are patched while sending.
_SENDING = threading.Lock()
# What apprise logs when a message surely was not accepted: no connection was ever made, or the
# channel answered with a refusal (an SMTP reply code, an HTTP error status).
_NOT_SENT = re.compile(
    r"Connection error while submitting email|ConnectTimeout|NewConnectionError|Connection refused"
    r"|Name or service not known|\(\d{3}, b['\"]|error=\d{3}|HTTP Error \d{3}|responded with",
    re.IGNORECASE,
)


def uncertain(log: Sequence[str]) -> bool:
    """Whether a failed send may have been accepted, from what apprise logged while sending. Only
    a connection never made, or a refusal the channel answered with, is surely not; anything else
    (a timeout or a dropped connection once the message was handed over, or a failure apprise
    words in a way not known here) is uncertain, so the resend carries the same Message-ID."""
    return not _NOT_SENT.search("\n".join(log))


class _Capture(logging.Filter):
    """Keeps apprise's log lines of one send (DEBUG included, for the socket errors), passing on
    only those that the logger's own level would have let through."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level
        self.lines: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.lines.append(record.getMessage())
        return record.levelno >= self.level


@contextmanager
def _captured_log() -> Iterator[list[str]]:
    logger = logging.getLogger("apprise")
    level = logger.level
    capture = _Capture(logger.getEffectiveLevel())
    logger.addFilter(capture)
    logger.setLevel(logging.DEBUG)
    try:
        yield capture.lines
    finally:
        logger.setLevel(level)
        logger.removeFilter(capture)


def _value(option: Any) -> str:
    return str(getattr(option, "value", option))


@contextmanager
def _plain_text_part(text: str | None) -> Iterator[None]:
    """Make apprise's email plugin use our plain-text rendering as the text/plain alternative.

    apprise builds multipart/alternative itself and derives the text part from the HTML, which
    flattens tables one cell per line and drops links. Its email module looks up `convert_between`
    at call time, so for the length of one send we answer HTML->text with our own text. Should a
    later apprise move that function, the email still goes out, with apprise's own text part.
    """
    module = sys.modules.get("apprise.plugins.email.base")
    original = getattr(module, "convert_between", None)
    if text is None or module is None or original is None:
        yield
        return

    def convert(from_format: Any, to_format: Any, content: Any) -> Any:
        if _value(from_format) == "html" and _value(to_format) == "text":
            return text
        return original(from_format, to_format, content)

    module.convert_between = convert  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.convert_between = original  # type: ignore[attr-defined]


def message_id(channel: str, story_ids: Sequence[int]) -> str:
    """The Message-ID of the email carrying `story_ids` to `channel`: the same for a resend of the
    same stories, so mail clients and servers that fold duplicates by Message-ID fold it."""
    stories = ",".join(str(i) for i in sorted(set(story_ids)))
    digest = hashlib.sha256(f"{channel}|{stories}".encode()).hexdigest()[:24]
    return f"<migwatch.{digest}@{channel.removeprefix('ch-')[:12] or 'migwatch'}.migwatch.invalid>"


@contextmanager
def _message_id(value: str | None) -> Iterator[None]:
    """Make apprise's email plugin stamp `value` as the Message-ID.

    apprise sets Message-ID itself (email.utils.make_msgid, looked up in its email module at call
    time) after the URL's `+Header=` extras, so a `+Message-ID=` in the URL would give the message
    two Message-ID headers; for the length of one send, make_msgid answers `value` instead.
    """
    module = sys.modules.get("apprise.plugins.email.base")
    original = getattr(module, "make_msgid", None)
    if value is None or module is None or original is None:
        yield
        return
    module.make_msgid = lambda *_args, **_kwargs: value  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.make_msgid = original  # type: ignore[attr-defined]


def send(
    url: str,
    title: str,
    body: str,
    *,
    body_format: str = "html",
    attachments: Sequence[Attachment] = (),
    text_alternative: str | None = None,
    message_id: str | None = None,
) -> SendResult:
    """Send one message to one apprise URL. Never raises; the error names no secret.

    `body_format` is html, text or markdown; `text_alternative` is the plain-text part of an HTML
    email and `message_id` its Message-ID; `attachments` go with it (images are embedded when the
    URL says `inline=yes`). A failure after the message was handed over is `uncertain`.
    """
    import apprise  # imported here: it is slow to import and only senders need it
    from apprise.attachment.memory import AttachMemory

    key, label = channel_key(url), mask_url(url)
    notifier = apprise.Apprise()
    target = with_inline_images(url) if channel_kind(url) == "email" else url
    with _redacted_logs(url):
        added = notifier.add(target)
    if not added:
        return SendResult(key, label, False, f"not a usable notification URL: {label}")
    fmt = {
        "html": apprise.NotifyFormat.HTML,
        "markdown": apprise.NotifyFormat.MARKDOWN,
    }.get(body_format, apprise.NotifyFormat.TEXT)
    attach = None
    if attachments:
        attach = apprise.AppriseAttachment()
        for item in attachments:
            memory = AttachMemory(content=item.content, name=item.name, mimetype=item.mimetype)  # type: ignore[no-untyped-call]
            attach.add(memory)
    try:
        with (
            _SENDING,
            _redacted_logs(url),
            _captured_log() as log,
            _plain_text_part(text_alternative if fmt == apprise.NotifyFormat.HTML else None),
            _message_id(message_id),
        ):
            ok = bool(notifier.notify(title=title, body=body, body_format=fmt, attach=attach))
    except Exception as exc:  # apprise plugins raise anything; a channel failure is a value here
        return SendResult(key, label, False, f"{label}: {type(exc).__name__}", uncertain=True)
    if ok:
        return SendResult(key, label, True)
    if uncertain(log):
        reason = f"{label}: no answer after the message was handed over; it may have been delivered"
        return SendResult(key, label, False, reason, uncertain=True)
    return SendResult(key, label, False, f"{label}: the channel refused or was unreachable")
