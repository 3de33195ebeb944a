"""Jira Cloud (REST API v3): create issues, find one by its label, read its status."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

import httpx

from afterword.errors import UsageError
from afterword.tracker.http import Client, http_client
from afterword.tracker.model import Ticket, TicketRequest

ENV = ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN")


class Jira:
    """Issues of one project (``KEY``) on ``JIRA_URL``, basic auth with an API token."""

    name = "Jira"

    def __init__(
        self,
        project: str,
        *,
        issue_type: str = "Task",
        transport: httpx.BaseTransport | None = None,
        client: Client | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]+", project or ""):
            raise UsageError("--project: expected a Jira project key, e.g. OPS")
        missing = [name for name in ENV if not os.environ.get(name)]
        if missing:
            raise UsageError(f"set {', '.join(missing)} (site URL, account email, API token)")
        self.project = project
        self.issue_type = issue_type
        http = http_client(
            base_url=os.environ["JIRA_URL"].rstrip("/"),
            transport=transport,
            auth=(os.environ["JIRA_EMAIL"], os.environ["JIRA_API_TOKEN"]),
            headers={"Accept": "application/json", "User-Agent": "afterword"},
        )
        self.http = client or Client(self.name, http)

    def owns(self, ticket: str) -> bool:
        return re.fullmatch(rf"{re.escape(self.project)}-\d+", ticket) is not None

    @staticmethod
    def label(marker: str) -> str:
        return "afterword-" + hashlib.sha1(marker.encode()).hexdigest()[:12]

    def find(self, marker: str) -> Ticket | None:
        jql = f'project = "{self.project}" AND labels = "{self.label(marker)}"'
        data = self.http.request(
            "POST",
            "/rest/api/3/search/jql",
            json={"jql": jql, "fields": ["status"], "maxResults": 1},
        )
        issues = data.get("issues", []) if isinstance(data, dict) else []
        return _ticket(issues[0]) if issues else None

    def create(self, request: TicketRequest) -> Ticket:
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": request.title[:255],
            "labels": ["postmortem", self.label(request.marker), *request.labels],
            "description": {
                "type": "doc",
                "version": 1,
                "content": [
                    {
                        "type": "paragraph",
                        "content": [{"type": "text", "text": request.description}],
                    }
                ],
            },
        }
        if request.due:
            fields["duedate"] = request.due
        created = self.http.request("POST", "/rest/api/3/issue", json={"fields": fields})
        return Ticket(reference=str(created["key"]), done=False)

    def get(self, ticket: str) -> Ticket:
        return _ticket(
            self.http.request("GET", f"/rest/api/3/issue/{ticket}", params={"fields": "status"})
        )


def _ticket(issue: dict[str, Any]) -> Ticket:
    status = (issue.get("fields") or {}).get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    return Ticket(
        reference=str(issue["key"]),
        done=category == "done",
        dropped=str(status.get("name", "")).lower() in ("won't do", "cancelled", "declined"),
    )
