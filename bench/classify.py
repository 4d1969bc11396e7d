"""How fast the classifier is, on one core: a typical feed mix and full pages.

    python bench/classify.py [--seconds N]

The feed mix is generated here: titles plus ~100-word summaries, about 5% on topic (UK–Italy
migration, English and Italian), the rest ordinary news including near misses (Channel crossings
without Italy, Italian politics without migration). Full pages are the seed documents plus longer
synthetic pages with clutter. Targets: 20,000 feed items/s and 500 full pages/s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitors.classify.classifier import classify  # noqa: E402
from monitors.classify.topic import Topic, load_topic  # noqa: E402
from monitors.feeds.fixtures import read_fixtures  # noqa: E402
from monitors.models import FeedItem  # noqa: E402

FEED_TARGET = 20_000
PAGE_TARGET = 500

_FILLER = [
    "officials",
    "said",
    "on",
    "Tuesday",
    "that",
    "the",
    "plan",
    "would",
    "be",
    "reviewed",
    "later",
    "this",
    "year",
    "after",
    "a",
    "consultation",
    "with",
    "local",
    "councils",
    "businesses",
    "and",
    "residents",
    "who",
    "raised",
    "concerns",
    "about",
    "costs",
    "and",
    "delays",
    "while",
    "opposition",
    "parties",
    "called",
    "for",
    "a",
    "full",
    "inquiry",
    "into",
    "how",
    "the",
    "decision",
    "had",
    "been",
    "reached",
    "and",
    "who",
    "had",
    "been",
    "consulted",
    "analysts",
    "expect",
    "the",
    "figures",
    "to",
    "be",
    "revised",
    "when",
    "the",
    "next",
    "quarterly",
    "report",
    "is",
    "published",
    "in",
    "the",
    "spring",
]
_OFF_TOPIC_TITLES = [
    "Bank of England holds interest rates at {n} per cent",
    "Storm {name} brings flooding to north of England",
    "{name} signs for Premier League club in record deal",
    "Council approves {n} new homes on edge of town",
    "Apple unveils new iPhone as sales slow in China",
    "Train strikes called off after pay offer",
    "Police appeal after {n} cars damaged overnight",
    "Inflation falls to {n} per cent as energy prices ease",
    "Governo, il Consiglio dei ministri approva la manovra da {n} miliardi",
    "Serie A, la {name} vince il derby e allunga in classifica",
    "Maltempo, allerta rossa in {n} regioni",
]
_NEAR_MISS_TITLES = [
    "Channel crossings: {n} people made the journey on Saturday",
    "Home Secretary defends asylum hotels plan",
    "Meloni government approves budget as deficit narrows",
    "Piantedosi announces {n} new police officers for Naples",
    "Starmer meets Macron to discuss small boats",
]
_ON_TOPIC = [
    (
        "Home Secretary meets Italian counterpart in Rome on migration",
        "Yvette Cooper met Matteo Piantedosi in Rome on {day} to discuss irregular migration and "
        "people smuggling. More than {n},000 people have crossed the Channel in small boats so far this year.",
    ),
    (
        "Piantedosi riceve al Viminale la ministra britannica",
        "Il ministro dell'Interno Matteo Piantedosi ha ricevuto al Viminale la ministra britannica "
        "dell'Interno per un incontro sull'immigrazione irregolare. Dall'inizio dell'anno sono sbarcati "
        "in Italia {n}.000 migranti.",
    ),
    (
        "Starmer to visit Meloni in Rome for talks on illegal migration",
        "Keir Starmer will travel to Rome next week to meet Giorgia Meloni, with illegal migration and "
        "the Albania scheme on the agenda, Downing Street said.",
    ),
]
_NAMES = ["Bert", "Ciara", "Dennis", "Juventus", "Inter", "Milan", "Smith", "Okafor"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _summary(rng: random.Random, lead: str, words: int = 100) -> str:
    filler = [rng.choice(_FILLER) for _ in range(max(0, words - len(lead.split())))]
    return f"{lead} {' '.join(filler).capitalize()}."


def feed_mix(count: int, seed: int = 7) -> list[FeedItem]:
    rng = random.Random(seed)
    items: list[FeedItem] = []
    for i in range(count):
        roll = rng.random()
        fill = {"n": rng.randint(2, 99), "name": rng.choice(_NAMES), "day": rng.choice(_DAYS)}
        if roll < 0.05:
            title, lead = rng.choice(_ON_TOPIC)
            title, lead = title.format(**fill), lead.format(**fill)
        elif roll < 0.15:
            title = rng.choice(_NEAR_MISS_TITLES).format(**fill)
            lead = title + "."
        else:
            title = rng.choice(_OFF_TOPIC_TITLES).format(**fill)
            lead = ""
        items.append(FeedItem(id=f"bench-{i}", title=title, summary=_summary(rng, lead)))
    return items


def full_pages(count: int, seed: int = 11) -> list[FeedItem]:
    seeds = list(read_fixtures([ROOT / "seeds"]))
    rng = random.Random(seed)
    clutter = "\n".join(
        ["More Latest News"] + [f"{rng.choice(_NAMES)} dies aged {rng.randint(40, 90)}" for _ in range(8)]
    )
    pages: list[FeedItem] = []
    for i in range(count):
        if i % 2 == 0:
            base = seeds[i // 2 % len(seeds)]
            pages.append(FeedItem(id=f"page-{i}", title=base.title, content=base.content))
        else:
            paragraphs = [_summary(rng, "", 80) for _ in range(8)]
            title = rng.choice(_OFF_TOPIC_TITLES).format(n=rng.randint(2, 99), name=rng.choice(_NAMES))
            pages.append(FeedItem(id=f"page-{i}", title=title, content="\n".join([*paragraphs, clutter])))
    return pages


def measure(topic: Topic, items: list[FeedItem], seconds: float) -> float:
    """Items per CPU second of this (single-threaded) process over repeated passes, for at least
    `seconds`: CPU time, so that other work on the machine does not count against us."""
    run: Callable[[FeedItem], object] = lambda item: classify(topic, item)  # noqa: E731
    for item in items[:50]:
        run(item)  # warm regex caches
    done = 0
    start = time.process_time()
    while True:
        for item in items:
            run(item)
        done += len(items)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return done / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    args = parser.parse_args(argv)
    topic = load_topic()
    feed = feed_mix(5000)
    pages = full_pages(200)
    relevant = sum(classify(topic, item).relevant for item in feed)
    feed_rate = measure(topic, feed, args.seconds)
    page_rate = measure(topic, pages, args.seconds)
    print(f"feed mix: {len(feed)} items, {relevant / len(feed):.1%} relevant")
    print(f"feed items/s: {feed_rate:,.0f} (target {FEED_TARGET:,})")
    print(f"full pages/s: {page_rate:,.0f} (target {PAGE_TARGET:,})")
    return 0 if feed_rate >= FEED_TARGET and page_rate >= PAGE_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
