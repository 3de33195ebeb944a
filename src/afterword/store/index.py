"""Indexing: every postmortem below some folders into the store, incrementally.

A file whose content hash is unchanged is skipped; a changed one is replaced whole (its
timeline, action items and root causes with it); a file gone from an indexed folder is
removed. A file that fails to parse is reported with its error and the rest go on.

Many files are read and parsed on every core; one process writes them, in batches of
:data:`BATCH` under the store's write lock (PostgreSQL ``COPY``, SQLite ``executemany``).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Text, delete, select, text
from sqlalchemy.orm import Session

from afterword.document.parser import parse_document
from afterword.errors import InputError
from afterword.model import Postmortem
from afterword.store.engine import Database, guarded
from afterword.store.schema import Base, PostmortemRow, label

#: The key of the PostgreSQL advisory lock that writers of the store take.
LOCK_KEY = 0x41465457
#: The SQLite FTS5 table (made by the migration; declared here to write to it).
_FTS = Table(
    "postmortem_search",
    MetaData(),
    Column("rowid", Integer, primary_key=True),
    Column("title", Text),
    Column("summary", Text),
    Column("body", Text),
)

#: The tables of what was read out of a postmortem, each row with its ``postmortem_id``.
CHILDREN = ("timeline_events", "action_items", "root_causes")

#: Files in a postmortem repository that are not postmortems.
NOT_POSTMORTEMS = frozenset(
    {
        "readme.md",
        "changelog.md",
        "contributing.md",
        "license.md",
        "code_of_conduct.md",
        "security.md",
    }
)


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, other: IndexReport) -> None:
        """Count another part of the same run (a batch) into this report."""
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.failed.extend(other.failed)


def postmortem_files(paths: Iterable[str | Path]) -> list[Path]:
    """The Markdown files to index: given files, and every ``*.md`` below given folders.

    Each given path is resolved once, so the files found below it are absolute already.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.md"))
                if p.name.lower() not in NOT_POSTMORTEMS
                and ".afterword" not in p.parts
                and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or folder", path=Path(raw))
    return list(dict.fromkeys(found))


def keyed_files(paths: Iterable[str | Path], root: Path) -> dict[str, Path]:
    """The files to index (:func:`postmortem_files`) by their name in the store: relative
    to the repository root when inside it."""
    base = root.resolve()
    return {_key(path, base): path for path in postmortem_files(paths)}


def _key(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


#: Files read, parsed and written per transaction at most: enough to amortise the commit,
#: small enough to let a concurrent run take its turn.
BATCH = 500
#: From this many files, reading and parsing are spread over the machine's cores.
PARALLEL_FROM = 200

#: One file to index: its key in the store, its path, and the content hash stored for it.
Work = tuple[str, str, str | None]


@dataclass
class Parsed:
    """One changed file, parsed."""

    key: str
    digest: str
    row: dict[str, Any] | None = None
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None


@guarded
def index(
    db: Database, paths: Sequence[str | Path], progress: Callable[[int, int], None] | None = None
) -> IndexReport:
    """Index the postmortems under ``paths``; unchanged files are skipped."""
    report = IndexReport()
    keys = keyed_files(paths, db.root)
    with Session(db.engine) as session:
        known = dict(session.execute(select(PostmortemRow.path, PostmortemRow.content_hash)).all())
    work: list[Work] = [(key, str(path), known.get(key)) for key, path in keys.items()]
    workers = _workers()
    # a few batches per worker even for a few hundred files, so that all of them start
    size = min(BATCH, max(50, -(-len(work) // (4 * max(workers, 1)))))
    batches = [work[i : i + size] for i in range(0, len(work), size)]
    done = 0
    with _collecting_less():
        for (part, parsed), batch in zip(_parsed(batches, workers), batches, strict=True):
            report.add(part)
            _write(db, parsed, report)
            done += len(batch)
            if progress:
                progress(done, len(work))
    root = db.root.resolve()
    roots = [_key(Path(p).resolve(), root) for p in paths if Path(p).is_dir()]
    gone = [key for key in known if key not in keys and _under(key, roots)]
    if gone:
        with Session(db.engine) as session, session.begin():
            _lock(session, db)
            _delete(session, db, gone)
            report.removed += len(gone)
    if report.added + report.updated + report.removed >= ANALYZE_FROM:
        _analyze(db)
    return report


#: From this many rows changed, the planner's statistics are brought up to date.
ANALYZE_FROM = 1000


def _analyze(db: Database) -> None:
    """Refresh the statistics the query planner reads. PostgreSQL's search sizes the range
    of ids it reads from how common the words are: without them it takes every word for a
    rare one (until autovacuum comes by), and a common word's search reads every match."""
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("ANALYZE postmortems"))
        else:
            connection.execute(text("PRAGMA optimize"))


def _parsed(batches: list[list[Work]], workers: int) -> Iterator[tuple[IndexReport, list[Parsed]]]:
    """Each batch read and parsed, in order. Many files are parsed by ``workers`` processes,
    a few batches ahead of the writer: enough to keep every worker busy while a batch is
    written (here, in one process, whose page cache stays warm), few enough that memory does
    not grow with the store."""
    if workers < 1 or sum(map(len, batches)) < PARALLEL_FROM:
        yield from map(read_and_parse, batches)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_collector) as pool:
        pending: collections.deque[Future[tuple[IndexReport, list[Parsed]]]] = collections.deque()
        for batch in batches:
            pending.append(pool.submit(read_and_parse, batch))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _workers() -> int:
    """How many processes parse (0: parse here): one per core. (Measured on 2 cores with
    PostgreSQL: leaving a core to the writer and the server is slower, 91 s against 70.)"""
    cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def _quiet_collector() -> None:
    """A parse worker makes many short-lived objects and few cycles: collect less often."""
    gc.freeze()
    gc.set_threshold(*QUIET_THRESHOLDS)


#: The garbage collector's thresholds while many short-lived objects are made (default:
#: 700, 10, 10): a young collection every 20,000 allocations, not every 700.
QUIET_THRESHOLDS = (20_000, 20, 20)


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    """The writer, too, receives many short-lived objects (the parsed batches) and makes
    few cycles: collect less often while indexing (20% less of its time), then as before."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*QUIET_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def read_and_parse(batch: list[Work]) -> tuple[IndexReport, list[Parsed]]:
    """Read a batch of files and parse those whose content hash changed."""
    part = IndexReport()
    parsed = []
    for key, path, known in batch:
        try:
            content = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            part.failed.append(f"{path}: cannot read: {error}")
            continue
        digest = hashlib.sha256(content.encode()).hexdigest()
        if digest == known:
            part.unchanged += 1
        else:
            parsed.append(_parse_one(key, path, content, digest))
    return part, parsed


def _parse_one(key: str, path: str, content: str, digest: str) -> Parsed:
    try:
        pm = parse_document(content, path=path, for_writing=False).postmortem
    except InputError as error:
        return Parsed(key, digest, error=error.one_line())
    row, children = payload_of(pm, key, digest)
    return Parsed(key, digest, row, children)


def _under(key: str, roots: list[str]) -> bool:
    return any(
        root in ("", ".") or key == root or key.startswith(root.rstrip("/") + "/") for root in roots
    )


def _write(db: Database, batch: list[Parsed], report: IndexReport) -> None:
    """Write one batch in one transaction, under the store's write lock."""
    report.failed.extend(item.error for item in batch if item.error)
    good = [item for item in batch if item.row is not None]
    if not good:
        return
    with Session(db.engine) as session, session.begin():
        _lock(session, db)
        current = dict(
            session.execute(
                select(PostmortemRow.path, PostmortemRow.content_hash).where(
                    PostmortemRow.path.in_([item.key for item in good])
                )
            ).all()
        )
        fresh = [item for item in good if current.get(item.key) != item.digest]
        report.unchanged += len(good) - len(fresh)  # another run indexed them meanwhile
        replaced = [item.key for item in fresh if item.key in current]
        report.updated += len(replaced)
        report.added += len(fresh) - len(replaced)
        if replaced:
            _delete(session, db, replaced)
        if not fresh:
            return
        ids = _new_ids(session, db, len(fresh))
        written = [
            (ident, item.row, item.children)
            for item, ident in zip(fresh, ids, strict=True)
            if item.row is not None
        ]
        tables = Base.metadata.tables
        _bulk_insert(
            session, db, tables["postmortems"], [{"id": i, **row} for i, row, _ in written]
        )
        for name in CHILDREN:
            rows = [{**child, "postmortem_id": i} for i, _, kids in written for child in kids[name]]
            if rows:
                _bulk_insert(session, db, tables[name], rows)
        if db.dialect == "sqlite":
            # PostgreSQL computes its search vector itself (a generated column) and indexes
            # the labels in place
            searchable = ("title", "summary", "body")
            fts = [{"rowid": i, **{c: row[c] for c in searchable}} for i, row, _ in written]
            _bulk_insert(session, db, _FTS, fts)
            labels = [
                {"postmortem_id": i, "label": v} for i, row, _ in written for v in row["labels"]
            ]
            if labels:
                _bulk_insert(session, db, tables["postmortem_labels"], labels)


def _new_ids(session: Session, db: Database, count: int) -> list[int]:
    """Ids for new postmortems, taken before the insert so that rows can go in in bulk."""
    if db.dialect == "postgresql":
        ids = session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('postmortems', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return list(ids)
    # SQLite: the write lock (BEGIN IMMEDIATE) is held, so nobody else is adding rows
    last = session.scalar(text("SELECT coalesce(max(id), 0) FROM postmortems")) or 0
    return list(range(last + 1, last + 1 + count))


def _bulk_insert(session: Session, db: Database, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows, each value converted by its column's type as SQLAlchemy would, but
    without its per-row work: PostgreSQL's COPY, SQLite's executemany."""
    columns = list(rows[0])
    dialect = db.engine.dialect
    processors = [
        (position, processor)
        for position, name in enumerate(columns)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    values = []
    for row in rows:
        value = [row[name] for name in columns]
        for position, processor in processors:
            value[position] = processor(value[position])
        values.append(value)
    raw: Any = session.connection().connection.driver_connection
    names = ", ".join(columns)
    if db.dialect == "postgresql":
        with raw.cursor().copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _lock(session: Session, db: Database) -> None:
    """The store's write lock: SQLite takes it at BEGIN IMMEDIATE; PostgreSQL here.

    On PostgreSQL the commit also does not wait for the disk (``synchronous_commit``): a
    crash can lose the last batches but never corrupts, and the next run indexes them again.
    """
    if db.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        session.execute(text("SET LOCAL synchronous_commit = off"))


def _delete(session: Session, db: Database, keys: list[str]) -> None:
    ids = list(session.scalars(select(PostmortemRow.id).where(PostmortemRow.path.in_(keys))))
    if not ids:
        return
    children = list(CHILDREN)
    if db.dialect == "sqlite":
        session.execute(delete(_FTS).where(_FTS.c.rowid.in_(ids)))
        children.append("postmortem_labels")
    for name in children:
        table = Base.metadata.tables[name]
        session.execute(delete(table).where(table.c.postmortem_id.in_(ids)))
    session.execute(delete(PostmortemRow).where(PostmortemRow.id.in_(ids)))


def summary_of(pm: Postmortem) -> str:
    """What the document says happened: its summary, problem statement or preamble."""
    for key in ("summary", "problem_statement", "impact"):
        section = pm.section(key)
        if section is not None and section.body.strip():
            return section.body.strip()
    return pm.preamble.strip()


def payload_of(
    pm: Postmortem, key: str, digest: str
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The store's row for a parsed postmortem, and its children's rows."""
    body = "\n".join(
        [
            *(event.text for event in pm.timeline),
            *(cause.text for cause in pm.root_causes),
            *(item.title for item in pm.action_items),
            *pm.lessons,
        ]
    )
    row: dict[str, Any] = {
        "path": key,
        "content_hash": digest,
        "title": pm.title,
        "severity": pm.severity.value if pm.severity else None,
        "status": pm.status.value,
        "template": pm.template,
        "started_at": pm.started_at,
        "detected_at": pm.detected_at,
        "mitigated_at": pm.mitigated_at,
        "resolved_at": pm.resolved_at,
        "meeting_at": pm.meeting_at,
        "finalized_at": pm.finalized_at,
        "customer_facing": pm.customer_facing,
        "services": list(pm.services),
        "tags": list(pm.tags),
        "authors": list(pm.authors),
        "labels": [
            label(kind, value)
            for kind, values in (
                ("service", pm.services),
                ("tag", pm.tags),
                ("severity", [pm.severity.value] if pm.severity else []),
            )
            for value in dict.fromkeys(values)
        ],
        "summary": summary_of(pm),
        "body": body,
        "indexed_at": datetime.now(UTC),
    }
    children: dict[str, list[dict[str, Any]]] = {
        "timeline_events": [
            {
                "position": i,
                "at": e.at,
                "text": e.text,
                "source": e.source,
                "kind": e.kind.value if e.kind else None,
            }
            for i, e in enumerate(pm.timeline)
        ],
        "action_items": [
            {
                "position": i,
                "title": a.title,
                "owner": a.owner,
                "due": a.due,
                "type": a.type.value if a.type else None,
                "priority": a.priority,
                "ticket": a.ticket,
                "status": a.status.value,
            }
            for i, a in enumerate(pm.action_items)
        ],
        "root_causes": [
            {"text": c.text, "rank": c.rank.value if c.rank else None} for c in pm.root_causes
        ],
    }
    return row, children
