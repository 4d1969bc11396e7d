"""Sending through apprise, with secrets masked wherever a channel is named."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

TERMINAL = "terminal"

_USERINFO = re.compile(r"^([a-z0-9+.-]+://)([^@/]*)@", re.IGNORECASE)
_SECRET_QUERY = re.compile(r"((?:pass(?:word)?|token|key|secret|apikey|webhook)=)[^&]+", re.IGNORECASE)


def channel_key(url: str) -> str:
    """A stable id of a channel URL that reveals nothing of it."""
    if url == TERMINAL:
        return TERMINAL
    return "ch-" + hashlib.sha256(url.strip().encode()).hexdigest()[:24]


def mask_url(url: str) -> str:
    """The URL with passwords, tokens and path secrets replaced by ***."""
    if url == TERMINAL:
        return url
    masked = _USERINFO.sub(lambda m: m.group(1) + _mask_userinfo(m.group(2)) + "@", url.strip())
    masked = _SECRET_QUERY.sub(lambda m: m.group(1) + "***", masked)
    parts = urlsplit(masked)
    scheme = parts.scheme.lower()
    if scheme in (
        "slack",
        "discord",
        "msteams",
        "tgram",
        "pover",
        "gotify",
        "ntfys",
        "matrix",
        "matrixs",
    ):
        # These schemes carry tokens in the host and path segments.
        return f"{scheme}://***"
    if parts.path.count("/") > 1 and scheme not in ("mailto", "mailtos"):
        segments = parts.path.split("/")
        masked = masked.replace(parts.path, "/".join(s if len(s) < 12 else "***" for s in segments))
    return masked


def _mask_userinfo(userinfo: str) -> str:
    if ":" in userinfo:
        user, _ = userinfo.split(":", 1)
        return f"{user}:***"
    return "***" if len(userinfo) > 12 else userinfo


@dataclass(frozen=True, slots=True)
class SendResult:
    channel: str
    label: str
    ok: bool
    error: str | None = None


def send(url: str, title: str, body: str, *, body_format: str = "html") -> SendResult:
    """Send one message to one apprise URL. Never raises; the error names no secret."""
    import apprise  # imported here: it is slow to import and only senders need it

    key, label = channel_key(url), mask_url(url)
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return SendResult(key, label, False, f"not a usable notification URL: {label}")
    fmt = apprise.NotifyFormat.HTML if body_format == "html" else apprise.NotifyFormat.TEXT
    try:
        ok = bool(notifier.notify(title=title, body=body, body_format=fmt))
    except Exception as exc:  # apprise plugins raise anything; a channel failure is a value here
        return SendResult(key, label, False, f"{label}: {type(exc).__name__}")
    return SendResult(key, label, ok, None if ok else f"{label}: the channel refused or was unreachable")
