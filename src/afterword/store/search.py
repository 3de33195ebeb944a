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

import math
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
#: PostgreSQL: the newest matches are looked for among the newest ids first, in a range
#: this many times as wide as the planner's estimate of the matches says they need (each
#: further try four times as wide, up to every id).
SPARE = 1.5


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


#: A word of a query (and of a snippet's tokens): letters, digits, ``'`` and ``-``.
_WORD = r"[\w'-]+"


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: each word quoted, all required; ``word*`` is a prefix."""
    words = re.findall(rf"{_WORD}\*?", query)
    if not words:
        return '""'
    return " ".join(f'"{word.rstrip("*")}"' + ("*" if word.endswith("*") else "") for word in words)


def tsquery_of(query: str) -> tuple[str, dict[str, str]]:
    """A user's words as a PostgreSQL full-text query (SQL) and its values.

    ``websearch_to_tsquery`` reads words, "phrases", ``or`` and ``-excluded`` words; a
    ``word*`` is a prefix, as on SQLite, and is added with ``to_tsquery``'s ``:*``.
    """
    prefixes = [
        part for word in re.findall(rf"({_WORD})\*", query) for part in re.findall(r"\w+", word)
    ]
    words = "websearch_to_tsquery('english', :query)"
    values = {"query": re.sub(rf"{_WORD}\*", " ", query)}
    if not prefixes:
        return words, values
    values["prefixes"] = " & ".join(f"'{part}':*" for part in prefixes)
    return f"({words} && to_tsquery('english', :prefixes))", values


def _filters(filters: Filters, dialect: str) -> tuple[str, dict[str, Any]]:
    """The filters as SQL conditions (`` AND ...``), and their values.

    Services, tags and severity are labels (``service:payments``). PostgreSQL tests a row's
    ``labels`` array, which a GIN index serves. SQLite finds each label's postmortems once,
    through ``postmortem_labels``; the unary ``+`` keeps it from handing that set to FTS5 as
    rowids to look up one by one (seconds for a common word): each match is checked against
    the set instead. The dates are columns of ``postmortems``.
    """
    labels = [
        label(kind, value)
        for kind in ("severity", "service", "tag")
        if (value := getattr(filters, kind))
    ]
    dates = [
        (name, operator)
        for name, operator in (("since", ">="), ("until", "<="))
        if getattr(filters, name)
    ]
    values: dict[str, Any] = {name: getattr(filters, name) for name, _ in dates}
    if dialect == "postgresql":
        clauses = [f"p.started_at {operator} :{name}" for name, operator in dates]
        if labels:
            clauses.append("p.labels @> CAST(:labels AS text[])")
            values["labels"] = labels
        return "".join(f" AND {clause}" for clause in clauses), values
    ids = "+postmortem_search.rowid"
    clauses = [
        f"{ids} IN (SELECT postmortem_id FROM postmortem_labels WHERE label = :label{number})"
        for number in range(len(labels))
    ]
    values |= {f"label{number}": value for number, value in enumerate(labels)}
    if dates:
        during = " AND ".join(f"started_at {operator} :{name}" for name, operator in dates)
        clauses.append(f"{ids} IN (SELECT id FROM postmortems WHERE {during})")
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
    session: Session, query: str, where: str, values: dict[str, Any]
) -> tuple[Sequence[Row[Any]], bool]:
    """The best of the newest :data:`CANDIDATES` matches, found among the newest ids.

    The words (GIN index), the labels (GIN index) and a range of the newest ids (primary
    key) are intersected in the indexes (a BitmapAnd), so that only rows in all of them are
    read: about as many as are ranked, however common the words. The range is as wide as
    the planner's estimate of the matches says it must be to hold :data:`CANDIDATES` + 1
    of them (times :data:`SPARE`); if it holds fewer, a range four times as wide is tried,
    up to every id. When it holds more, the newest of them are the newest of all matches.
    """
    tsquery, words = tsquery_of(query)
    values = values | words
    first, last = session.execute(text("SELECT min(id), max(id) FROM postmortems")).one()
    if last is None:
        return [], False
    # a search is short: never spend longer compiling or starting workers than running it;
    # each is planned for its own words (a generic plan cannot tell common from rare); and
    # rows are found through bitmaps of the indexes, never by walking one index in order
    # and testing every row it passes (~3 us each: a search vector is read)
    session.execute(
        text(
            "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0;"
            " SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_indexscan = off"
        )
    )
    matches = f"p.search_vector @@ {tsquery}{where}"
    plan = session.execute(
        _bound(f"EXPLAIN (FORMAT JSON) SELECT p.id FROM postmortems p WHERE {matches}"), values
    )
    estimated = float(plan.scalar_one()[0]["Plan"]["Plan Rows"])
    span = last - first + 1
    need = values["more"]
    width = math.ceil(need * span / max(estimated, 1.0) * SPARE)
    while True:
        bound = last - width
        within = " AND p.id > :bound" if bound >= first else ""
        sql = (
            "WITH newest AS MATERIALIZED (SELECT p.id, p.path, p.title, p.search_vector"
            f" FROM postmortems p WHERE {matches}{within} ORDER BY p.id DESC LIMIT :more)"
            f" SELECT id, path, title, ts_rank_cd(search_vector, {tsquery}) AS score,"
            " (SELECT count(*) FROM newest) AS matched"
            " FROM (SELECT * FROM newest ORDER BY id DESC LIMIT :candidates) AS kept"
            " ORDER BY score DESC, path LIMIT :limit"
        )
        rows = session.execute(_bound(sql), values | {"bound": bound}).all()
        matched = rows[0].matched if rows else 0
        if not within or matched >= need:
            return rows, matched > values["candidates"]
        width *= 4


def _rank_sqlite(
    session: Session, query: str, where: str, values: dict[str, Any]
) -> tuple[Sequence[Row[Any]], bool]:
    values = values | {"match": fts5_query(query)}
    matches = f"FROM postmortem_search WHERE postmortem_search MATCH :match{where}"
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
    terms = [re.escape(term.lower()) for term in re.findall(_WORD, query)]
    tokens = text.split()
    if not terms or not tokens:
        return " ".join(tokens[:words])
    pattern = re.compile(r"^\W*(?:" + "|".join(terms) + ")", re.IGNORECASE)
    hits = [index for index, token in enumerate(tokens) if pattern.match(token)]
    first = max(0, (hits[0] if hits else 0) - words // 3)
    window = tokens[first : first + words]
    shown = [_marked(token) if pattern.match(token) else token for token in window]
    prefix = "…" if first else ""
    suffix = "…" if first + words < len(tokens) else ""
    return prefix + " ".join(shown) + suffix


def _marked(token: str) -> str:
    """A matching token in [ ], its leading and trailing punctuation left outside:
    ``(exhaustion).`` becomes ``([exhaustion]).``."""
    match = re.fullmatch(r"(\W*)(.*?\w)(\W*)", token)
    if match is None:
        return f"[{token}]"
    before, word, after = match.groups()
    return f"{before}[{word}]{after}"
