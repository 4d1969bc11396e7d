"""Item identity: the guid/id, else the canonical link, else a hash of what the item says.

An item keeps its identity when its text changes, so a corrected story is updated, not duplicated.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitors.models import FeedItem

# Query parameters that say who sent a reader, not what the page is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ito",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "xtor",
        "ref",
        "ref_src",
        "rss",
        "src",
        "smid",
        "partner",
        "cid",
        "wt_mc",
        "wt.mc_id",
        "yclid",
        "_hsenc",
        "_hsmi",
        "share",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "ns_")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


_PLAIN = re.compile(r"https?://[a-z0-9.-]+(?:/[^?#]*)?", re.ASCII)


def canonical_url(url: str) -> str:
    """The link without tracking parameters, fragment, default port or letter-case noise in the host."""
    url = url.strip()
    if _PLAIN.fullmatch(url):
        return url if "/" in url[8:] else url + "/"  # already canonical: the common case, kept cheap
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = f"{host}:{port}" if port else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    fragment = "" if parts.fragment.lower().startswith(("xtor", "at_", "utm", "ref")) else parts.fragment
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), fragment))


def _globally_unique(guid: str) -> bool:
    return guid.startswith(("http://", "https://", "tag:", "urn:")) or ("@" in guid and "." in guid)


def identity(item: FeedItem, feed_url: str) -> str:
    """A stable key for `item` as published by `feed_url`."""
    guid = item.id.strip()
    if guid:
        if guid.startswith(("http://", "https://")):
            return "guid:" + canonical_url(guid)
        return "guid:" + (guid if _globally_unique(guid) else f"{feed_url}#{guid}")
    if item.url:
        return "url:" + canonical_url(item.url)
    published = item.published.isoformat() if item.published else ""
    text = "\x1f".join([feed_url, item.title, published, item.summary[:500]])
    return "hash:" + hashlib.sha256(text.encode()).hexdigest()[:32]
