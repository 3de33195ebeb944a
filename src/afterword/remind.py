"""Reminders: one digest per owner of overdue and due-soon action items, and orphan items
(no owner) for the authors of their postmortems; printed, or posted to a Slack incoming
webhook, or sent by SMTP."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from afterword.errors import UsageError
from afterword.model import OPEN_STATUSES
from afterword.store.engine import Database, guarded
from afterword.store.queries import stored_items


@dataclass(frozen=True)
class Reminder:
    postmortem: str
    title: str
    due: str | None
    overdue_days: int
    ticket: str | None

    def line(self) -> str:
        when = (
            f"{self.overdue_days} days overdue"
            if self.overdue_days
            else f"due {self.due}"
            if self.due
            else "no due date"
        )
        ticket = f", {self.ticket}" if self.ticket else ""
        return f"{self.title} ({when}{ticket}; {self.postmortem})"


@dataclass
class Digest:
    recipient: str
    overdue: list[Reminder] = field(default_factory=list)
    due_soon: list[Reminder] = field(default_factory=list)
    orphans: list[Reminder] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            **{
                name: [vars(r) for r in getattr(self, name)]
                for name in ("overdue", "due_soon", "orphans")
            },
        }

    def markdown(self) -> str:
        parts = [f"## {self.recipient}"]
        for title, items in (
            ("Overdue", self.overdue),
            ("Due soon", self.due_soon),
            ("Without an owner (from your postmortems)", self.orphans),
        ):
            if items:
                parts.append(f"**{title}**\n\n" + "\n".join(f"- [ ] {r.line()}" for r in items))
        return "\n\n".join(parts)


@guarded
def digests(db: Database, today: date, soon_days: int = 7) -> list[Digest]:
    """The digests to send today, one per recipient, the most overdue first."""
    found: dict[str, Digest] = {}
    soon = today + timedelta(days=soon_days)
    for item in stored_items(db, statuses=OPEN_STATUSES):
        late = (today - item.due).days if item.due and today > item.due else 0
        reminder = Reminder(
            item.postmortem,
            item.title,
            item.due.isoformat() if item.due else None,
            late,
            item.ticket,
        )
        if item.owner is None:
            for author in item.authors or ["(no author)"]:
                found.setdefault(author, Digest(author)).orphans.append(reminder)
        elif late:
            found.setdefault(item.owner, Digest(item.owner)).overdue.append(reminder)
        elif item.due and item.due <= soon:
            found.setdefault(item.owner, Digest(item.owner)).due_soon.append(reminder)
    for digest in found.values():
        digest.overdue.sort(key=lambda r: -r.overdue_days)
        digest.due_soon.sort(key=lambda r: r.due or "")
    return sorted(
        found.values(),
        key=lambda d: (-max([r.overdue_days for r in d.overdue] or [0]), d.recipient),
    )


def post_to_slack(webhook: str, digests_: list[Digest], transport: Any = None) -> None:
    """Post the digests to a Slack incoming webhook, one message each."""
    from afterword.tracker.http import Client, http_client

    client = Client("Slack", http_client(transport=transport))
    for digest in digests_:
        client.request("POST", webhook, json={"text": digest.markdown().replace("**", "*")})


def send_mail(
    host: str, port: int, sender: str, emails: dict[str, str], digests_: list[Digest]
) -> list[str]:
    """Send each digest by SMTP to its recipient's address; the recipients without one."""
    by_address: dict[str, list[Digest]] = defaultdict(list)
    unknown = []
    for digest in digests_:
        address = emails.get(digest.recipient) or emails.get(digest.recipient.lstrip("@"))
        if address is None and "@" in digest.recipient.strip("@"):
            address = digest.recipient
        if address is None:
            unknown.append(digest.recipient)
        else:
            by_address[address].append(digest)
    try:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            for address, items in by_address.items():
                message = EmailMessage()
                message["Subject"] = "Postmortem action items: overdue and due soon"
                message["From"], message["To"] = sender, address
                message.set_content("\n\n".join(d.markdown() for d in items))
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise UsageError(f"SMTP {host}:{port}: {error}") from None
    return unknown
