"""Deploys: the commits or tags of a git repository, and a generic deploy CSV."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from afterword.errors import InputError
from afterword.model import EventKind, TimelineEvent
from afterword.timeline.sources import Window, read
from afterword.timeline.sources.generic import column, parse_time

_SEP = "\x1f"


def load_git(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """Commits (``git:PATH``) or tags (``git:PATH@tags``) of a repository, in the window."""
    if option == "tags":
        args = [
            "for-each-ref",
            "refs/tags",
            "--sort=creatordate",
            f"--format=%(refname:short){_SEP}%(creatordate:iso-strict){_SEP}%(subject)",
        ]
    elif option in ("", "commits"):
        args = ["log", "--reverse", f"--format=%h{_SEP}%aI{_SEP}%s{_SEP}%an"]
        if window.since:
            args.append(f"--since={window.since.isoformat()}")
        if window.until:
            args.append(f"--until={window.until.isoformat()}")
    else:
        raise InputError(f"unknown git option {option!r} (commits or tags)", path=path)
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *args], capture_output=True, text=True, check=True, timeout=60
        )
    except FileNotFoundError:
        raise InputError("git is not installed", path=path) from None
    except subprocess.CalledProcessError as error:
        raise InputError(f"git failed: {error.stderr.strip()}", path=path) from None
    events = []
    for line in done.stdout.splitlines():
        parts = line.split(_SEP)
        if len(parts) < 3 or not parts[1]:
            continue
        at = parse_time(parts[1], None, path, None)
        if option == "tags":
            text = f"Tag {parts[0]}" + (f": {parts[2]}" if parts[2] else "")
        else:
            author = f" ({parts[3]})" if len(parts) > 3 and parts[3] else ""
            text = f"Commit {parts[0]}: {parts[2]}{author}"
        events.append(
            TimelineEvent(at=at, text=text, source=f"git {path.name}", kind=EventKind.DEPLOY)
        )
    return events


def load_deploy_csv(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """A deploy log: ``time,service,version[,environment,author,description]``."""
    rows = list(csv.reader(io.StringIO(read(path))))
    if not rows:
        return []
    header = [name.strip().lower() for name in rows[0]]
    at = column(header, ("time", "timestamp", "deployed_at", "date", "when"), path, "time")
    service = column(header, ("service", "app", "application", "component"), path, "service")
    version = column(header, ("version", "release", "sha", "commit", "tag"), path, "version")
    optional = {
        name: header.index(name) if name in header else None
        for name in ("environment", "author", "description", "status")
    }
    events = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        where = _cell(cells, optional["environment"])
        text = f"Deployed {cells[service].strip()} {cells[version].strip()}"
        text += f" to {where}" if where else ""
        for extra in ("author", "status", "description"):
            value = _cell(cells, optional[extra])
            text += f" ({value})" if value and extra != "description" else ""
            text += f": {value}" if value and extra == "description" else ""
        events.append(
            TimelineEvent(
                at=parse_time(cells[at], window.zone, path, number),
                text=text,
                source="deploys",
                kind=EventKind.DEPLOY,
            )
        )
    return events


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None else ""
