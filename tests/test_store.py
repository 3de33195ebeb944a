"""The store on SQLite and on PostgreSQL: index, search, status, actions, migrations.

PostgreSQL is the server named by AFTERWORD_TEST_POSTGRES_URL (CI sets it and fails when the
server is unreachable); without it, the PostgreSQL cases are skipped with the reason.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import MetaData, Table, create_engine, insert, text

from afterword.store import (
    Filters,
    StoreError,
    connect,
    downgrade,
    index,
    revision,
    search,
    upgrade,
)
from afterword.store.queries import owns
from conftest import EXAMPLES

POSTGRES = os.environ.get("AFTERWORD_TEST_POSTGRES_URL")


def _postgres_url():
    if not POSTGRES:
        pytest.skip("AFTERWORD_TEST_POSTGRES_URL is not set (CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{separator}options=-csearch_path%3D{schema}", admin, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / '.afterword' / 'afterword.db'}"
        return
    url, admin, schema = _postgres_url()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def repo(tmp_path):
    """A postmortem repository: the two examples and a third written here."""
    folder = tmp_path / "postmortems"
    folder.mkdir()
    for path in EXAMPLES.glob("*.md"):
        shutil.copyfile(path, folder / path.name)
    (folder / "README.md").write_text("# Our postmortems\n")
    (folder / "2024-05-02-dns.md").write_text(
        "---\ntitle: DNS resolution failures in eu-west\nseverity: SEV1\nstatus: in-review\n"
        "started_at: 2024-05-02T08:00:00Z\nresolved_at: 2024-05-02T09:10:00Z\n"
        "services: [dns, api]\n"
        "tags: [network]\n---\n\n# DNS resolution failures in eu-west\n\n## Summary\n\n"
        "CoreDNS pods were OOM-killed; 40% of API requests failed with SERVFAIL.\n\n"
        "## Action items\n\n| Action item | Owner | Due | Ticket | Status |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| Raise CoreDNS memory limit to 512Mi | @lee | 2024-05-09 | NET-7 | open |\n"
    )
    return folder


def run(cli, database_url, *args):
    return cli(*args, "--database", database_url)


def test_index_is_incremental_and_removes_deleted_files(cli, database_url, repo):
    first = run(cli, database_url, "index", repo)
    assert first.code == 0 and "3 added, 0 updated, 0 unchanged, 0 removed" in first.stdout
    again = run(cli, database_url, "index", repo)
    assert "0 added, 0 updated, 3 unchanged" in again.stdout
    dns = repo / "2024-05-02-dns.md"
    dns.write_text(dns.read_text().replace("SERVFAIL", "SERVFAIL and NXDOMAIN"))
    (repo / "cache-flush-quick.md").unlink()
    third = run(cli, database_url, "index", repo)
    assert "0 added, 1 updated, 1 unchanged, 1 removed" in third.stdout
    found = json.loads(run(cli, database_url, "search", "NXDOMAIN", "--format", "json").stdout)
    assert [r["path"] for r in found["results"]] == ["postmortems/2024-05-02-dns.md"]


def test_unparseable_files_are_listed_and_the_rest_indexed(cli, database_url, repo):
    (repo / "broken.md").write_text("---\ntitle: X\nseverity: SEV9\n---\n")
    result = run(cli, database_url, "index", repo)
    assert result.code == 2
    assert "3 added" in result.stdout and "1 failed" in result.stdout
    assert "broken.md:3: severity: unknown severity 'SEV9'" in result.stderr


def test_search_ranks_and_highlights(cli, database_url, repo):
    run(cli, database_url, "index", repo)
    data = json.loads(
        run(cli, database_url, "search", "connection pool", "--format", "json").stdout
    )
    top = data["results"][0]
    assert set(top) == {"path", "title", "score", "snippet"}
    assert top["path"] == "postmortems/payment-outage-5-whys.md"
    assert "[" in top["snippet"] and "]" in top["snippet"]
    scores = [result["score"] for result in data["results"]]
    assert scores[0] == 1.0 and scores == sorted(scores, reverse=True)


def test_a_word_with_a_star_is_a_prefix(cli, database_url, repo):
    run(cli, database_url, "index", repo)
    data = json.loads(run(cli, database_url, "search", "exhaust* conn*", "--format", "json").stdout)
    assert [r["path"] for r in data["results"]] == ["postmortems/payment-outage-5-whys.md"]
    # the match marked, the sentence's full stop left outside the brackets
    assert "[connection] [exhaustion]." in data["results"][0]["snippet"]
    assert not json.loads(run(cli, database_url, "search", "exhaustx*", "--format", "json").stdout)[
        "results"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--severity", "sev1"], ["postmortems/2024-05-02-dns.md"]),
        (["--service", "dns"], ["postmortems/2024-05-02-dns.md"]),
        (["--tag", "network"], ["postmortems/2024-05-02-dns.md"]),
        (["--since", "2024-05-01"], ["postmortems/2024-05-02-dns.md"]),
        (["--until", "2024-02-01"], ["postmortems/payment-outage-5-whys.md"]),
    ],
)
def test_search_filters(cli, database_url, repo, options, expected):
    run(cli, database_url, "index", repo)
    data = json.loads(
        run(cli, database_url, "search", "failed", "--format", "json", *options).stdout
    )
    assert [r["path"] for r in data["results"]] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["  "], "QUERY: give the words to search for"),
        (
            ["failed", "--since", "2024-05-01", "--until", "2024-02-01"],
            "--until (2024-02-01) is before --since (2024-05-01)",
        ),
        (["failed", "--severity", "SEV9"], "--severity: unknown severity 'SEV9'"),
    ],
)
def test_search_refuses_what_cannot_match(cli, database_url, repo, args, message):
    run(cli, database_url, "index", repo)
    result = run(cli, database_url, "search", *args)
    assert result.code == 2 and message in result.stderr and not result.stdout


def test_search_in_a_zone_filters_by_the_moment(cli, database_url, repo):
    (repo / "cet.md").write_text(
        "---\ntitle: Midnight failover\nstarted_at: 2024-03-01 00:30\ntimezone: CET\n---\n\n"
        "## Summary\n\nThe failover failed.\n"
    )
    run(cli, database_url, "index", repo)

    def paths(*options):
        out = run(cli, database_url, "search", "failover", "--format", "json", *options).stdout
        return [r["path"] for r in json.loads(out)["results"]]

    # 00:30 CET on 1 March is 23:30 UTC on 29 February
    assert paths("--until", "2024-02-29T23:45:00Z") == ["postmortems/cet.md"]
    assert paths("--since", "2024-03-01T00:00:00Z") == []
    assert paths("--since", "2024-02-29T23:30:00Z") == ["postmortems/cet.md"]


def test_common_words_rank_the_newest_matches(cli, database_url, tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(6):
        words = "latency " * (6 - number)  # the oldest files say it most often
        (folder / f"2024-01-0{number + 1}-pm.md").write_text(
            f"# Incident {number}\n\n## Summary\n\n{words}in checkout.\n"
        )
    run(cli, database_url, "index", folder)
    db = connect(database_url)
    every = search(db, "latency", candidates=10)
    assert not every.capped and len(every.results) == 6
    assert every.results[0].title == "Incident 0"  # the best match overall
    newest = search(db, "latency", candidates=3)
    assert newest.capped
    assert [r.title for r in newest.results] == ["Incident 3", "Incident 4", "Incident 5"]
    monkeypatch.setattr(sys.modules["afterword.store.search"], "CANDIDATES", 3)
    shown = run(cli, database_url, "search", "latency")
    assert "more than 3 postmortems match; the 3 most recently indexed were ranked" in (
        shown.stderr
    )
    assert shown.stdout.count("Incident") == 3


@pytest.mark.parametrize(
    "options", [{}, {"service": "dns"}, {"severity": "SEV1", "tag": "network"}, {"tag": "none"}]
)
def test_every_way_to_the_newest_matches_finds_the_same(database_url, repo, monkeypatch, options):
    db = connect(database_url, create=True)
    upgrade(db)
    index(db, [repo])
    module = sys.modules["afterword.store.search"]
    found = []
    # PostgreSQL: every id at once, or the newest few first and then wider ranges
    for spare in (1000.0, 0.001):
        monkeypatch.setattr(module, "SPARE", spare)
        for candidates in (1, 10):
            hits = search(db, "failed", Filters(**options), candidates=candidates)
            found.append(([r.path for r in hits.results], hits.capped))
    assert found[0] == found[2] and found[1] == found[3]
    every, capped = found[1]
    assert not capped and len(every) == (0 if options.get("tag") == "none" else 1 if options else 2)
    newest, capped = found[0]  # one ranked: the most recently indexed match
    assert capped == (len(every) > 1)
    with db.engine.connect() as connection:
        order = connection.execute(text("SELECT path FROM postmortems ORDER BY id DESC")).scalars()
        assert newest == [path for path in order if path in every][:1]


def test_status_late_first(cli, database_url, repo):
    run(cli, database_url, "index", repo)
    data = json.loads(
        run(cli, database_url, "status", "--format", "json", "--today", "2024-05-20").stdout
    )
    by_path = {p["path"]: p for p in data["postmortems"]}
    assert by_path["postmortems/2024-05-02-dns.md"] == {
        "path": "postmortems/2024-05-02-dns.md",
        "title": "DNS resolution failures in eu-west",
        "status": "in-review",
        "stage": "review meeting",
        "due": "2024-05-07",
        "overdue_days": 13,
    }
    late = [p["overdue_days"] for p in data["postmortems"]]
    assert late == sorted(late, reverse=True) and late[0] == 101  # PAY-1413 due 2024-02-09
    stages = {p["path"]: p["stage"] for p in data["postmortems"]}
    assert stages["postmortems/payment-outage-5-whys.md"] == "action items"


def test_status_reads_finalized_at_and_untracked_items(cli, database_url, repo):
    items = (
        "## Action items\n\n| Action item | Owner | Due | Ticket | Status |\n"
        "| --- | --- | --- | --- | --- |\n| Add a canary | lee | 2024-06-01 | {ticket} | open |\n"
    )
    (repo / "finalized.md").write_text(
        "---\ntitle: Finalized\nstatus: in-review\nstarted_at: 2024-05-01 10:00 UTC\n"
        "finalized_at: 2024-05-08 10:00 UTC\n---\n\n" + items.format(ticket="OPS-1")
    )
    (repo / "untracked.md").write_text(
        "---\ntitle: Untracked\nstatus: final\nstarted_at: 2024-05-01 10:00 UTC\n---\n\n"
        + items.format(ticket="")
    )
    run(cli, database_url, "index", repo)
    data = json.loads(
        run(cli, database_url, "status", "--format", "json", "--today", "2024-05-20").stdout
    )
    stages = {p["path"]: (p["stage"], p["due"]) for p in data["postmortems"]}
    assert stages["postmortems/finalized.md"] == ("action items", "2024-06-01")
    assert stages["postmortems/untracked.md"] == ("final and tickets", "2024-05-08")


def test_status_text_on_a_terminal_and_piped(cli, database_url, repo, monkeypatch):
    (repo / "[draft] outage.md").write_text("---\nstatus: draft\n---\n")
    run(cli, database_url, "index", repo)
    piped = run(cli, database_url, "status", "--today", "2024-05-20").stdout.splitlines()
    assert piped[0].startswith("action items       due 2024-02-09      101 days overdue  ")
    assert any(line.endswith("postmortems/[draft] outage.md") for line in piped)
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich takes standard output for a terminal
    shown = run(cli, database_url, "status", "--today", "2024-05-20").stdout.splitlines()
    assert "\x1b[31m    101 days overdue\x1b[0m" in shown[0]
    assert len(shown) == len(piped) and any("[draft] outage.md" in line for line in shown)


def test_actions_contract_and_filters(cli, database_url, repo):
    run(cli, database_url, "index", repo)
    data = json.loads(
        run(
            cli, database_url, "actions", "--format", "json", "--overdue", "--today", "2024-05-20"
        ).stdout
    )["action_items"]
    assert set(data[0]) == {
        "postmortem",
        "title",
        "owner",
        "due",
        "type",
        "ticket",
        "status",
        "overdue_days",
    }
    assert [item["overdue_days"] for item in data] == sorted(
        (i["overdue_days"] for i in data), reverse=True
    )
    mine = json.loads(
        run(
            cli,
            database_url,
            "actions",
            "--format",
            "json",
            "--owner",
            "lee",
            "--today",
            "2024-05-20",
        ).stdout
    )["action_items"]
    assert [(i["title"], i["overdue_days"]) for i in mine] == [
        ("Raise CoreDNS memory limit to 512Mi", 11)
    ]
    done = json.loads(
        run(cli, database_url, "actions", "--format", "json", "--status", "done").stdout
    )
    assert {i["status"] for i in done["action_items"]} == {"done"}


CET_POSTMORTEM = (
    "---\ntitle: Midnight failover\nseverity: SEV2\nstarted_at: 2024-03-01 00:30\n"
    "timezone: CET\nservices: [core]\ntags: [database]\n---\n\n## Summary\n\n"
    "The failover failed.\n"
)


def _store_as_the_first_schema(db, path, content):
    """A postmortem stored as afterword did at schema 0001 (SQLite: times as written, in
    their own zone; PostgreSQL: the search vector filled by an UPDATE)."""
    started = datetime(2024, 3, 1, 0, 30, tzinfo=ZoneInfo("CET"))
    with db.engine.begin() as connection:
        tables = MetaData()
        postmortems = Table("postmortems", tables, autoload_with=connection)
        ident = connection.execute(
            insert(postmortems).returning(postmortems.c.id),
            {
                "path": path,
                "content_hash": hashlib.sha256(content.encode()).hexdigest(),
                "title": "Midnight failover",
                "severity": "SEV2",
                "status": "draft",
                "started_at": started,
                "customer_facing": False,
                "services": ["core"],
                "tags": ["database"],
                "authors": [],
                "summary": "The failover failed.",
                "body": "",
                "indexed_at": started,
            },
        ).scalar_one()
        if db.dialect == "sqlite":
            connection.execute(
                text("INSERT INTO postmortem_search VALUES (:t, :s, '')"),
                {"t": "Midnight failover", "s": "The failover failed."},
            )
        else:
            connection.execute(
                text(
                    "UPDATE postmortems SET search_vector = to_tsvector('english', title"
                    " || ' ' || summary) WHERE id = :id"
                ),
                {"id": ident},
            )


def test_upgrade_from_the_first_schema_keeps_data(cli, database_url, repo):
    db = connect(database_url, create=True)
    assert revision(db) is None
    assert upgrade(db, to="0001") == (None, "0001")
    (repo / "cet.md").write_text(CET_POSTMORTEM)
    _store_as_the_first_schema(db, "postmortems/cet.md", CET_POSTMORTEM)
    before = _contents(db)
    assert run(cli, database_url, "search", "failover").code == 2  # out of date: refused
    upgraded = run(cli, database_url, "db", "upgrade")
    assert upgraded.code == 0 and "upgraded to schema 0003" in upgraded.stdout
    assert "already at schema 0003" in run(cli, database_url, "db", "upgrade").stdout
    assert _contents(db) == before
    # labels were made for the rows already there (and PostgreSQL's search vectors)
    found = run(cli, database_url, "search", "failover", "--service", "core", "--format", "json")
    assert [r["path"] for r in json.loads(found.stdout)["results"]] == ["postmortems/cet.md"]
    # SQLite rows of the first schema are read again, their times now in UTC
    again = run(cli, database_url, "index", repo)
    rewritten = "1 updated" if db.dialect == "sqlite" else "1 unchanged"
    assert again.code == 0 and "3 added" in again.stdout and rewritten in again.stdout
    late = run(
        cli,
        database_url,
        "search",
        "failover",
        "--until",
        "2024-02-29T23:45:00Z",
        "--format",
        "json",
    )
    assert [r["path"] for r in json.loads(late.stdout)["results"]] == ["postmortems/cet.md"]


def test_label_array_migrates_down_and_up_again(database_url, repo):
    """0003 moved PostgreSQL's labels into an array; back to 0002 and up again, every
    filter finds what it found."""
    db = connect(database_url, create=True)
    upgrade(db)
    index(db, [repo])
    filters = [Filters(service="dns"), Filters(severity="SEV1", tag="network"), Filters()]
    before = [[r.path for r in search(db, "failed", f).results] for f in filters]
    assert downgrade(db, "0002") == ("0003", "0002")
    with db.engine.connect() as connection:
        labels = connection.execute(text("SELECT count(*) FROM postmortem_labels")).scalar()
    assert labels and labels >= len(before[2])
    upgrade(db)
    assert [[r.path for r in search(db, "failed", f).results] for f in filters] == before
    assert [len(found) for found in before] == [1, 1, 2]


def _contents(db):
    """Every stored row but ids and index times, table by table."""
    tables = {
        "postmortems": "path, title, severity, status, started_at, services, tags, summary",
        "timeline_events": "position, at, text, source, kind",
        "action_items": "position, title, owner, due, type, ticket, status",
        "root_causes": "text, rank",
    }
    with db.engine.connect() as connection:
        return {
            name: sorted(map(str, connection.execute(text(f"SELECT {columns} FROM {name}"))))
            for name, columns in tables.items()
        }


def test_newer_schema_is_refused(cli, database_url, repo):
    run(cli, database_url, "index", repo)
    db = connect(database_url)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = run(cli, database_url, "search", "dns")
    assert result.code == 2
    assert "schema (9999) is newer than this afterword knows" in result.stderr


def test_missing_database_is_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("search", "dns")
    assert result.code == 2
    assert "no database here yet; run `afterword index DIR` first" in result.stderr


def test_locked_sqlite_database_is_one_line(cli, tmp_path, monkeypatch, repo):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run(cli, url, "index", repo)
    monkeypatch.setenv("AFTERWORD_DB_LOCK_TIMEOUT", "0.2")
    holder = connect(url)
    with holder.engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds the write lock
        (repo / "2024-05-02-dns.md").write_text(
            (repo / "2024-05-02-dns.md").read_text() + "\nmore\n"
        )
        result = run(cli, url, "index", repo)
    assert result.code == 2 and "the database is locked by another process" in result.stderr


def _index_worker(url: str, folder: str) -> None:
    index(connect(url, create=True), [folder])


def test_concurrent_index_runs_neither_corrupt_nor_double_insert(database_url, repo):
    upgrade(connect(database_url, create=True))
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_index_worker, args=(database_url, str(repo))) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    db = connect(database_url)
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT path, COUNT(*) FROM postmortems GROUP BY path")
        ).all()
        assert sorted(count for _, count in rows) == [1, 1, 1]
        if db.dialect == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("SELECT COUNT(*) FROM postmortem_search")).scalar() == 3


def test_store_error_is_an_input_error():
    assert issubclass(StoreError, Exception)
    with pytest.raises(StoreError, match="not a database URL"):
        connect("not a url")


@pytest.mark.parametrize(
    ("name", "wanted", "expected"),
    [
        ("Dana Whitfield", "dana", True),
        ("Dana Whitfield", "WHITFIELD", True),
        ("Dana Whitfield", "dana whitfield", True),
        ("Dana Whitfield", "dan", False),
        ("Dana Whitfield", "whitfield dana", False),
        ("@sam", "sam", True),
        ("@sam", "@SAM", True),
        ("dana.whitfield@example.com", "whitfield", True),
        (None, "sam", False),
        ("@sam", "@", False),
    ],
)
def test_an_owner_is_found_by_the_name_or_one_word_of_it(name, wanted, expected):
    assert owns(name, wanted) is expected
