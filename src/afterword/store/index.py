"""Indexing: every postmortem below some folders into the store, incrementally.

A file whose content hash is unchanged is skipped; a changed one is replaced whole (its
timeline, action items and root causes with it); a file gone from an indexed folder is
removed. A file that fails to parse is reported with its error and the rest go on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Text, delete, insert, select, text
from sqlalchemy.orm import Session

from afterword.document import parse
from afterword.errors import InputError
from afterword.model import Postmortem
from afterword.store.engine import Database, guarded
from afterword.store.schema import ActionItemRow, PostmortemRow, RootCauseRow, TimelineEventRow

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


def postmortem_files(paths: Iterable[str | Path]) -> list[Path]:
    """The Markdown files to index: given files, and every ``*.md`` below given folders."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.md"))
                if p.is_file()
                and p.name.lower() not in NOT_POSTMORTEMS
                and ".afterword" not in p.parts
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    return list(dict.fromkeys(found))


def key_of(path: Path, root: Path) -> str:
    """How a file is named in the store: relative to the repository root when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


#: Files written per transaction: enough to amortise the commit, small enough to let a
#: concurrent run take its turn.
BATCH = 500
#: From this many changed files, parsing is spread over the machine's cores.
PARALLEL_FROM = 200


@dataclass
class Parsed:
    """One file read and parsed (in a worker process when there are many)."""

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
    files = postmortem_files(paths)
    keys = {key_of(path, db.root): path for path in files}
    with Session(db.engine) as session:
        known = dict(session.execute(select(PostmortemRow.path, PostmortemRow.content_hash)).all())
    changed = []
    for key, path in keys.items():
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.failed.append(f"{path}: cannot read: {error}")
            continue
        digest = hashlib.sha256(content.encode()).hexdigest()
        if digest == known.get(key):
            report.unchanged += 1
        else:
            changed.append((key, str(path), content, digest))
    workers = os.cpu_count() or 1
    if workers > 1 and len(changed) >= PARALLEL_FROM:
        _index_in_workers(db, changed, workers, report, progress, len(keys))
    else:
        done = report.unchanged
        for batch in _batches((_parse_one(item) for item in changed), BATCH):
            _write(db, batch, report)
            done += len(batch)
            if progress:
                progress(done, len(keys))
    roots = [key_of(Path(p), db.root) for p in paths if Path(p).is_dir()]
    gone = [key for key in known if key not in keys and _under(key, roots)]
    if gone:
        with Session(db.engine) as session, session.begin():
            _lock(session, db)
            _delete(session, db, gone)
            report.removed += len(gone)
    return report


def _batches(items: Iterable[Parsed], size: int) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _index_in_workers(
    db: Database,
    changed: list[tuple[str, str, str, str]],
    workers: int,
    report: IndexReport,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> None:
    """Many files: each worker parses a batch and writes it itself, under the store's write
    lock, so parsing runs on every core and only counts come back."""
    batches = [changed[i : i + BATCH] for i in range(0, len(changed), BATCH)]
    done = report.unchanged
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part, batch in zip(
            pool.map(_index_batch, [db.url] * len(batches), [str(db.root)] * len(batches), batches),
            batches,
            strict=True,
        ):
            report.added += part.added
            report.updated += part.updated
            report.unchanged += part.unchanged
            report.failed.extend(part.failed)
            done += len(batch)
            if progress:
                progress(done, total)


def _index_batch(url: str, root: str, batch: list[tuple[str, str, str, str]]) -> IndexReport:
    from afterword.store.engine import connect

    db = connect(url)
    db.root = Path(root)
    part = IndexReport()
    try:
        _write(db, [_parse_one(item) for item in batch], part)
    finally:
        db.engine.dispose()
    return part


def _parse_one(item: tuple[str, str, str, str]) -> Parsed:
    key, path, content, digest = item
    try:
        pm = parse(content, path=path)
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
        ids = (
            session.execute(
                insert(PostmortemRow).returning(PostmortemRow.id, sort_by_parameter_order=True),
                [item.row for item in fresh if item.row is not None],
            )
            .scalars()
            .all()
        )
        for table in (TimelineEventRow, ActionItemRow, RootCauseRow):
            rows = [
                {**child, "postmortem_id": ident}
                for item, ident in zip(fresh, ids, strict=True)
                for child in item.children[table.__tablename__]
            ]
            if rows:
                session.execute(insert(table), rows)
        _searchable(
            session,
            db,
            [
                {
                    "id": ident,
                    "title": item.row["title"],
                    "summary": item.row["summary"],
                    "body": item.row["body"],
                }
                for item, ident in zip(fresh, ids, strict=True)
                if item.row is not None
            ],
        )


def _lock(session: Session, db: Database) -> None:
    """The store's write lock: SQLite takes it at BEGIN IMMEDIATE; PostgreSQL here."""
    if db.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _delete(session: Session, db: Database, keys: list[str]) -> None:
    ids = list(session.scalars(select(PostmortemRow.id).where(PostmortemRow.path.in_(keys))))
    if not ids:
        return
    if db.dialect == "sqlite":
        session.execute(delete(_FTS).where(_FTS.c.rowid.in_(ids)))
    for table in (TimelineEventRow, ActionItemRow, RootCauseRow):
        session.execute(delete(table).where(table.postmortem_id.in_(ids)))
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


def _searchable(session: Session, db: Database, rows: list[dict[str, Any]]) -> None:
    if db.dialect == "postgresql":
        session.execute(
            text(
                "UPDATE postmortems SET search_vector ="
                " setweight(to_tsvector('english', :title), 'A')"
                " || setweight(to_tsvector('english', :summary), 'B')"
                " || setweight(to_tsvector('english', :body), 'C') WHERE id = :id"
            ),
            rows,
        )
    else:
        session.execute(
            insert(_FTS),
            [
                {"rowid": r["id"], "title": r["title"], "summary": r["summary"], "body": r["body"]}
                for r in rows
            ],
        )
