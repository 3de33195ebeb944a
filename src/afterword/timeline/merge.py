"""Merging imported events into a postmortem's timeline without losing a line.

Events are kept in time order; an event already there (same instant, same words) is not
added again, so importing twice adds nothing the second time; entries a person wrote
stay as they were, including those without an exact time, which keep their place after
the entry above them. The document is written in one step, and only when every source
was read: a failing source leaves the postmortem untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from afterword.document import parse_file, render
from afterword.files import write_atomic
from afterword.model import TimelineEvent
from afterword.timeline.sources import Window, load


@dataclass(frozen=True)
class ImportResult:
    added: int
    already: int
    total: int


def _key(event: TimelineEvent) -> tuple[datetime | None, str]:
    at = event.at.astimezone(UTC) if event.at else None
    return at, " ".join(event.text.split()).casefold()


def merge(existing: Sequence[TimelineEvent], new: Sequence[TimelineEvent]) -> list[TimelineEvent]:
    """The existing events plus the new ones not already there, in time order."""
    seen = {_key(event) for event in existing}
    combined = list(existing)
    for event in new:
        key = _key(event)
        if key not in seen:
            seen.add(key)
            combined.append(event)
    return sorted_events(combined)


def sorted_events(events: Sequence[TimelineEvent]) -> list[TimelineEvent]:
    """Events in time order; one without a time stays after the event it followed."""
    keyed = []
    last: datetime | None = None
    for index, event in enumerate(events):
        if event.at is not None:
            last = event.at.astimezone(UTC)
        moment = last or datetime.min.replace(tzinfo=UTC)
        keyed.append(((moment, event.at is None, index), event))
    return [event for _, event in sorted(keyed, key=lambda pair: pair[0])]


def import_into(path: Path, sources: Sequence[str], window: Window) -> ImportResult:
    """Read every source, merge its events into the postmortem at ``path``, write it once."""
    pm = parse_file(path)
    new = [event for source in sources for event in load(source, window)]
    before = len(pm.timeline)
    merged = merge(pm.timeline, new)
    added = len(merged) - before
    if added:
        pm.timeline = merged
        if pm.timezone is None:
            pm.timezone = getattr(window.zone, "key", None) or "UTC"
        write_atomic(path, render(pm))
    return ImportResult(added=added, already=len(new) - added, total=len(merged))
