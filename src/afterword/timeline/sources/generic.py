"""Generic sources: CSV and JSON lines of ``time,text[,source,kind]``, and the timeline of
an existing postmortem."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from afterword.document import parse_file
from afterword.errors import InputError
from afterword.model import EventKind, TimelineEvent
from afterword.timeline.sources import Window, read
from afterword.timeutil import parse_datetime

TIME_NAMES = ("time", "timestamp", "at", "when", "date", "datetime")
TEXT_NAMES = ("text", "event", "description", "message", "summary")


def column(header: list[str], names: tuple[str, ...], path: Path, field: str) -> int:
    """The index of the first of ``names`` in a CSV header; missing is an input error."""
    for name in names:
        if name in header:
            return header.index(name)
    raise InputError(
        f"no {field} column in the header ({', '.join(header) or 'empty'}); "
        f"expected one of {', '.join(names)}",
        path=path,
        line=1,
        field=field,
    )


def parse_time(value: str, zone: tzinfo | None, path: Path, line: int | None) -> datetime:
    """A source's time; a naive one needs ``--tz``, else it is an input error."""
    try:
        return parse_datetime(value, zone)
    except ValueError as error:
        raise InputError(f"{error} (or pass --tz)", path=path, line=line, field="time") from None


def _kind(value: str | None, path: Path, line: int) -> EventKind | None:
    if not value:
        return None
    try:
        return EventKind(value.strip().lower())
    except ValueError:
        kinds = ", ".join(kind.value for kind in EventKind)
        raise InputError(
            f"unknown kind {value!r} (one of {kinds})", path=path, line=line, field="kind"
        ) from None


def load_csv(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """Rows of ``time,text[,source,kind]`` (header names may vary: timestamp, event...)."""
    rows = list(csv.reader(io.StringIO(read(path))))
    if not rows:
        return []
    header = [name.strip().lower() for name in rows[0]]
    at = column(header, TIME_NAMES, path, "time")
    text = column(header, TEXT_NAMES, path, "text")
    source = header.index("source") if "source" in header else None
    kind = header.index("kind") if "kind" in header else None
    events = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        events.append(
            TimelineEvent(
                at=parse_time(cells[at], window.zone, path, number),
                text=" ".join(cells[text].split()),
                source=(cells[source].strip() if source is not None else "") or path.name,
                kind=_kind(cells[kind] if kind is not None else None, path, number),
            )
        )
    return events


def load_jsonl(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """One JSON object a line: ``{"time": ..., "text": ..., "source"?: ..., "kind"?: ...}``."""
    events = []
    for number, line in enumerate(read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON: {error.msg}", path=path, line=number) from None
        if not isinstance(item, dict):
            raise InputError("each line must be a JSON object", path=path, line=number)
        when = next((item[name] for name in TIME_NAMES if name in item), None)
        text = next((item[name] for name in TEXT_NAMES if name in item), None)
        if when is None or text is None:
            missing = "time" if when is None else "text"
            raise InputError(f"no {missing} field", path=path, line=number, field=missing)
        events.append(
            TimelineEvent(
                at=parse_time(str(when), window.zone, path, number),
                text=" ".join(str(text).split()),
                source=str(item.get("source") or path.name),
                kind=_kind(item.get("kind"), path, number),
            )
        )
    return events


def load_postmortem(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """The timeline of another postmortem, each event keeping (or taking) its source."""
    events = []
    for event in parse_file(path).timeline:
        if event.at is not None:
            events.append(event.model_copy(update={"source": event.source or path.name}))
    return events
