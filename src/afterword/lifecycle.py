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
