"""What the lifecycle and follow-up commands read from the store: stages, action items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from afterword.config import Config
from afterword.lifecycle import Stage, stage_of
from afterword.model import OPEN_STATUSES
from afterword.store.engine import Database, guarded, ready
from afterword.store.schema import PostmortemRow


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
class ActionItemView:
    postmortem: str
    title: str
    owner: str | None
    due: date | None
    type: str | None
    ticket: str | None
    status: str
    overdue_days: int

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


def postmortem_rows(db: Database) -> list[PostmortemRow]:
    """Every indexed postmortem with its action items."""
    ready(db)
    with Session(db.engine) as session:
        query = select(PostmortemRow).options(selectinload(PostmortemRow.action_items))
        return list(session.scalars(query.order_by(PostmortemRow.path)))


@guarded
def statuses(db: Database, today: date, config: Config) -> list[PostmortemStatus]:
    """Every postmortem's stage, next due date and lateness; the latest first."""
    found = []
    for row in postmortem_rows(db):
        stage = stage_of(
            status=row.status,
            incident_day=row.started_at.date() if row.started_at else None,
            meeting_held=row.meeting_at is not None,
            open_action_dues=[
                item.due for item in row.action_items if item.status in OPEN_STATUSES
            ],
            today=today,
            config=config,
        )
        found.append(PostmortemStatus(row.path, row.title, row.status, stage))
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
    """Action items across every postmortem, filtered; the most overdue first."""
    found = []
    for row in postmortem_rows(db):
        for item in row.action_items:
            late = (today - item.due).days if item.due and item.status in OPEN_STATUSES else 0
            view = ActionItemView(
                row.path,
                item.title,
                item.owner,
                item.due,
                item.type,
                item.ticket,
                item.status,
                max(late, 0),
            )
            if owner and (item.owner or "").lstrip("@").casefold() != owner.lstrip("@").casefold():
                continue
            if overdue and view.overdue_days <= 0:
                continue
            if status == "open" and item.status not in OPEN_STATUSES:
                continue
            if status == "done" and item.status != "done":
                continue
            found.append(view)
    return sorted(found, key=lambda v: (-v.overdue_days, v.due or date.max, v.postmortem))
