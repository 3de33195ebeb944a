"""The domain: incidents and the postmortems written about them.

Every time is timezone-aware. A naive time is accepted only when the validation
context names the document's zone (``context={"timezone": tzinfo}``), which is how
a document that declares ``timezone:`` reads ``started_at: 2024-01-15 14:00``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from afterword.timeutil import elapsed, instant, parse_datetime


class Severity(StrEnum):
    """Incident severity, SEV1 the worst."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"
    SEV5 = "SEV5"

    @property
    def level(self) -> int:
        return int(self.value[-1])


class Status(StrEnum):
    """Where a postmortem document is in its writing."""

    DRAFT = "draft"
    IN_REVIEW = "in-review"
    FINAL = "final"


class EventKind(StrEnum):
    """What a timeline event marks, where it can be told."""

    STARTED = "started"
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    DEPLOY = "deploy"
    ACTION = "action"
    NOTE = "note"


class Rank(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"


class ImprovementType(StrEnum):
    """The seed's three kinds of systemic improvement."""

    PREVENTION = "prevention"
    DETECTION = "detection"
    MITIGATION = "mitigation"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    WONT_DO = "wont-do"


#: Statuses of an action item still to do. StrEnum members equal their strings, so the
#: store's plain-text statuses test against this too.
OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class TimeOrderError(ValueError):
    """Two incident times in an impossible order; names the later field."""

    def __init__(self, field: str, earlier: str) -> None:
        self.field = field
        self.earlier = earlier
        super().__init__(f"{field} is before {earlier}")


_SEVERITY = re.compile(r"^\s*(?:sev(?:erity)?)?[\s_-]*([1-5])\s*$", re.IGNORECASE)


def severity_of(value: Any) -> Severity:
    """The severity ``SEV2``, ``sev2``, ``2`` or ``Sev-2`` stand for; ValueError otherwise."""
    if isinstance(value, Severity):
        return value
    match = _SEVERITY.match(str(value))
    if not match or isinstance(value, bool):
        raise ValueError(f"unknown severity {value!r} (expected SEV1 to SEV5)")
    return Severity(f"SEV{match.group(1)}")


def _to_severity(value: Any) -> Any:
    return None if value is None else severity_of(value)


def _to_datetime(value: Any, info: ValidationInfo) -> Any:
    zone: tzinfo | None = (info.context or {}).get("timezone")
    if isinstance(value, datetime):
        if value.tzinfo is None and zone is not None:
            return value.replace(tzinfo=zone)
        return value
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str):
        return parse_datetime(value, zone)
    return value


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("time has no time zone; add one or declare 'timezone:' in the document")
    return value


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value.strip()):
        return value.strip()[:10]
    return value


def _to_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _to_status(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower().replace(" ", "-").replace("_", "-")
    return value


AwareDatetime = Annotated[datetime, BeforeValidator(_to_datetime), AfterValidator(_require_aware)]
SeverityField = Annotated[Severity | None, BeforeValidator(_to_severity)]
Names = Annotated[list[str], BeforeValidator(_to_list)]
Day = Annotated[date, BeforeValidator(_to_date)]

#: Incident times in the order they must happen: (later field, earlier field).
TIME_ORDER = (
    ("detected_at", "started_at"),
    ("acknowledged_at", "started_at"),
    ("acknowledged_at", "detected_at"),
    ("mitigated_at", "started_at"),
    ("resolved_at", "started_at"),
    ("resolved_at", "detected_at"),
    ("resolved_at", "mitigated_at"),
    ("impact_ended_at", "impact_started_at"),
)


class Incident(BaseModel):
    """What happened, when, and how bad: the facts triage decides on."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    title: str = Field(min_length=1)
    severity: SeverityField = None
    started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None
    acknowledged_at: AwareDatetime | None = None
    mitigated_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    impact_started_at: AwareDatetime | None = None
    impact_ended_at: AwareDatetime | None = None
    timezone: str | None = None
    customer_facing: bool = False
    data_loss: bool = False
    security: bool = False
    near_miss: bool = False
    novel_failure_mode: bool = False
    unusual_intervention: bool = False
    services: Names = Field(default_factory=list)
    tags: Names = Field(default_factory=list)

    @model_validator(mode="after")
    def _times_in_order(self) -> Incident:
        for later, earlier in TIME_ORDER:
            late, early = getattr(self, later), getattr(self, earlier)
            if late is not None and early is not None and instant(late) < instant(early):
                raise TimeOrderError(later, earlier)
        return self

    @property
    def outage_minutes(self) -> float | None:
        """Minutes from start to resolution, when both are known."""
        if self.started_at is None or self.resolved_at is None:
            return None
        return elapsed(self.started_at, self.resolved_at).total_seconds() / 60


class TimelineEvent(BaseModel):
    """One moment of the incident, with where it was learned from."""

    at: AwareDatetime | None
    text: str
    source: str | None = None
    kind: EventKind | None = None
    line: int | None = Field(default=None, exclude=True)
    written: str | None = Field(default=None, exclude=True)


class Why(BaseModel):
    """One level of a 5 Whys analysis."""

    question: str
    answer: str | None = None
    evidence: str | None = None
    line: int | None = Field(default=None, exclude=True)


class RootCause(BaseModel):
    text: str
    rank: Rank | None = None
    evidence: str | None = None
    line: int | None = Field(default=None, exclude=True)

    @field_validator("rank", mode="before")
    @classmethod
    def _rank(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class Improvement(BaseModel):
    """A systemic improvement answering a root cause."""

    root_cause: str
    improvement: str
    type: ImprovementType | None = None
    line: int | None = Field(default=None, exclude=True)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) and value.strip() else None


class ActionItem(BaseModel):
    """A concrete next step with an owner, a due date and a ticket."""

    title: str
    owner: str | None = None
    due: Day | None = None
    type: ImprovementType | None = None
    priority: str | None = None
    ticket: str | None = None
    status: ActionStatus = ActionStatus.OPEN
    line: int | None = Field(default=None, exclude=True)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return _to_status(value) or ActionStatus.OPEN

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) and value.strip() else None


class Section(BaseModel):
    """A heading of the document and the Markdown under it, up to the next heading."""

    heading: str
    level: int
    line: int
    key: str | None = Field(default=None, exclude=True)
    body: str = Field(default="", exclude=True)
    markup: str | None = Field(default=None, exclude=True)
    spans: list[tuple[int, int]] = Field(default_factory=list, exclude=True)


class Postmortem(Incident):
    """The incident plus what was learned from it."""

    status: Status = Status.DRAFT
    template: str | None = None
    authors: Names = Field(default_factory=list)
    facilitator: str | None = None
    attendees: Names = Field(default_factory=list)
    meeting_at: AwareDatetime | None = None
    finalized_at: AwareDatetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    preamble: str = Field(default="", exclude=True)
    sections: list[Section] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    whys: list[Why] = Field(default_factory=list)
    root_causes: list[RootCause] = Field(default_factory=list)
    improvements: list[Improvement] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)
    _origin: dict[str, Any] | None = PrivateAttr(default=None)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return _to_status(value)

    @property
    def origin(self) -> dict[str, Any] | None:
        """What the parser saw of the source document, for writing it back faithfully."""
        return self._origin

    def set_origin(self, origin: dict[str, Any]) -> None:
        self._origin = origin

    def section(self, key: str) -> Section | None:
        """The first section of a kind (``summary``, ``timeline``...), if present."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def people(self) -> list[str]:
        """Everyone the document names in its metadata and action items."""
        names = [*self.authors, *self.attendees]
        if self.facilitator:
            names.append(self.facilitator)
        names.extend(item.owner for item in self.action_items if item.owner)
        return list(dict.fromkeys(names))


#: Fields of the front matter, in the order they are written.
FRONT_MATTER_FIELDS = tuple(
    name
    for name in Postmortem.model_fields
    if name
    not in {
        "metadata",
        "preamble",
        "sections",
        "timeline",
        "whys",
        "root_causes",
        "improvements",
        "action_items",
        "lessons",
    }
)
