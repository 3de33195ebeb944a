"""Importing a large Slack export: messages/s and peak memory.

Generates a workspace export of ``--messages`` messages (default 100,000) over several
channels and days in a temporary folder, in the real export layout, then reads it with
the Slack source and merges the events into a timeline, ``--runs`` times; the best run
counts. Peak memory is the process's resident high-water mark (ru_maxrss) after the runs,
and the growth over the baseline measured before the export was read.

    python benchmarks/slack_bench.py [--messages 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from afterword.timeline.merge import merge
from afterword.timeline.sources import Window, load

WORDS = [
    "deploy",
    "rollback",
    "latency",
    "error",
    "rate",
    "database",
    "pool",
    "connection",
    "alert",
    "page",
    "ack",
    "mitigated",
    "resolved",
    "restart",
    "node",
    "pod",
    "timeout",
    "queue",
    "backlog",
    "cache",
    "redis",
    "kafka",
]


def make_export(root: Path, messages: int, channels: int = 5, per_day: int = 1000) -> None:
    rng = random.Random(7)
    users = [
        {
            "id": f"U{i:04d}",
            "name": f"user{i}",
            "real_name": f"User {i}",
            "profile": {"display_name": f"user{i}"},
        }
        for i in range(200)
    ]
    (root / "users.json").write_text(json.dumps(users))
    names = [f"incident-{i}" for i in range(channels)]
    (root / "channels.json").write_text(
        json.dumps([{"id": f"C{i}", "name": n} for i, n in enumerate(names)])
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    written = 0
    day = 0
    while written < messages:
        for name in names:
            if written >= messages:
                break
            folder = root / name
            folder.mkdir(exist_ok=True)
            count = min(per_day, messages - written)
            base = start + timedelta(days=day)
            batch = []
            for index in range(count):
                moment = base + timedelta(seconds=index * 86400 / count + rng.random())
                message = {
                    "type": "message",
                    "user": f"U{rng.randrange(200):04d}",
                    "ts": f"{moment.timestamp():.6f}",
                    "text": " ".join(rng.choices(WORDS, k=12)) + f" <@U{rng.randrange(200):04d}>",
                }
                if index % 50 == 0:
                    message["reactions"] = [{"name": "eyes", "users": ["U0001"], "count": 1}]
                batch.append(message)
            (folder / f"{base:%Y-%m-%d}.json").write_text(json.dumps(batch))
            written += count
        day += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_export(root, args.messages)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        best = float("inf")
        events = []
        for _ in range(args.runs):
            started = time.perf_counter()
            events = merge([], load(f"slack:{root}", Window()))
            best = min(best, time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"slack export: {args.messages} messages, {len(events)} events after merging; "
        f"{args.runs} runs, best counts"
    )
    print(f"import + merge: {args.messages / best:,.0f} messages/s ({best:.2f} s)")
    print(
        f"peak memory: {peak / 1024:.0f} MiB resident ({(peak - baseline) / 1024:.0f} MiB "
        "above the baseline)"
    )


if __name__ == "__main__":
    main()
