"""What the lifecycle and follow-up commands read from the store: stages, action items."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from afterword.config import Config
from afterword.lifecycle import Stage, stage_of
from afterword.model import OPEN_STATUSES
from afterword.store.engine import Database, guarded, ready
from afterword.store.schema import ActionItemRow, PostmortemRow


@dataclass(frozen=True)
class PostmortemStatus:
    path: str
    title: str
    status: str
    stage: Stage

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "status": self.status,
            **self.stage.as_dict(),
        }


@dataclass(frozen=True)
class StoredItem:
    """An action item as stored, with the path and authors of its postmortem."""

    postmortem: str
    authors: list[str]
    title: str
    owner: str | None
    due: date | None
    type: str | None
    ticket: str | None
    status: str


@dataclass(frozen=True)
class ActionItemView(StoredItem):
    """An action item as ``afterword actions`` shows it: with how many days it is late."""

    overdue_days: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "postmortem": self.postmortem,
            "title": self.title,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "type": self.type,
            "ticket": self.ticket,
            "status": self.status,
            "overdue_days": self.overdue_days,
        }


def stored_items(db: Database, *, statuses: Collection[str] | None = None) -> list[StoredItem]:
    """Every action item in the store (or those with one of ``statuses``), by postmortem
    path and position.

    Only the columns needed are read: the follow-up commands stay quick on a store of
    100,000 postmortems, whose summaries and bodies they never show.
    """
    ready(db)
    query = (
        select(
            PostmortemRow.path,
            PostmortemRow.authors,
            ActionItemRow.title,
            ActionItemRow.owner,
            ActionItemRow.due,
            ActionItemRow.type,
            ActionItemRow.ticket,
            ActionItemRow.status,
        )
        .join(PostmortemRow, PostmortemRow.id == ActionItemRow.postmortem_id)
        .order_by(PostmortemRow.path, ActionItemRow.position)
    )
    if statuses is not None:
        query = query.where(ActionItemRow.status.in_(sorted(statuses)))
    with Session(db.engine) as session:
        return [StoredItem(*row) for row in session.execute(query)]


def postmortem_paths(db: Database) -> list[str]:
    """The path of every indexed postmortem, in order."""
    ready(db)
    with Session(db.engine) as session:
        return list(session.scalars(select(PostmortemRow.path).order_by(PostmortemRow.path)))


@guarded
def statuses(db: Database, today: date, config: Config) -> list[PostmortemStatus]:
    """Every postmortem's stage, next due date and lateness; the latest first."""
    open_items: dict[str, list[StoredItem]] = defaultdict(list)
    for item in stored_items(db, statuses=OPEN_STATUSES):
        open_items[item.postmortem].append(item)
    columns = select(
        PostmortemRow.path,
        PostmortemRow.title,
        PostmortemRow.status,
        PostmortemRow.started_at,
        PostmortemRow.meeting_at,
        PostmortemRow.finalized_at,
    )
    with Session(db.engine) as session:
        rows = session.execute(columns).all()
    found = []
    for path, title, status, started_at, meeting_at, finalized_at in rows:
        items = open_items.get(path, [])
        stage = stage_of(
            status=status,
            incident_day=started_at.date() if started_at else None,
            meeting_held=meeting_at is not None,
            open_action_dues=[item.due for item in items],
            today=today,
            config=config,
            finalized=finalized_at is not None,
            untracked=sum(not item.ticket for item in items),
        )
        found.append(PostmortemStatus(path, title, status, stage))
    return sorted(found, key=lambda s: (-s.stage.overdue_days, s.stage.due or date.max, s.path))


@guarded
def action_items(
    db: Database,
    today: date,
    *,
    owner: str | None = None,
    overdue: bool = False,
    status: str | None = None,
) -> list[ActionItemView]:
    """Action items across every postmortem, filtered; the most overdue first. An owner
    is matched by the whole name or one word of it, in any case, with or without ``@``:
    ``dana`` finds "Dana Whitfield" and "@dana"."""
    chosen = {"open": OPEN_STATUSES, "done": {"done"}}.get(status or "")
    found = []
    for item in stored_items(db, statuses=chosen):
        if owner and not owns(item.owner, owner):
            continue
        late = (today - item.due).days if item.due and item.status in OPEN_STATUSES else 0
        if overdue and late <= 0:
            continue
        found.append(ActionItemView(**vars(item), overdue_days=max(late, 0)))
    return sorted(found, key=lambda v: (-v.overdue_days, v.due or date.max, v.postmortem))


def owns(name: str | None, wanted: str) -> bool:
    """Whether ``wanted`` names the owner ``name``: all of it or one of its words."""
    if not name:
        return False
    words = _words(name)
    asked = _words(wanted)
    return bool(asked) and (asked == words or (len(asked) == 1 and asked[0] in words))


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[^\w]+", name.casefold()) if word]
