"""Syncing action items with a tracker: create what is untracked, pull status back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from afterword.document import parse_file, render
from afterword.files import write_atomic
from afterword.model import OPEN_STATUSES, ActionItem, ActionStatus, Postmortem
from afterword.tracker.model import TicketRequest, Tracker


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def marker(key: str, item: ActionItem) -> str:
    """The stable mark of an action item: its postmortem and its title."""
    digest = hashlib.sha1(f"{key}\n{' '.join(item.title.split())}".encode()).hexdigest()
    return f"afterword-id:{digest[:16]}"


def _request(pm: Postmortem, item: ActionItem, key: str) -> TicketRequest:
    lines = [
        f'Action item from the postmortem "{pm.title}" ({key}).',
        f"Type: {item.type.value}." if item.type else "",
        f"Owner: {item.owner}." if item.owner else "Owner: none yet.",
        f"Due: {item.due.isoformat()}." if item.due else "",
    ]
    return TicketRequest(
        title=item.title,
        description=" ".join(line for line in lines if line),
        marker=marker(key, item),
        assignee=item.owner if item.owner and item.owner.startswith("@") else None,
        due=item.due.isoformat() if item.due else None,
        labels=tuple(x for x in (item.type.value if item.type else None,) if x),
    )


def sync(
    tracker: Tracker, files: Sequence[tuple[str, Path]], *, dry_run: bool = False
) -> SyncReport:
    """Sync the action items of ``(key, path)`` postmortems; write back what changed."""
    report = SyncReport()
    for key, path in files:
        pm = parse_file(path)
        changed = False
        for item in pm.action_items:
            if item.status not in OPEN_STATUSES:
                continue
            label = f"{key}: {item.title}"
            if not item.ticket:
                existing = tracker.find(marker(key, item))
                if existing is not None:
                    report.found.append(label)
                    ticket = existing
                elif dry_run:
                    report.created.append(label)
                    continue
                else:
                    ticket = tracker.create(_request(pm, item, key))
                    report.created.append(label)
                item.ticket, changed = ticket.reference, True
            elif tracker.owns(item.ticket):
                ticket = tracker.get(item.ticket)
                if ticket.done:
                    item.status = ActionStatus.WONT_DO if ticket.dropped else ActionStatus.DONE
                    report.closed.append(label)
                    changed = True
        if changed and not dry_run:
            write_atomic(path, render(pm))
            report.written.append(path)
    return report
