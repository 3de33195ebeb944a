"""Indexing and searching many postmortems, on SQLite and on PostgreSQL.

Generates ``--docs`` postmortems (default 100,000) in our format with a generator seeded
for repeatability, indexes them into a fresh SQLite file and a fresh PostgreSQL schema
(``--postgres URL``, default the local server; ``--no-postgres`` to skip it), then runs
``--queries`` searches of one or two words and reports the index time and the search
latency p50/p95 for each engine. Targets from the issue: index <= 60 s, p95 <= 50 ms.

    python benchmarks/store_bench.py [--docs 100000] [--queries 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
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


def document(number: int, rng: random.Random) -> str:
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(1_000_000))
    service, cause = rng.choice(SERVICES), rng.choice(CAUSES)
    minutes = rng.randrange(5, 300)
    words = lambda n: " ".join(rng.choices(WORDS, k=n))  # noqa: E731
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


def generate(folder: Path, docs: int) -> None:
    rng = random.Random(42)
    for number in range(docs):
        shard = folder / f"{number // 1000:03d}"
        shard.mkdir(exist_ok=True)
        (shard / f"pm-{number:06d}.md").write_text(document(number, rng))


def measure(url: str, folder: Path, queries: int) -> tuple[float, list[float]]:
    db = connect(url, create=True)
    upgrade(db)
    started = time.perf_counter()
    report = index(db, [folder])
    took = time.perf_counter() - started
    assert not report.failed, report.failed[:3]
    rng = random.Random(7)
    vocabulary = WORDS + [w for cause in CAUSES for w in cause.split()] + SERVICES
    latencies = []
    for _ in range(queries):
        query = " ".join(rng.sample(vocabulary, k=rng.choice([1, 2])))
        filters = Filters(service=rng.choice(SERVICES)) if rng.random() < 0.2 else Filters()
        began = time.perf_counter()
        search(db, query, filters, limit=20)
        latencies.append((time.perf_counter() - began) * 1000)
    db.engine.dispose()
    return took, latencies


def report(name: str, docs: int, took: float, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:10} index {docs} docs: {took:6.1f} s ({docs / took:,.0f} docs/s); "
        f"search p50 {statistics.median(ordered):5.1f} ms, p95 {p95:5.1f} ms "
        f"over {len(ordered)} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "postmortems"
        folder.mkdir()
        began = time.perf_counter()
        generate(folder, args.docs)
        print(f"generated {args.docs} postmortems in {time.perf_counter() - began:.1f} s")
        took, latencies = measure(f"sqlite:///{Path(tmp) / 'store.db'}", folder, args.queries)
        report("sqlite", args.docs, took, latencies)
        if args.no_postgres:
            return
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            separator = "&" if "?" in args.postgres else "?"
            url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
            took, latencies = measure(url, folder, args.queries)
            report("postgresql", args.docs, took, latencies)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
