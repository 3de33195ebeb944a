"""Indexing and searching many postmortems, on SQLite and on PostgreSQL.

Generates ``--docs`` postmortems (default 100,000) in our format with a generator seeded
for repeatability, indexes them into a fresh SQLite file and a fresh PostgreSQL schema
(``--postgres URL``, default the local server; ``--no-postgres`` to skip it), then runs
``--queries`` searches of one or two words and reports the index time and the search
latency p50/p95 for each engine. Targets from the issue: index <= 60 s, p95 <= 50 ms.

Two vocabularies (``--vocabulary``, both by default):

- ``corpus``: the words of the real postmortems in ``../shared/corpus``, drawn with the
  frequencies they have there; queries are content words drawn by how many of those
  postmortems use them, so common words are asked for most.
- ``small``: a stress case. ~100 incident words drawn uniformly, so that every query
  word is in 10-97% of all documents and nearly every search ranks the capped set.

    python benchmarks/store_bench.py [--docs 100000] [--queries 200] [--postgres URL]
        [--vocabulary corpus|small] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from afterword.store import Filters, connect, index, search, upgrade

SERVICES = [
    "payments",
    "checkout",
    "search",
    "auth",
    "api",
    "dns",
    "kafka",
    "redis",
    "billing",
    "notifications",
    "ingest",
    "flags",
]
CAUSES = [
    "connection pool exhaustion",
    "expired certificate",
    "bad config push",
    "memory leak",
    "disk full",
    "DNS resolution failure",
    "thundering herd after cache flush",
    "retry storm",
    "slow query without index",
    "node NotReady",
    "rate limit misconfigured",
    "schema migration lock",
    "TLS handshake timeout",
    "queue backlog",
]
WORDS = [
    "latency",
    "error",
    "rate",
    "alert",
    "page",
    "rollback",
    "deploy",
    "release",
    "database",
    "replica",
    "primary",
    "lag",
    "timeout",
    "saturation",
    "cpu",
    "memory",
    "pod",
    "node",
    "cluster",
    "region",
    "traffic",
    "customers",
    "requests",
    "failed",
    "restored",
    "mitigated",
    "canary",
    "dashboard",
    "threshold",
]


ROOT = Path(__file__).resolve().parent.parent
#: Words too common to be searched for (the corpus vocabulary's queries leave them out).
_STOP_WORDS = (
    "the and for that with this was were are from have has had not but all can our its "
    "which when what who will would there their they them then than into also been more "
    "some any each other such only over after before about these those could should"
)
STOP = frozenset(_STOP_WORDS.split())


class Vocabulary:
    """Where a generated document's words come from, and which words are searched for."""

    def __init__(self, words: list[str], weights: list[float], queries: list[str]) -> None:
        self.words, self.queries = words, queries
        self.cumulative = list(itertools.accumulate(weights))

    def query(self, rng: random.Random) -> list[str]:
        """One or two different words to search for."""
        words = {rng.choice(self.queries)}
        while len(words) < rng.choice([1, 2]):
            words.add(rng.choice(self.queries))
        return sorted(words)

    def text(self, rng: random.Random, count: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cumulative, k=count))

    @classmethod
    def small(cls) -> Vocabulary:
        causes = [w for cause in CAUSES for w in cause.split()]
        return cls(WORDS, [1.0] * len(WORDS), WORDS + causes + SERVICES)

    @classmethod
    def corpus(cls, folder: Path) -> Vocabulary:
        files = [
            path
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name.lower() not in ("license", "readme.md")
        ]
        counts: collections.Counter[str] = collections.Counter()
        documents: collections.Counter[str] = collections.Counter()
        for path in files:
            found = re.findall(r"[a-z][a-z'-]+[a-z]", path.read_text(errors="replace").lower())
            counts.update(found)
            documents.update(set(found))
        if not counts:
            raise SystemExit(f"no postmortems in {folder} (the corpus beside the project)")
        words = sorted(counts)
        # queries: content words, each as likely as the share of postmortems using it
        content = [w for w in words if len(w) > 3 and w not in STOP and documents[w] > 1]
        queries = [w for w in content for _ in range(documents[w])]
        return cls(words, [float(counts[w]) for w in words], queries)


def document(number: int, rng: random.Random, vocabulary: Vocabulary) -> str:
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(1_000_000))
    service, cause = rng.choice(SERVICES), rng.choice(CAUSES)
    minutes = rng.randrange(5, 300)
    words = functools.partial(vocabulary.text, rng)
    rows = "\n".join(
        f"| {(start + timedelta(minutes=m)):%Y-%m-%d %H:%M} UTC | {words(8)} | | |"
        for m in sorted(rng.sample(range(minutes), k=min(6, minutes)))
    )
    return (
        f"---\ntitle: {service} incident {number} - {cause}\nseverity: SEV{rng.randrange(1, 5)}\n"
        f"status: {rng.choice(['draft', 'in-review', 'final'])}\n"
        f"started_at: {start:%Y-%m-%d %H:%M} UTC\n"
        f"resolved_at: {(start + timedelta(minutes=minutes)):%Y-%m-%d %H:%M} UTC\n"
        f"services: [{service}]\ntags: [{rng.choice(WORDS)}]\n---\n\n"
        f"# {service} incident {number}: {cause}\n\n## Summary\n\n{cause.capitalize()} in "
        f"{service}: {words(30)}.\n\n## Timeline\n\n| Time | Event | Source | Kind |\n"
        f"| --- | --- | --- | --- |\n{rows}\n\n## Root causes\n\n- {cause}: {words(10)}\n\n"
        f"## Action items\n\n| Action item | Owner | Due | Type | Priority | Ticket | Status |\n"
        f"| --- | --- | --- | --- | --- | --- | --- |\n"
        f"| Alert on {words(4)} | @owner{rng.randrange(50)} | "
        f"{(start + timedelta(days=14)).date()} | Detection | P2 | OPS-{number} | open |\n"
    )


def generate(folder: Path, docs: int, vocabulary: Vocabulary) -> None:
    rng = random.Random(42)
    for number in range(docs):
        shard = folder / f"{number // 1000:03d}"
        shard.mkdir(exist_ok=True)
        (shard / f"pm-{number:06d}.md").write_text(document(number, rng, vocabulary))


def measure(
    url: str, folder: Path, queries: int, vocabulary: Vocabulary
) -> tuple[float, list[float], int]:
    """Index time, search latencies, and how many searches matched more than were ranked."""
    db = connect(url, create=True)
    upgrade(db)
    started, before = time.perf_counter(), os.times()
    report = index(db, [folder])
    took, after = time.perf_counter() - started, os.times()
    cpu = sum(after[:4]) - sum(before[:4])  # this process and its parse workers
    print(f"  ({url.split(':')[0]} index: {cpu:.1f} s of CPU in afterword's processes)")
    assert not report.failed, report.failed[:3]
    rng = random.Random(7)
    latencies, capped = [], 0
    for _ in range(queries):
        query = " ".join(vocabulary.query(rng))
        filters = Filters(service=rng.choice(SERVICES)) if rng.random() < 0.2 else Filters()
        began = time.perf_counter()
        found = search(db, query, filters, limit=20)
        latencies.append((time.perf_counter() - began) * 1000)
        capped += found.capped
    db.engine.dispose()
    return took, latencies, capped


def report(name: str, docs: int, took: float, latencies: list[float], capped: int) -> None:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"  {name:10} index {docs} docs: {took:6.1f} s ({docs / took:,.0f} docs/s); "
        f"search p50 {statistics.median(ordered):5.1f} ms, p95 {p95:5.1f} ms "
        f"over {len(ordered)} queries ({capped} matched more than were ranked)",
        flush=True,
    )


def run(args: argparse.Namespace, vocabulary: Vocabulary, tmp: Path) -> None:
    folder = tmp / "postmortems"
    folder.mkdir()
    began = time.perf_counter()
    generate(folder, args.docs, vocabulary)
    print(f"  generated {args.docs} postmortems in {time.perf_counter() - began:.1f} s")
    sqlite = f"sqlite:///{tmp / 'store.db'}"
    report("sqlite", args.docs, *measure(sqlite, folder, args.queries, vocabulary))
    if args.no_postgres:
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
        report("postgresql", args.docs, *measure(url, folder, args.queries, vocabulary))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--vocabulary", choices=["corpus", "small"], action="append")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    for name in args.vocabulary or ["corpus", "small"]:
        vocabulary = Vocabulary.corpus(args.corpus) if name == "corpus" else Vocabulary.small()
        print(f"vocabulary {name}: {len(vocabulary.words):,} words", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            run(args, vocabulary, Path(tmp))


if __name__ == "__main__":
    main()
