"""Does an incident owe a postmortem, and which template? The seed's trigger policy.

Each trigger that fires is a reason of its own: SEV1 or SEV2; a customer-facing
outage longer than 15 minutes; data loss; a security incident; a near miss that could
have been severe; a novel failure mode; an incident that needed unusual intervention.
When none fires the incident still gets the quick template, because small incidents
reveal patterns ("don't skip small incidents").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from afterword.config import Config, load_config
from afterword.lifecycle import DueDates, due_dates
from afterword.model import Incident

#: Boolean triggers: field and the reason given when it is set.
FLAG_TRIGGERS = (
    ("data_loss", "data loss"),
    ("security", "security incident"),
    ("near_miss", "near miss that could have been severe"),
    ("novel_failure_mode", "novel failure mode"),
    ("unusual_intervention", "required unusual intervention"),
)


@dataclass(frozen=True)
class TriageResult:
    """The verdict: whether a postmortem is owed, why, which template and by when."""

    needs_postmortem: bool
    reasons: list[str]
    template: str
    due: DueDates | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "needs_postmortem": self.needs_postmortem,
            "reasons": list(self.reasons),
            "template": self.template,
            "due": self.due.as_dict() if self.due else None,
        }


def triage(
    incident: Incident, config: Config | None = None, today: date | None = None
) -> TriageResult:
    """Apply the trigger policy to an incident."""
    config = config or load_config()
    reasons = _reasons(incident, config)
    incident_day = incident.started_at.date() if incident.started_at else today
    notes = []
    if incident.started_at is None:
        notes.append("started_at is not given: due dates count from today")
    if incident.customer_facing and incident.outage_minutes is None:
        notes.append(
            "customer-facing but started_at or resolved_at is missing: "
            "the outage length cannot be checked"
        )
    return TriageResult(
        needs_postmortem=bool(reasons),
        reasons=reasons,
        template="standard" if reasons else "quick",
        due=due_dates(incident_day, config) if incident_day else None,
        notes=notes,
    )


def _reasons(incident: Incident, config: Config) -> list[str]:
    reasons = []
    severities = [str(name).upper() for name in config.get("triage.severities")]
    if incident.severity is not None and incident.severity.value in severities:
        reasons.append(f"severity {incident.severity.value}")
    limit = config.get("triage.outage_minutes")
    minutes = incident.outage_minutes
    if incident.customer_facing and minutes is not None and minutes > limit:
        reasons.append(
            f"customer-facing outage of {_minutes(minutes)} (longer than {limit} minutes)"
        )
    reasons.extend(reason for name, reason in FLAG_TRIGGERS if getattr(incident, name))
    return reasons


def _minutes(minutes: float) -> str:
    whole = int(minutes) if minutes == int(minutes) else round(minutes, 1)
    return f"{whole} minute{'s' if whole != 1 else ''}"
