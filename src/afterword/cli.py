"""The ``afterword`` command: thin, it parses options and calls the library.

Exit codes: 0 success, 1 findings (lint), 2 a usage or input error, printed as one
line on standard error, never a traceback. Rich is imported here only, and lazily.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from afterword import __version__
from afterword.config import load_config
from afterword.document import load_incident, parse_file
from afterword.errors import AfterwordError, UsageError
from afterword.files import write_atomic
from afterword.lint.output import OutputFormat
from afterword.model import Incident, Postmortem
from afterword.templates import available, render_template
from afterword.timeutil import parse_datetime
from afterword.triage import TriageResult, triage

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="afterword",
    help="Blameless incident postmortems: triage, write from templates, lint, track and review.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

P = ParamSpec("P")
R = TypeVar("R")


class Format(StrEnum):
    text = "text"
    json = "json"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Settings file (afterword.toml or pyproject.toml); "
        "default: the nearest one above the current folder.",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    sys.stderr.write(f"afterword: error: {message}\n")
    return typer.Exit(EXIT_ERROR)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Afterword's errors into one line on standard error and exit code 2."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AfterwordError as error:
            raise fail(error.one_line()) from None

    return run


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"afterword {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Blameless incident postmortems: triage, write from templates, lint, track and review."""


@app.command()
@reports_errors
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the new postmortem (Markdown).")],
    template: Annotated[
        str,
        typer.Option(
            "--template", "-t", help="Template: standard, five-whys, quick, or a team template."
        ),
    ] = "standard",
    title: Annotated[
        str | None, typer.Option("--title", help="Incident title; overrides the incident file's.")
    ] = None,
    incident: Annotated[
        Path | None,
        typer.Option(
            "--incident", "-i", help="Incident YAML to pre-fill times, severity and duration from."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
    config: ConfigOption = None,
) -> None:
    """Write a new postmortem from a template, pre-filled from the incident.

    Never overwrites an existing file unless --force is given; the write is atomic.
    """
    settings = load_config(config)
    facts = load_incident(incident) if incident else None
    chosen_title = title or (facts.title if facts else _title_from_path(path))
    if facts is None:
        facts = Incident(title=chosen_title)
    else:
        facts = facts.model_copy(update={"title": chosen_title})
    text = render_template(template, facts, settings)
    write_atomic(path, text, force=force)
    sys.stdout.write(f"wrote {path} (template {template}: {facts.title})\n")


def _title_from_path(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Untitled incident"


@app.command()
@reports_errors
def parse(
    file: Annotated[Path, typer.Argument(help="Postmortem Markdown file.")],
    output: FormatOption = Format.text,
) -> None:
    """Parse a postmortem and print what Afterword reads in it.

    JSON output holds the incident fields, status, authors, sections ({heading, level,
    line}), timeline, whys, root_causes, improvements, action_items and lessons.
    """
    pm = parse_file(file)
    if output is Format.json:
        emit_json(pm.model_dump(mode="json"))
        return
    _print_postmortem(file, pm)


def _print_postmortem(path: Path, pm: Postmortem) -> None:
    out = console()
    severity = pm.severity.value if pm.severity else "unknown"
    out.print(f"[bold]{pm.title}[/bold]  ({path})")
    out.print(
        f"  severity: {severity} | status: {pm.status.value} | "
        f"time zone: {pm.timezone or 'not declared'}"
    )
    headings = ", ".join(s.heading for s in pm.sections if s.level <= 2) or "none"
    out.print(f"  sections: {headings}")
    times = [event.at for event in pm.timeline if event.at]
    span = f", {min(times):%Y-%m-%d %H:%M} to {max(times):%Y-%m-%d %H:%M}" if times else ""
    out.print(f"  timeline: {len(pm.timeline)} events{span}")
    owned = sum(1 for item in pm.action_items if item.owner)
    out.print(
        f"  5 whys: {len(pm.whys)} | root causes: {len(pm.root_causes)} | "
        f"action items: {len(pm.action_items)} ({owned} with an owner) | "
        f"lessons: {len(pm.lessons)}"
    )


@app.command("triage")
@reports_errors
def triage_command(
    incident: Annotated[Path, typer.Argument(help="Incident YAML file (the Incident fields).")],
    output: FormatOption = Format.text,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Count due dates from this day (YYYY-MM-DD) when the incident has no started_at.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Say whether an incident owes a postmortem, why, which template, and the due dates.

    JSON: {"needs_postmortem", "reasons", "template", "due": {"draft", "meeting", "final"}}.
    """
    day = _day(today, "--today")
    result = triage(load_incident(incident), load_config(config), day or date.today())
    if output is Format.json:
        emit_json(result.as_dict())
        return
    _print_triage(incident, result)


def moment_option(value: str | None, option: str, zone: tzinfo | None) -> datetime | None:
    """A time given on the command line (a date alone is its midnight), in ``zone`` when it
    names none; an unreadable one is a usage error naming the option."""
    if value is None:
        return None
    try:
        return parse_datetime(value if ":" in value else f"{value} 00:00", zone)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None


def _print_triage(path: Path, result: TriageResult) -> None:
    out = console()
    verdict = "owes a postmortem" if result.needs_postmortem else "no postmortem required"
    out.print(f"{path}: {verdict} (template: {result.template})")
    for reason in result.reasons:
        out.print(f"  - {reason}")
    if not result.needs_postmortem:
        out.print("  no trigger fired; a quick postmortem still helps spot patterns")
    if result.due:
        out.print(
            f"  due: draft {result.due.draft}, meeting {result.due.meeting}, "
            f"final {result.due.final}"
        )
    for note in result.notes:
        out.print(f"  note: {note}")


@app.command()
@reports_errors
def templates(config: ConfigOption = None) -> None:
    """List the templates `afterword new --template` accepts and where each comes from."""
    for name, origin in available(load_config(config)).items():
        sys.stdout.write(f"{name:12} {origin}\n")


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@app.command()
@reports_errors
def lint(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (every *.md below) or - for standard input.")
    ],
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format: text, "
            "json, sarif (2.1.0, for GitHub code scanning) or github (annotations).",
        ),
    ] = OutputFormat.text,
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            help="Only these rules: names, codes "
            "or code prefixes, comma separated (e.g. blame-language,AW3).",
        ),
    ] = None,
    ignore: Annotated[
        str | None,
        typer.Option(
            "--ignore", help="Skip these rules: names, codes or code prefixes, comma separated."
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Lowest severity that makes the exit code 1: error (default), warning or info.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Check postmortems the way a seasoned facilitator would.

    Blame language with blameless rewrites, shallow analysis, missing evidence, orphan,
    vague or untracked action items, vague times, missing graphs and sections.
    Exit codes: 0 no finding at the failing severity, 1 findings at it, 2 a usage or input
    error. `afterword rules` lists the rules; `afterword explain NAME` documents one.
    """
    from afterword.lint import collect, lint_files, lint_settings
    from afterword.lint.engine import exceeds, unknown_names
    from afterword.lint.output import render as render_report
    from afterword.lint.settings import SEVERITIES

    settings = lint_settings(load_config(config)).with_options(_names(select), _names(ignore))
    unknown = unknown_names([*settings.select, *settings.ignore])
    if unknown:
        raise UsageError(f"unknown rule {unknown[0]!r}; `afterword rules` lists them")
    threshold = fail_on or settings.fail_on
    if threshold not in SEVERITIES:
        raise UsageError(f"--fail-on: expected one of {', '.join(SEVERITIES)}, got {threshold!r}")
    files = collect(paths)
    stdin = sys.stdin.read() if "-" in files else None
    report = lint_files(files, settings, stdin=stdin)
    sys.stdout.write(render_report(report, output))
    for error in report.errors:
        sys.stderr.write(f"afterword: error: {error}\n")
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    if exceeds(report.findings, threshold):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
@reports_errors
def rules(output: FormatOption = Format.text) -> None:
    """List every lint rule: code, name, default severity, group and what it finds."""
    from afterword.lint import all_rules

    found = all_rules()
    if output is Format.json:
        emit_json(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity,
                    "group": r.group,
                    "summary": r.summary(),
                }
                for r in found
            ]
        )
        return
    for rule in found:
        sys.stdout.write(f"{rule.code}  {rule.name:24} {rule.severity:8} {rule.summary()}\n")


@app.command()
@reports_errors
def explain(
    name: Annotated[str, typer.Argument(help="Rule name or code, e.g. blame-language or AW101.")],
) -> None:
    """Print a lint rule's documentation: what it finds, why, and examples."""
    from afterword.lint import find_rule

    rule = find_rule(name)
    if rule is None:
        raise UsageError(f"unknown rule {name!r}; `afterword rules` lists them")
    sys.stdout.write(
        f"{rule.code} {rule.name} ({rule.group}, default severity {rule.severity})\n\n"
    )
    sys.stdout.write(rule.doc() + "\n")


def main() -> None:
    """Entry point of the ``afterword`` console script.

    A usage error (an unknown option, a value not among the choices, a missing argument) is
    one line on standard error and exit code 2, like every other error; a command given
    nothing to do shows its help, as before.
    """
    try:
        code = app(standalone_mode=False, prog_name="afterword")
    except typer.TyperException as error:  # Click's usage errors, as Typer raises them
        message = error.format_message().strip().replace("Value error, ", "")
        if "\n" in message:  # the help of a command given nothing to do
            sys.stderr.write(message + "\n")
        else:
            context = getattr(error, "ctx", None)
            hint = f" (see `{context.command_path} --help`)" if context is not None else ""
            sys.stderr.write(f"afterword: error: {message}{hint}\n")
        sys.exit(error.exit_code)
    except typer.Abort:
        sys.stderr.write("afterword: aborted\n")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


# The timeline and store commands live in their own modules and register on ``app``.
from afterword import cli_store, cli_timeline  # noqa: E402, F401
