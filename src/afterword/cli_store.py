"""The store commands: ``db upgrade``, ``index``, ``search``, ``status`` and ``actions``."""

from __future__ import annotations

import contextlib
import sys
from datetime import UTC, date
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
    moment_option,
    reports_errors,
)
from afterword.config import load_config
from afterword.errors import UsageError
from afterword.model import severity_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from afterword.store import Database, IndexReport
    from afterword.store.queries import PostmortemStatus
    from afterword.tracker.model import Tracker


class RemindFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


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
            help='Words to find, all of them (stemmed: deploy finds "deployed"); word* is a'
            ' prefix. PostgreSQL also takes "phrases", or, and -excluded words (a query that'
            " starts with - goes after --)."
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
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many results.")] = 20,
    output: FormatOption = Format.text,
    database: DatabaseOption = None,
) -> None:
    """Search titles, summaries, timelines, root causes and action items, best first.

    JSON: {"results": [{"path", "title", "score", "snippet"}]}; matches in snippets are
    marked with [ and ].
    """
    from afterword.store import Filters, connect
    from afterword.store import search as run
    from afterword.store.search import CANDIDATES

    if not query.strip():
        raise UsageError("QUERY: give the words to search for")
    filters = Filters(
        severity=_severity(severity),
        service=service,
        tag=tag,
        since=moment_option(since, "--since", UTC),
        until=moment_option(until, "--until", UTC),
    )
    if filters.since and filters.until and filters.until < filters.since:
        raise UsageError(f"--until ({until}) is before --since ({since})")
    found = run(connect(database), query, filters, limit)
    if found.capped:
        sys.stderr.write(
            f"note: more than {CANDIDATES:,} postmortems match; the {CANDIDATES:,} most recently"
            " indexed were ranked (add words or a filter such as --since to narrow)\n"
        )
    if output is Format.json:
        emit_json({"results": [result.as_dict() for result in found.results]})
        return
    for result in found.results:
        sys.stdout.write(
            f"{result.score:7.3f}  {result.path}  {result.title}\n         {result.snippet}\n"
        )
    if not found.results:
        sys.stdout.write("no postmortem matches\n")


def _severity(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return severity_of(value).value
    except ValueError as error:
        raise UsageError(f"--severity: {error}") from None


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
    (day 7), action items (week 2+), quarterly review. The stage comes from the front
    matter (status, meeting_at, finalized_at) and the action items: a final document
    stays in "final and tickets" while an open item has no ticket, and is in "action
    items", due when the earliest open item is, until every item is done.
    """
    from afterword.store import connect, statuses

    found = statuses(connect(database), _day(today, "--today") or date.today(), load_config(config))
    if output is Format.json:
        emit_json({"postmortems": [item.as_dict() for item in found]})
        return
    out = console()
    if not out.is_terminal:  # piped or redirected: plain lines, quick for a large store
        sys.stdout.writelines(
            f"{stage}{late}{path}\n" for stage, late, path in _status_lines(found)
        )
        return
    from rich.text import Text

    shown = Text()  # printed once; a path's brackets are not read as markup
    for stage, late, path in _status_lines(found):
        shown.append(stage)
        shown.append(late, style="red")
        shown.append(f"{path}\n")
    out.print(shown, end="")


def _status_lines(found: list[PostmortemStatus]) -> Iterator[tuple[str, str, str]]:
    """Each postmortem's line of ``afterword status``: its stage and due date, how late it
    is (shown in red on a terminal), and its path."""
    for item in found:
        due = item.stage.due.isoformat() if item.stage.due else "no date"
        late = f"{item.stage.overdue_days} days overdue" if item.stage.overdue_days else ""
        yield f"{item.stage.stage:18} due {due:10}  ", f"{late:>20}", f"  {item.path}"


class ActionStatusFilter(StrEnum):
    open = "open"
    done = "done"


actions_app = typer.Typer(help="Action items across all postmortems; `actions sync` with trackers.")
app.add_typer(actions_app, name="actions")


@actions_app.callback(invoke_without_command=True)
@reports_errors
def actions(
    context: typer.Context,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Only this owner's items: the whole name or one word of it, in any case,"
            " @ optional (dana finds Dana Whitfield and @dana).",
        ),
    ] = None,
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
    "status", "overdue_days"}]}. `afterword actions sync --to github|jira` tracks them.
    """
    if context.invoked_subcommand is not None:
        return
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


class TrackerName(StrEnum):
    github = "github"
    jira = "jira"


@actions_app.command("sync")
@reports_errors
def sync_command(
    to: Annotated[TrackerName, typer.Option("--to", help="github or jira.")],
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Postmortems to sync; default: every indexed one.")
    ] = None,
    repo: Annotated[str | None, typer.Option("--repo", help="GitHub: owner/name.")] = None,
    project: Annotated[str | None, typer.Option("--project", help="Jira: project key.")] = None,
    issue_type: Annotated[str, typer.Option("--issue-type", help="Jira: issue type.")] = "Task",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be created; change nothing.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Create a ticket per untracked action item, write it back, and pull status back.

    GitHub uses GITHUB_TOKEN; Jira uses JIRA_URL, JIRA_EMAIL and JIRA_API_TOKEN (never
    printed). Running twice creates nothing twice. A closed ticket marks its item done.
    """
    from afterword.tracker.sync import sync

    tracker = _tracker(to, repo, project, issue_type)
    files = _sync_files(paths, database)
    report = sync(tracker, files, dry_run=dry_run)
    verb = "would create" if dry_run else "created"
    sys.stdout.write(
        f"{tracker.name}: {verb} {len(report.created)}, linked {len(report.found)} "
        f"existing, marked {len(report.closed)} done; "
        f"{len(report.written)} postmortems updated\n"
    )
    for label in report.created:
        sys.stdout.write(f"  + {label}\n")
    if report.written and not dry_run:
        _reindex(database, report.written)


def _tracker(to: TrackerName, repo: str | None, project: str | None, issue_type: str) -> Tracker:
    if to is TrackerName.github:
        from afterword.tracker.github import GitHub

        if not repo:
            raise UsageError("--repo owner/name is required with --to github")
        return GitHub(repo)
    from afterword.tracker.jira import Jira

    if not project:
        raise UsageError("--project KEY is required with --to jira")
    return Jira(project, issue_type=issue_type)


def _sync_files(paths: list[Path] | None, database: str | None) -> list[tuple[str, Path]]:
    from afterword.store import connect
    from afterword.store.index import keyed_files
    from afterword.store.queries import postmortem_paths

    if paths:
        return list(keyed_files(paths, Path.cwd()).items())
    db = connect(database)
    return [(path, _on_disk(path, db.root)) for path in postmortem_paths(db)]


def _on_disk(key: str, root: Path) -> Path:
    path = Path(key)
    return path if path.is_absolute() else root / path


def _reindex(database: str | None, files: list[Path]) -> None:
    from afterword.store import StoreError, connect, index

    # without a store the files are the truth, and the next `afterword index` reads them
    with contextlib.suppress(StoreError):
        index(connect(database), files)


@app.command()
@reports_errors
def remind(
    output: Annotated[
        RemindFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = RemindFormat.text,
    slack_webhook: Annotated[
        str | None,
        typer.Option(
            "--slack-webhook",
            envvar="AFTERWORD_SLACK_WEBHOOK",
            help="Post each digest to this Slack incoming webhook.",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            help="Send each digest by email through "
            "this SMTP server (HOST:PORT); addresses from remind.emails.",
        ),
    ] = None,
    today: TodayOption = None,
    database: DatabaseOption = None,
    config: ConfigOption = None,
) -> None:
    """One digest per owner of overdue and due-soon action items, plus orphan items (no
    owner) for the authors of their postmortems."""
    from afterword.remind import digests, post_to_slack, send_mail
    from afterword.store import connect

    settings = load_config(config)
    found = digests(
        connect(database), _day(today, "--today") or date.today(), settings.get("remind.soon_days")
    )
    if slack_webhook:
        post_to_slack(slack_webhook, found)
        sys.stdout.write(f"posted {len(found)} digests to Slack\n")
    if smtp:
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit():
            raise UsageError("--smtp: expected HOST:PORT")
        unknown = send_mail(
            host, int(port), settings.get("remind.sender"), settings.get("remind.emails"), found
        )
        sys.stdout.write(f"emailed {len(found) - len(unknown)} digests\n")
        for name in unknown:
            sys.stderr.write(f"afterword: no address for {name} in remind.emails\n")
    if slack_webhook or smtp:
        return
    if output is RemindFormat.json:
        emit_json({"digests": [digest.as_dict() for digest in found]})
    elif output is RemindFormat.markdown:
        sys.stdout.write("\n\n".join(d.markdown() for d in found) + "\n")
    else:
        for digest in found:
            sys.stdout.write(
                f"{digest.recipient}: {len(digest.overdue)} overdue, "
                f"{len(digest.due_soon)} due soon, {len(digest.orphans)} orphans\n"
            )
            for reminder in [*digest.overdue, *digest.due_soon, *digest.orphans]:
                sys.stdout.write(f"  - {reminder.line()}\n")
