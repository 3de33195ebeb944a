"""Stages of a postmortem and their due dates, from the seed's timeline.

Day 0 the incident; day 1-2 the draft; day 3-5 the review meeting; day 5-7 the final
document and tickets; week 2+ the action items; every quarter, the pattern review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from afterword.config import Config


@dataclass(frozen=True)
class DueDates:
    """When each step of the writing is due."""

    draft: date
    meeting: date
    final: date

    def as_dict(self) -> dict[str, str]:
        return {
            "draft": self.draft.isoformat(),
            "meeting": self.meeting.isoformat(),
            "final": self.final.isoformat(),
        }


def due_dates(incident_day: date, config: Config) -> DueDates:
    """The due dates counted from the day of the incident."""
    return DueDates(
        draft=incident_day + timedelta(days=config.get("lifecycle.draft_days")),
        meeting=incident_day + timedelta(days=config.get("lifecycle.meeting_days")),
        final=incident_day + timedelta(days=config.get("lifecycle.final_days")),
    )


#: The stages, in the seed's order.
STAGES = DRAFT, MEETING, FINAL, ACTIONS, QUARTERLY = (
    "draft",
    "review meeting",
    "final and tickets",
    "action items",
    "quarterly review",
)


@dataclass(frozen=True)
class Stage:
    """Where a postmortem is in its life, what is due next and how late it is."""

    stage: str
    due: date | None
    overdue_days: int

    def as_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "due": self.due.isoformat() if self.due else None,
            "overdue_days": self.overdue_days,
        }


def quarter_end(day: date) -> date:
    """The last day of the quarter ``day`` is in: when the pattern review is due."""
    first_of_next = date(day.year + (day.month > 9), (((day.month - 1) // 3 + 1) * 3) % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def stage_of(
    *,
    status: str,
    incident_day: date | None,
    meeting_held: bool,
    open_action_dues: list[date | None],
    today: date,
    config: Config,
    finalized: bool = False,
    untracked: int = 0,
) -> Stage:
    """The stage from the document's status, its meeting and its open action items.

    draft (due day 2) -> review meeting (day 5) -> final and tickets (day 7) -> action items
    (week 2+, due when the earliest open item is) -> quarterly review (end of the quarter).

    A document is final when its status says so or it was ``finalized`` (a
    ``finalized_at`` in its front matter). It stays in "final and tickets" while any of its
    ``untracked`` open action items has no ticket: the seed creates the tickets with the
    final document.
    """
    dues = due_dates(incident_day, config) if incident_day else None
    final = status == "final" or finalized
    if status == "draft" and not final:
        stage, due = DRAFT, dues.draft if dues else None
    elif not final and not meeting_held:
        stage, due = MEETING, dues.meeting if dues else None
    elif not final or untracked:
        stage, due = FINAL, dues.final if dues else None
    elif open_action_dues:
        known = [d for d in open_action_dues if d is not None]
        stage, due = ACTIONS, min(known) if known else None
    else:
        stage, due = QUARTERLY, quarter_end(incident_day or today)
    late = (today - due).days if due and today > due else 0
    return Stage(stage, due, late)
