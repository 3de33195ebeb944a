"""Paging tools: PagerDuty incident log entries and Opsgenie alert activity logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from afterword.errors import InputError
from afterword.model import EventKind, TimelineEvent
from afterword.timeline.sources import Window, read_json
from afterword.timeutil import parse_datetime

#: PagerDuty log entry types and the moments they mark.
PAGERDUTY_KINDS = {
    "trigger_log_entry": EventKind.DETECTED,
    "acknowledge_log_entry": EventKind.ACKNOWLEDGED,
    "escalate_log_entry": EventKind.ESCALATED,
    "resolve_log_entry": EventKind.RESOLVED,
    "annotate_log_entry": EventKind.NOTE,
    "assign_log_entry": EventKind.ACTION,
    "notify_log_entry": EventKind.NOTE,
    "snooze_log_entry": EventKind.ACTION,
    "unacknowledge_log_entry": EventKind.NOTE,
}
#: Opsgenie log words and the moments they mark, first match wins.
OPSGENIE_KINDS = (
    ("acknowledged", EventKind.ACKNOWLEDGED),
    ("escalat", EventKind.ESCALATED),
    ("closed", EventKind.RESOLVED),
    ("created", EventKind.DETECTED),
    ("note", EventKind.NOTE),
)


def _time(value: Any, path: Path, field: str, index: int) -> datetime:
    try:
        return parse_datetime(str(value), None)
    except ValueError as error:
        raise InputError(f"entry {index + 1}: {error}", path=path, field=field) from None


Describe = Callable[[dict[str, Any]], tuple[str, EventKind | None]]


def _events(
    entries: Any, path: Path, time_field: str, source: str, describe: Describe
) -> list[TimelineEvent]:
    """One event per log entry: its time from ``time_field``, its words and kind described."""
    events = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or time_field not in entry:
            raise InputError(f"entry {index + 1} has no {time_field}", path=path, field=time_field)
        text, kind = describe(entry)
        at = _time(entry[time_field], path, time_field, index)
        events.append(TimelineEvent(at=at, text=text, source=source, kind=kind))
    return events


def load_pagerduty(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """Events from ``GET /incidents/{id}/log_entries`` (or ``/log_entries``) JSON."""
    data = read_json(path)
    entries = data.get("log_entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(
            "not a PagerDuty log: no 'log_entries' list", path=path, field="log_entries"
        )
    return _events(entries, path, "created_at", "pagerduty", _pagerduty_entry)


def _pagerduty_entry(entry: dict[str, Any]) -> tuple[str, EventKind | None]:
    channel = entry.get("channel") or {}
    agent = entry.get("agent") or {}
    summary = str(entry.get("summary") or entry.get("type", "log entry"))
    note = channel.get("summary") if entry.get("type") == "annotate_log_entry" else None
    if note:
        summary = f"Note: {note}"
    who = agent.get("summary")
    text = f"{summary} ({who})" if who and who not in summary else summary
    return text, PAGERDUTY_KINDS.get(str(entry.get("type", "")))


def load_opsgenie(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """Events from Opsgenie's ``GET /v2/alerts/{id}/logs`` JSON."""
    data = read_json(path)
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError("not an Opsgenie log: no 'data' list", path=path, field="data")
    return _events(entries, path, "createdAt", "opsgenie", _opsgenie_entry)


def _opsgenie_entry(entry: dict[str, Any]) -> tuple[str, EventKind | None]:
    log = str(entry.get("log", ""))
    lowered = log.lower()
    kind = next((kind for word, kind in OPSGENIE_KINDS if word in lowered), None)
    owner = entry.get("owner")
    return (f"{log} ({owner})" if owner and owner not in log else log), kind
