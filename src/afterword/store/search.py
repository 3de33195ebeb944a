"""Full-text search over titles, summaries, timelines, root causes and action items.

One interface, two engines: SQLite FTS5 (``bm25`` rank) and PostgreSQL full-text search
(``websearch_to_tsquery``, ``ts_rank_cd``, ``ts_headline``). Titles weigh most, then
summaries, then the rest. Matches in snippets are marked with ``[`` and ``]``; a higher
score is a better match.

Ranking costs time for every match, and a common word can match most of a large store.
So when a query matches more than :data:`CANDIDATES` postmortems, the most recently indexed
:data:`CANDIDATES` of them are ranked and the result says so (``capped``); more words or a
filter (``--since``, ``--service``...) narrow the matches until all of them are ranked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from afterword.store.engine import Database, guarded, ready
from afterword.store.schema import PostmortemRow, UTCDateTime

#: Matches ranked at most per query: the most recently indexed ones when there are more.
CANDIDATES = 2000


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


@dataclass
class Found:
    """The best matches, and whether there were more matches than could be ranked."""

    results: list[Result] = field(default_factory=list)
    capped: bool = False


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: each word quoted, all required; ``word*`` is a prefix."""
    words = re.findall(r"[\w'-]+\*?", query)
    if not words:
        return '""'
    return " ".join(f'"{word.rstrip("*")}"' + ("*" if word.endswith("*") else "") for word in words)


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
def search(
    db: Database,
    query: str,
    filters: Filters = Filters(),
    limit: int = 20,
    candidates: int | None = None,
) -> Found:
    """The postmortems matching ``query``, best first; ``candidates`` (default
    :data:`CANDIDATES`) is how many matches are ranked at most."""
    ready(db)
    where, values = _filters(filters, db.dialect)
    ranked = candidates or CANDIDATES
    values |= {"limit": limit, "candidates": ranked, "more": ranked + 1}
    with Session(db.engine) as session:
        if db.dialect == "postgresql":
            return _search_postgres(session, query, where, values)
        return _search_sqlite(session, query, where, values)


def _search_postgres(session: Session, query: str, where: str, values: dict[str, Any]) -> Found:
    # the query written out in each place (not taken from a CTE) so that the planner sees
    # how common its words are: a common word is then found by walking the newest ids
    # backwards, a rare one through the GIN index
    tsquery = "websearch_to_tsquery('english', :query)"
    sql = (
        "WITH newest AS MATERIALIZED (SELECT p.id FROM postmortems p"
        f" WHERE p.search_vector @@ {tsquery}{where} ORDER BY p.id DESC LIMIT :more),"
        f" top AS (SELECT p.id, ts_rank_cd(p.search_vector, {tsquery}) AS score"
        " FROM postmortems p JOIN (SELECT id FROM newest ORDER BY id DESC LIMIT :candidates)"
        " AS kept ON kept.id = p.id ORDER BY score DESC, p.path LIMIT :limit)"
        " SELECT p.path, p.title, top.score, (SELECT count(*) FROM newest) AS matched,"
        f" ts_headline('english', p.summary || ' ' || p.body, {tsquery},"
        " 'StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=1') AS snippet"
        " FROM top JOIN postmortems p ON p.id = top.id ORDER BY top.score DESC, p.path"
    )
    # plan each search for its own words (a generic plan cannot tell common from rare),
    # and never spend longer compiling it than running it
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    session.execute(text("SET LOCAL jit = off"))
    rows = session.execute(_bound(sql), values | {"query": query}).all()
    return Found(
        [Result(r.path, r.title, float(r.score), " ".join(str(r.snippet).split())) for r in rows],
        capped=bool(rows) and rows[0].matched > values["candidates"],
    )


def _search_sqlite(session: Session, query: str, where: str, values: dict[str, Any]) -> Found:
    values = values | {"match": fts5_query(query)}
    matches = (
        "FROM postmortem_search"
        + (" JOIN postmortems p ON p.id = postmortem_search.rowid" if where else "")
        + f" WHERE postmortem_search MATCH :match{where}"
    )
    # how many match (up to one more than are ranked), and the newest one not ranked
    newest = session.execute(
        _bound(
            "SELECT count(*) AS matched, min(id) AS oldest FROM (SELECT postmortem_search.rowid"
            f" AS id {matches} ORDER BY postmortem_search.rowid DESC LIMIT :more)"
        ),
        values,
    ).one()
    capped = newest.matched > values["candidates"]
    cut = " AND postmortem_search.rowid > :oldest" if capped else ""
    rows = session.execute(
        _bound(
            "SELECT p.id, p.path, p.title, top.score FROM (SELECT postmortem_search.rowid AS id,"
            f" -bm25(postmortem_search, 10.0, 4.0, 1.0) AS score {matches}{cut}"
            " ORDER BY score DESC LIMIT :limit) AS top"
            " JOIN postmortems p ON p.id = top.id ORDER BY top.score DESC, p.path"
        ),
        values | {"oldest": newest.oldest},
    ).all()
    # snippets for the rows kept only: SQLite's snippet() would run for every match
    kept = select(PostmortemRow.id, PostmortemRow.summary + " " + PostmortemRow.body)
    found = session.execute(kept.where(PostmortemRow.id.in_([r.id for r in rows])))
    texts: dict[int, str] = {row[0]: row[1] for row in found}
    results = [Result(r.path, r.title, float(r.score), highlight(texts[r.id], query)) for r in rows]
    return Found(results, capped)


def _bound(sql: str) -> Any:
    """A statement whose times are bound as the store stores them (UTC)."""
    statement = text(sql)
    names = [name for name in ("since", "until") if f":{name}" in sql]
    return statement.bindparams(*(bindparam(name, type_=UTCDateTime) for name in names))


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
