"""The timeline commands: ``timeline import|show|chart``, ``metrics`` and ``graph``."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated

import typer

from afterword.cli import (
    Format,
    FormatOption,
    app,
    console,
    emit_json,
    moment_option,
    reports_errors,
)
from afterword.document import parse_file, render
from afterword.errors import UsageError
from afterword.files import write_atomic
from afterword.model import Postmortem
from afterword.timeutil import elapsed, format_datetime, zone_from_name

timeline_app = typer.Typer(
    help="Build the timeline from Slack, pagers and deploys; show it; chart it.",
    no_args_is_help=True,
)
app.add_typer(timeline_app, name="timeline")


def _zone(name: str | None) -> tzinfo | None:
    if name is None:
        return None
    zone = zone_from_name(name)
    if zone is None:
        raise UsageError(f"--tz: unknown time zone {name!r} (e.g. UTC, Europe/Paris, +02:00)")
    return zone


@timeline_app.command("import")
@reports_errors
def import_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Sources: [TYPE:]PATH, TYPE one of slack, "
            "pagerduty, opsgenie, git (git:PATH@tags for tags), deploys, csv, jsonl, "
            "postmortem; told from the path when left out."
        ),
    ],
    into: Annotated[Path, typer.Option("--into", help="The postmortem to merge the events into.")],
    since: Annotated[
        str | None, typer.Option("--since", help="Keep events from this time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Keep events up to this time.")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Zone of times written without one (and of --since/--until)."),
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Slack: only this channel (repeatable).")
    ] = None,
    pinned: Annotated[bool, typer.Option("--pinned", help="Slack: only pinned messages.")] = False,
    reaction: Annotated[
        str | None,
        typer.Option(
            "--reaction", help="Slack: only messages with this reaction, e.g. white_check_mark."
        ),
    ] = None,
) -> None:
    """Merge events from real sources into a postmortem's timeline.

    Sorted, de-duplicated (running it again adds nothing twice), each row with full date,
    time and zone and its source; lines a person wrote are kept. The file is written in
    one step, and not at all if any source fails.
    """
    from afterword.timeline.merge import import_into
    from afterword.timeline.sources import Window

    zone = _zone(tz)
    window = Window(
        since=moment_option(since, "--since", zone),
        until=moment_option(until, "--until", zone),
        zone=zone,
        channels=tuple(channel or ()),
        pinned=pinned,
        reaction=reaction,
    )
    result = import_into(into, sources, window)
    sys.stdout.write(
        f"{into}: added {result.added} event{'s' * (result.added != 1)}"
        f" ({result.already} already there); the timeline has {result.total}\n"
    )


@timeline_app.command("show")
@reports_errors
def show_command(
    file: Annotated[Path, typer.Argument(help="Postmortem Markdown file.")],
    gap: Annotated[
        int, typer.Option("--gap", help="Mark silences longer than this many minutes.")
    ] = 30,
    output: FormatOption = Format.text,
) -> None:
    """Print the timeline, with the gaps longer than --gap minutes marked."""
    from afterword.timeline.metrics import human

    pm = parse_file(file)
    zone = zone_from_name(pm.timezone) if pm.timezone else None
    if output is Format.json:
        emit_json([event.model_dump(mode="json") for event in pm.timeline])
        return
    from rich.table import Table

    table = Table(title=pm.title, title_justify="left")
    for name in ("Time", "After", "Event", "Source", "Kind"):
        table.add_column(name, overflow="fold")
    previous: datetime | None = None
    for event in pm.timeline:
        after = ""
        if event.at is not None and previous is not None:
            pause = elapsed(previous, event.at)
            after = human(round(pause.total_seconds()))
            if pause > timedelta(minutes=gap):
                table.add_row("", "", f"[bold yellow]gap of {after}[/]", "", "")
        when = (
            format_datetime(event.at.astimezone(zone) if zone else event.at)
            if event.at
            else (f"[red]{event.written or 'no time'}[/]")
        )
        table.add_row(when, after, event.text, event.source or "", event.kind or "")
        previous = event.at or previous
    console().print(table)


@timeline_app.command("chart")
@reports_errors
def chart_command(
    file: Annotated[Path, typer.Argument(help="Postmortem Markdown file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write: .svg or .png.")],
    embed_image: Annotated[
        bool,
        typer.Option(
            "--embed/--no-embed",
            help="Link the chart under Supporting information in the postmortem.",
        ),
    ] = True,
) -> None:
    """Draw the incident on a time axis: phases shaded, key moments and events marked."""
    from afterword.timeline.chart import embed, timeline_chart

    pm = parse_file(file)
    timeline_chart(pm, out)
    linked = embed_image and embed(file, out, "Incident timeline")
    sys.stdout.write(f"wrote {out}" + (f"; linked it in {file}" if linked else "") + "\n")


@app.command()
@reports_errors
def metrics(
    file: Annotated[Path, typer.Argument(help="Postmortem Markdown file.")],
    output: FormatOption = Format.text,
    write: Annotated[
        bool, typer.Option("--write", help="Write the metrics into the front matter.")
    ] = False,
) -> None:
    """Time to detect, acknowledge, mitigate and resolve, and impact duration, in seconds.

    From the front matter's times, else the timeline's key moments, else a Stats line such
    as "Time to detection: 8 minutes". JSON keys: time_to_detect, time_to_acknowledge,
    time_to_mitigate, time_to_resolve, impact_duration (null when unknown).
    """
    from afterword.timeline.metrics import METRICS, compute, human

    pm = parse_file(file)
    values = compute(pm, str(file))
    if write:
        _write_metrics(file, pm, values)
    if output is Format.json:
        emit_json(values)
        return
    for name in METRICS:
        sys.stdout.write(f"{name:20} {human(values[name])}\n")


def _write_metrics(file: Path, pm: Postmortem, values: dict[str, int | None]) -> None:
    changed = False
    for name, value in values.items():
        if value is not None and pm.metadata.get(name) != value:
            pm.metadata[name] = value
            changed = True
    if changed:
        write_atomic(file, render(pm))


@app.command()
@reports_errors
def graph(
    metric: Annotated[
        Path,
        typer.Argument(
            help="Metric export: CSV time,value[,series] or Prometheus query_range JSON."
        ),
    ],
    incident: Annotated[
        Path,
        typer.Option(
            "--incident", "-i", help="The postmortem whose window and key moments to mark."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write: .svg or .png.")],
    title: Annotated[str | None, typer.Option("--title", help="Chart title.")] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Zone of CSV times written without one.")
    ] = None,
    embed_image: Annotated[
        bool,
        typer.Option(
            "--embed/--no-embed",
            help="Link the graph under Supporting information in the postmortem.",
        ),
    ] = True,
) -> None:
    """Plot a dashboard metric around the incident, key moments marked: graphs as evidence."""
    from afterword.timeline.chart import embed, metric_graph, read_series

    pm = parse_file(incident)
    series = read_series(metric, _zone(tz))
    metric_graph(series, pm, out, title)
    linked = embed_image and embed(incident, out, title or metric.stem)
    sys.stdout.write(f"wrote {out}" + (f"; linked it in {incident}" if linked else "") + "\n")
