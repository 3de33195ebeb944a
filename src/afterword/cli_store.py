"""The store commands: ``db upgrade``, ``index``, ``search``, ``status`` and ``actions``."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from afterword.cli import (
    ConfigOption,
    Format,
    FormatOption,
    _day,
    app,
    console,
    emit_json,
    reports_errors,
)
from afterword.config import load_config
from afterword.errors import UsageError
from afterword.model import severity_of
from afterword.timeutil import parse_datetime

if TYPE_CHECKING:
    from afterword.store import Database, IndexReport

db_app = typer.Typer(help="The store's database: create or migrate it.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL; default: $AFTERWORD_DATABASE_URL, else "
        "sqlite:///.afterword/afterword.db.",
    ),
]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Count lateness as of this day (YYYY-MM-DD).")
]


@db_app.command("upgrade")
@reports_errors
def db_upgrade(database: DatabaseOption = None) -> None:
    """Create the database, or migrate it to the newest schema; data is kept."""
    from afterword.store import connect, upgrade

    db = connect(database, create=True)
    before, after = upgrade(db)
    state = "created" if before is None else ("already at" if before == after else "upgraded to")
    sys.stdout.write(f"database {state} schema {after}\n")


@app.command("index")
@reports_errors
def index_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Postmortem files or folders (every *.md below, READMEs and the like left out)."
        ),
    ],
    database: DatabaseOption = None,
) -> None:
    """Index postmortems into the store: incremental by content hash.

    Unchanged files are skipped, changed ones replaced, files gone from an indexed folder
    removed; a file that fails to parse is listed with its error and the rest go on.
    The database is created or migrated first when needed.
    """
    from afterword.store import connect, upgrade

    db = connect(database, create=True)
    upgrade(db)
    report = _index_with_progress(db, paths)
    sys.stdout.write(
        f"indexed: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed, "
        f"{len(report.failed)} failed\n"
    )
    for failure in report.failed:
        sys.stderr.write(f"afterword: error: {failure}\n")
    if report.failed:
        raise typer.Exit(2)


def _index_with_progress(db: Database, paths: list[Path]) -> IndexReport:
    from afterword.store import index

    if not sys.stderr.isatty():
        return index(db, paths)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("indexing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return index(db, paths, advance)


@app.command()
@reports_errors
def search(
    query: Annotated[
        str,
        typer.Argument(
            help='Words to find; PostgreSQL also takes "phrases", or and -excluded words.'
        ),
    ],
    severity: Annotated[str | None, typer.Option("--severity", help="Only this severity.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only this tag.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Incidents started from this date or time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Incidents started up to this date or time.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 20,
    output: FormatOption = Format.text,
    database: DatabaseOption = None,
) -> None:
    """Search titles, summaries, timelines, root causes and action items, best first.

    JSON: {"results": [{"path", "title", "score", "snippet"}]}; matches in snippets are
    marked with [ and ].
    """
    from afterword.store import Filters, connect
    from afterword.store import search as run

    filters = Filters(
        severity=_severity(severity),
        service=service,
        tag=tag,
        since=_moment(since, "--since"),
        until=_moment(until, "--until"),
    )
    results = run(connect(database), query, filters, limit)
    if output is Format.json:
        emit_json({"results": [result.as_dict() for result in results]})
        return
    for result in results:
        sys.stdout.write(
            f"{result.score:7.3f}  {result.path}  {result.title}\n         {result.snippet}\n"
        )
    if not results:
        sys.stdout.write("no postmortem matches\n")


def _severity(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return severity_of(value).value
    except ValueError as error:
        raise UsageError(f"--severity: {error}") from None


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value if ":" in value else f"{value} 00:00", UTC)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


@app.command()
@reports_errors
def status(
    output: FormatOption = Format.text,
    today: TodayOption = None,
    database: DatabaseOption = None,
    config: ConfigOption = None,
) -> None:
    """Each postmortem's stage, next due date and days overdue; late ones first.

    Stages follow the seed: draft (day 2), review meeting (day 5), final and tickets
    (day 7), action items (week 2+), quarterly review.
    """
    from afterword.store import connect, statuses

    found = statuses(connect(database), _day(today, "--today") or date.today(), load_config(config))
    if output is Format.json:
        emit_json({"postmortems": [item.as_dict() for item in found]})
        return
    out = console()
    for item in found:
        late = f"[red]{item.stage.overdue_days} days overdue[/]" if item.stage.overdue_days else ""
        due = item.stage.due.isoformat() if item.stage.due else "no date"
        out.print(f"{item.stage.stage:18} due {due:10}  {late:>20}  {item.path}")


class ActionStatusFilter(StrEnum):
    open = "open"
    done = "done"


@app.command()
@reports_errors
def actions(
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's items.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    state: Annotated[
        ActionStatusFilter | None, typer.Option("--status", help="open or done.")
    ] = None,
    output: FormatOption = Format.text,
    today: TodayOption = None,
    database: DatabaseOption = None,
) -> None:
    """Action items across all postmortems, the most overdue first.

    JSON: {"action_items": [{"postmortem", "title", "owner", "due", "type", "ticket",
    "status", "overdue_days"}]}.
    """
    from afterword.store import action_items, connect

    found = action_items(
        connect(database),
        _day(today, "--today") or date.today(),
        owner=owner,
        overdue=overdue,
        status=state.value if state else None,
    )
    if output is Format.json:
        emit_json({"action_items": [item.as_dict() for item in found]})
        return
    for item in found:
        late = f"{item.overdue_days}d late" if item.overdue_days else ""
        sys.stdout.write(
            f"{item.status:11} {item.due or ''!s:10} {late:>9}  "
            f"{item.owner or '(no owner)':18} {item.title}  [{item.postmortem}]\n"
        )
