"""Full-text search over titles, summaries, timelines, root causes and action items.

One interface, two engines: SQLite FTS5 (``bm25`` rank, ``snippet``) and PostgreSQL
full-text search (``websearch_to_tsquery``, ``ts_rank_cd``, ``ts_headline``). Matches in
snippets are marked with ``[`` and ``]``; a higher score is a better match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from afterword.store.engine import Database, guarded, ready
from afterword.store.schema import PostmortemRow


@dataclass(frozen=True)
class Filters:
    severity: str | None = None
    service: str | None = None
    tag: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Result:
    path: str
    title: str
    score: float
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: each word quoted, all required, the last a prefix."""
    words = re.findall(r"[\w'-]+", query)
    if not words:
        return '""'
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _filters(filters: Filters, dialect: str) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    values: dict[str, Any] = {}
    if filters.severity:
        clauses.append("p.severity = :severity")
        values["severity"] = filters.severity
    for name in ("service", "tag"):
        value = getattr(filters, name)
        if value:
            column = f"p.{name}s"
            clauses.append(
                f"({column})::jsonb ? :{name}"
                if dialect == "postgresql"
                else f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = :{name})"
            )
            values[name] = value
    if filters.since:
        clauses.append("p.started_at >= :since")
        values["since"] = filters.since
    if filters.until:
        clauses.append("p.started_at <= :until")
        values["until"] = filters.until
    return "".join(f" AND {clause}" for clause in clauses), values


@guarded
def search(db: Database, query: str, filters: Filters = Filters(), limit: int = 20) -> list[Result]:
    """The postmortems matching ``query``, best first."""
    ready(db)
    where, values = _filters(filters, db.dialect)
    values |= {"limit": limit}
    # rank and limit first, then make snippets for the few rows kept: a snippet for every
    # matching row (thousands for a common word) is what makes a search slow
    if db.dialect == "postgresql":
        sql = (
            "WITH q AS (SELECT websearch_to_tsquery('english', :query) AS query),"
            " top AS (SELECT p.id, ts_rank_cd(p.search_vector, q.query) AS score"
            f" FROM postmortems p, q WHERE p.search_vector @@ q.query{where}"
            " ORDER BY score DESC, p.path LIMIT :limit)"
            " SELECT p.path, p.title, top.score,"
            " ts_headline('english', p.summary || ' ' || p.body, q.query,"
            " 'StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=1') AS snippet"
            " FROM top JOIN postmortems p ON p.id = top.id, q ORDER BY top.score DESC, p.path"
        )
        values["query"] = query
    elif where:
        sql = (
            "SELECT p.id, p.path, p.title, -bm25(postmortem_search, 10.0, 4.0, 1.0) AS score"
            " FROM postmortem_search JOIN postmortems p ON p.id = postmortem_search.rowid"
            f" WHERE postmortem_search MATCH :query{where} ORDER BY score DESC, p.path"
            " LIMIT :limit"
        )
        values["query"] = fts5_query(query)
    else:
        # without filters, rank inside FTS5 first and join only the rows kept
        sql = (
            "SELECT p.id, p.path, p.title, top.score FROM ("
            "SELECT rowid AS id, -bm25(postmortem_search, 10.0, 4.0, 1.0) AS score"
            " FROM postmortem_search WHERE postmortem_search MATCH :query"
            " ORDER BY score DESC LIMIT :limit) AS top"
            " JOIN postmortems p ON p.id = top.id ORDER BY top.score DESC, p.path"
        )
        values["query"] = fts5_query(query)
    with Session(db.engine) as session:
        rows = session.execute(text(sql), values).all()
        if db.dialect == "postgresql":
            return [
                Result(r.path, r.title, float(r.score), " ".join(str(r.snippet).split()))
                for r in rows
            ]
        # SQLite's snippet() would run for every matching row before the sort; made here
        # for the rows kept, it costs nothing however common the word
        query_texts = select(PostmortemRow.id, PostmortemRow.summary + " " + PostmortemRow.body)
        found = session.execute(query_texts.where(PostmortemRow.id.in_([r.id for r in rows])))
        texts: dict[int, str] = {row[0]: row[1] for row in found}
    return [
        Result(r.path, r.title, float(r.score), highlight(texts.get(r.id, ""), query)) for r in rows
    ]


def highlight(text: str, query: str, words: int = 16) -> str:
    """A window of ``text`` around the first match of the query's words, matches in [ ]."""
    terms = [re.escape(term.lower()) for term in re.findall(r"[\w'-]+", query)]
    tokens = text.split()
    if not terms or not tokens:
        return " ".join(tokens[:words])
    pattern = re.compile(r"^\W*(?:" + "|".join(terms) + ")", re.IGNORECASE)
    hits = [index for index, token in enumerate(tokens) if pattern.match(token)]
    first = max(0, (hits[0] if hits else 0) - words // 3)
    window = tokens[first : first + words]
    shown = [f"[{token}]" if pattern.match(token) else token for token in window]
    prefix = "…" if first else ""
    suffix = "…" if first + words < len(tokens) else ""
    return prefix + " ".join(shown) + suffix
