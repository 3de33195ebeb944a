"""Indexing: every postmortem below some folders into the store, incrementally.

A file whose content hash is unchanged is skipped; a changed one is replaced whole (its
timeline, action items and root causes with it); a file gone from an indexed folder is
removed. A file that fails to parse is reported with its error and the rest go on.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from afterword.document import parse
from afterword.errors import InputError
from afterword.model import Postmortem
from afterword.store.engine import Database, guarded
from afterword.store.schema import ActionItemRow, PostmortemRow, RootCauseRow, TimelineEventRow

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
    for done, (key, path) in enumerate(keys.items(), start=1):
        _index_one(db, key, path, known.get(key), report)
        if progress:
            progress(done, len(keys))
    roots = [key_of(Path(p), db.root) for p in paths if Path(p).is_dir()]
    gone = [key for key in known if key not in keys and _under(key, roots)]
    if gone:
        with Session(db.engine) as session, session.begin():
            for key in gone:
                _delete(session, db, key)
                report.removed += 1
    return report


def _under(key: str, roots: list[str]) -> bool:
    return any(
        root in ("", ".") or key == root or key.startswith(root.rstrip("/") + "/") for root in roots
    )


def _index_one(
    db: Database, key: str, path: Path, known_hash: str | None, report: IndexReport
) -> None:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.failed.append(f"{path}: cannot read: {error}")
        return
    digest = hashlib.sha256(content.encode()).hexdigest()
    if digest == known_hash:
        report.unchanged += 1
        return
    try:
        pm = parse(content, path=path)
    except InputError as error:
        report.failed.append(error.one_line())
        return
    with Session(db.engine) as session, session.begin():
        _lock(session, db, key)
        existing = session.scalar(select(PostmortemRow).where(PostmortemRow.path == key))
        if existing is not None and existing.content_hash == digest:
            report.unchanged += 1  # another run indexed it meanwhile
            return
        if existing is not None:
            _delete(session, db, key)
            session.flush()
            report.updated += 1
        else:
            report.added += 1
        row = row_of(pm, key, digest)
        session.add(row)
        session.flush()
        _searchable(session, db, row)


def _lock(session: Session, db: Database, key: str) -> None:
    if db.dialect == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(key.encode())}
        )


def _delete(session: Session, db: Database, key: str) -> None:
    ident = session.scalar(select(PostmortemRow.id).where(PostmortemRow.path == key))
    if ident is None:
        return
    if db.dialect == "sqlite":
        session.execute(text("DELETE FROM postmortem_search WHERE rowid = :id"), {"id": ident})
    for table in (TimelineEventRow, ActionItemRow, RootCauseRow):
        session.execute(delete(table).where(table.postmortem_id == ident))
    session.execute(delete(PostmortemRow).where(PostmortemRow.id == ident))


def summary_of(pm: Postmortem) -> str:
    """What the document says happened: its summary, problem statement or preamble."""
    for key in ("summary", "problem_statement", "impact"):
        section = pm.section(key)
        if section is not None and section.body.strip():
            return section.body.strip()
    return pm.preamble.strip()


def row_of(pm: Postmortem, key: str, digest: str) -> PostmortemRow:
    """The store's row for a parsed postmortem, with its children."""
    body = "\n".join(
        [
            *(event.text for event in pm.timeline),
            *(cause.text for cause in pm.root_causes),
            *(item.title for item in pm.action_items),
            *pm.lessons,
        ]
    )
    return PostmortemRow(
        path=key,
        content_hash=digest,
        title=pm.title,
        severity=pm.severity.value if pm.severity else None,
        status=pm.status.value,
        template=pm.template,
        started_at=pm.started_at,
        detected_at=pm.detected_at,
        mitigated_at=pm.mitigated_at,
        resolved_at=pm.resolved_at,
        meeting_at=pm.meeting_at,
        finalized_at=pm.finalized_at,
        customer_facing=pm.customer_facing,
        services=list(pm.services),
        tags=list(pm.tags),
        authors=list(pm.authors),
        summary=summary_of(pm),
        body=body,
        indexed_at=datetime.now(UTC),
        timeline=[
            TimelineEventRow(
                position=i,
                at=e.at,
                text=e.text,
                source=e.source,
                kind=e.kind.value if e.kind else None,
            )
            for i, e in enumerate(pm.timeline)
        ],
        action_items=[
            ActionItemRow(
                position=i,
                title=a.title,
                owner=a.owner,
                due=a.due,
                type=a.type.value if a.type else None,
                priority=a.priority,
                ticket=a.ticket,
                status=a.status.value,
            )
            for i, a in enumerate(pm.action_items)
        ],
        root_causes=[
            RootCauseRow(text=c.text, rank=c.rank.value if c.rank else None) for c in pm.root_causes
        ],
    )


def _searchable(session: Session, db: Database, row: PostmortemRow) -> None:
    values = {"id": row.id, "title": row.title, "summary": row.summary, "body": row.body}
    if db.dialect == "postgresql":
        session.execute(
            text(
                "UPDATE postmortems SET search_vector ="
                " setweight(to_tsvector('english', :title), 'A')"
                " || setweight(to_tsvector('english', :summary), 'B')"
                " || setweight(to_tsvector('english', :body), 'C') WHERE id = :id"
            ),
            values,
        )
    else:
        session.execute(
            text(
                "INSERT INTO postmortem_search(rowid, title, summary, body)"
                " VALUES (:id, :title, :summary, :body)"
            ),
            values,
        )
