"""What the trackers exchange with the sync: a request for a ticket, and a ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class TicketRequest:
    title: str
    description: str
    marker: str
    assignee: str | None = None
    due: str | None = None
    labels: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Ticket:
    reference: str  # an issue URL (GitHub) or key (Jira)
    done: bool
    dropped: bool = False


class Tracker(Protocol):
    name: str

    def owns(self, ticket: str) -> bool: ...
    def find(self, marker: str) -> Ticket | None: ...
    def create(self, request: TicketRequest) -> Ticket: ...
    def get(self, ticket: str) -> Ticket: ...
