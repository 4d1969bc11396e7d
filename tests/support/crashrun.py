"""`poll` and `digest` as the CLI's flows run them, without Prefect around them: the crash tests
start many of these and kill them. The calls are the flows' own (flows/poll.py: poll_all over
batches of BATCH_SIZE feeds; flows/digest_flow.py: deliver), so what is killed is the same code.

    python -m tests.support.crashrun poll DATABASE_URL FEED_LIST
    python -m tests.support.crashrun digest DATABASE_URL CHANNEL...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flows import pipeline
from monitors.classify.topic import load_topic
from monitors.feeds.feedlist import load_feed_list
from monitors.feeds.limits import FetchLimits
from storage.store import open_engine

# flows/poll.py's BATCH_SIZE (imported there with Prefect, which this driver does without; the
# crash test checks that the two agree)
BATCH_SIZE = 400


def main(argv: list[str]) -> int:
    command, database_url, *rest = argv
    engine = open_engine(database_url)
    try:
        if command == "poll":
            feeds = load_feed_list(Path(rest[0]))
            topic = load_topic()
            report = pipeline.poll_all(engine, feeds, FetchLimits(), topic, batch_size=BATCH_SIZE)
            print(json.dumps({"new_items": sum(f.new_items for f in report.feeds)}))
        else:
            delivery = pipeline.deliver(engine, rest)
            print(json.dumps({"delivered": delivery.delivered, "failed": delivery.failed}))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
