"""Full-text search over titles, summaries, timelines, root causes and action items.

One interface, two engines: SQLite FTS5 (``bm25`` rank) and PostgreSQL full-text search
(``websearch_to_tsquery``, ``ts_rank_cd``); snippets are made here, alike for both.
Titles weigh most, then summaries, then the rest. Matches in snippets are marked with
``[`` and ``]``. Scores are relative: the best match scores 1, and a match half as good
0.5, on either engine (raw ``bm25`` scores are near zero in a store of a few postmortems,
whatever the match).

Ranking costs time for every match, and a common word can match most of a large store.
So when a query matches more than :data:`CANDIDATES` postmortems, the most recently indexed
:data:`CANDIDATES` of them are ranked and the result says so (``capped``); more words or a
filter (``--since``, ``--service``...) narrow the matches until all of them are ranked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, text
from sqlalchemy.orm import Session

from afterword.store.engine import Database, guarded, ready
from afterword.store.schema import PostmortemRow, UTCDateTime, label

#: Matches ranked at most per query: the most recently indexed ones when there are more.
CANDIDATES = 1000
#: PostgreSQL: from this share of the store matching, the newest matches are found by
#: walking the ids backwards (each row tested: ~3 us), below it through the GIN index
#: (each match fetched: ~1.3 us); both cost about the same at 15% of 100,000.
WALK_FROM = 0.15


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

    def __post_init__(self) -> None:
        best = max((result.score for result in self.results), default=0.0)
        if best > 0:
            self.results = [replace(result, score=result.score / best) for result in self.results]


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: each word quoted, all required; ``word*`` is a prefix."""
    words = re.findall(r"[\w'-]+\*?", query)
    if not words:
        return '""'
    return " ".join(f'"{word.rstrip("*")}"' + ("*" if word.endswith("*") else "") for word in words)


def _filters(filters: Filters, ids: str) -> tuple[dict[str, str], dict[str, Any]]:
    """SQL conditions on the column ``ids`` (postmortem ids), by filter, and their values.

    Services, tags and severity are labels: each filter is the set of ids carrying its
    label, found once through the label index. The dates are columns of ``postmortems``.
    The unary ``+`` keeps SQLite from handing the set to FTS5 as rowids to look up one by
    one (seconds for a common word); each match is checked against the set instead.
    """
    clauses: dict[str, str] = {}
    values: dict[str, Any] = {}
    for kind in ("severity", "service", "tag"):
        value = getattr(filters, kind)
        if value:
            clauses[kind] = (
                f"+{ids} IN (SELECT postmortem_id FROM postmortem_labels WHERE label = :{kind})"
            )
            values[kind] = label(kind, value)
    dates = [
        f"started_at {operator} :{name}"
        for name, operator in (("since", ">="), ("until", "<="))
        if getattr(filters, name)
    ]
    if dates:
        values |= {name: getattr(filters, name) for name in ("since", "until")}
        clauses["dates"] = f"+{ids} IN (SELECT id FROM postmortems WHERE {' AND '.join(dates)})"
    return clauses, values


def _and(clauses: dict[str, str], leaving: str | None = None) -> str:
    return "".join(f" AND {clause}" for name, clause in clauses.items() if name != leaving)


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
    ids = "p.id" if db.dialect == "postgresql" else "postmortem_search.rowid"
    where, values = _filters(filters, ids)
    ranked = candidates or CANDIDATES
    values |= {"limit": limit, "candidates": ranked, "more": ranked + 1}
    with Session(db.engine) as session:
        if db.dialect == "postgresql":
            rows, capped = _rank_postgres(session, query, where, values)
        else:
            rows, capped = _rank_sqlite(session, query, where, values)
        # snippets for the rows kept only: made by the engine, they would be made for
        # every match before the sort
        kept = select(PostmortemRow.id, PostmortemRow.summary + " " + PostmortemRow.body)
        found = session.execute(kept.where(PostmortemRow.id.in_([r.id for r in rows])))
        texts: dict[int, str] = {row[0]: row[1] for row in found}
    results = [Result(r.path, r.title, float(r.score), highlight(texts[r.id], query)) for r in rows]
    return Found(results, capped)


def _rank_postgres(
    session: Session, query: str, where: dict[str, str], values: dict[str, Any]
) -> tuple[Sequence[Row[Any]], bool]:
    tsquery = "websearch_to_tsquery('english', :query)"
    values = values | {"query": query}
    # a search is short: never spend longer compiling or starting workers than running it;
    # and each is planned for its own words (a generic plan cannot tell common from rare)
    session.execute(
        text(
            "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0;"
            " SET LOCAL plan_cache_mode = force_custom_plan"
        )
    )
    sql = (
        f"WITH newest AS MATERIALIZED ({_newest_postgres(session, tsquery, where, values)}),"
        f" top AS (SELECT p.id, ts_rank_cd(p.search_vector, {tsquery}) AS score"
        " FROM postmortems p JOIN (SELECT id FROM newest ORDER BY id DESC LIMIT :candidates)"
        " AS kept ON kept.id = p.id ORDER BY score DESC, p.path LIMIT :limit)"
        " SELECT p.id, p.path, p.title, top.score, (SELECT count(*) FROM newest) AS matched"
        " FROM top JOIN postmortems p ON p.id = top.id ORDER BY top.score DESC, p.path"
    )
    rows = session.execute(_bound(sql), values).all()
    return rows, bool(rows) and rows[0].matched > values["candidates"]


def _newest_postgres(
    session: Session, tsquery: str, where: dict[str, str], values: dict[str, Any]
) -> str:
    """The query for the newest matches, shaped by how common the words are.

    Testing a row for the words costs ~3 us (its search vector is read), fetching a match
    that the GIN index found ~1.3 us, and the planner underrates the first; so the shape is
    chosen here, on the planner's estimate of how many postmortems have the words:

    - rare words (under :data:`WALK_FROM` of the store): every match through the GIN
      index, then the newest kept;
    - common words with a service, tag or severity filter: the postmortems with that label,
      newest first (the label index is in id order), until enough have the words;
    - common words alone: every postmortem, newest first, until enough have the words.
    """
    words = f"p.search_vector @@ {tsquery}"
    plan = session.execute(
        _bound(f"EXPLAIN (FORMAT JSON) SELECT p.id FROM postmortems p WHERE {words}"), values
    )
    estimated = float(plan.scalar_one()[0]["Plan"]["Plan Rows"])
    stored = session.execute(
        text("SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'postmortems'::regclass")
    ).scalar_one()
    if estimated < WALK_FROM * float(stored):
        return (
            f"SELECT p.id FROM postmortems p WHERE {words}{_and(where)}"
            " ORDER BY p.id + 0 DESC LIMIT :more"
        )
    kind = next((kind for kind in ("service", "tag", "severity") if kind in where), None)
    if kind is not None:
        # LATERAL: the labelled ids, newest first, each row then fetched and tested (the
        # planner would rather test every postmortem for the words, newest first)
        return (
            "SELECT l.id FROM (SELECT postmortem_id AS id FROM postmortem_labels"
            f" WHERE label = :{kind} ORDER BY postmortem_id DESC) AS l CROSS JOIN LATERAL"
            f" (SELECT 1 FROM postmortems p WHERE p.id = l.id AND {words}{_and(where, kind)})"
            " AS hit ORDER BY l.id DESC LIMIT :more"
        )
    return (
        f"SELECT p.id FROM postmortems p WHERE {words}{_and(where)} ORDER BY p.id DESC LIMIT :more"
    )


def _rank_sqlite(
    session: Session, query: str, where: dict[str, str], values: dict[str, Any]
) -> tuple[Sequence[Row[Any]], bool]:
    values = values | {"match": fts5_query(query)}
    matches = f"FROM postmortem_search WHERE postmortem_search MATCH :match{_and(where)}"
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
    return rows, capped


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
