"""GitHub Issues (REST API v3): create issues, find one by its marker, read its state."""

from __future__ import annotations

import os
import re
from typing import Any

import httpx

from afterword.errors import UsageError
from afterword.tracker.http import Client, http_client
from afterword.tracker.model import Ticket, TicketRequest

API = "https://api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"
_ISSUE_URL = re.compile(r"https://github\.com/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)")


class GitHub:
    """Issues of one repository (``owner/name``), with a token from ``GITHUB_TOKEN``."""

    name = "GitHub"

    def __init__(
        self,
        repo: str,
        *,
        transport: httpx.BaseTransport | None = None,
        client: Client | None = None,
    ) -> None:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo or ""):
            raise UsageError("--repo: expected owner/name, e.g. acme/platform")
        token = os.environ.get(TOKEN_ENV)
        if not token:
            raise UsageError(f"set {TOKEN_ENV} to a token that can create issues in {repo}")
        self.repo = repo
        http = http_client(
            base_url=API,
            transport=transport,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "afterword",
            },
        )
        self.http = client or Client(self.name, http)

    def owns(self, ticket: str) -> bool:
        match = _ISSUE_URL.match(ticket)
        return match is not None and match.group("repo").lower() == self.repo.lower()

    def find(self, marker: str) -> Ticket | None:
        query = f'"{marker}" repo:{self.repo} is:issue in:body'
        data = self.http.request("GET", "/search/issues", params={"q": query, "per_page": 5})
        items = data.get("items", []) if isinstance(data, dict) else []
        return _ticket(items[0]) if items else None

    def create(self, request: TicketRequest) -> Ticket:
        body = f"{request.description}\n\n<!-- {request.marker} -->"
        payload: dict[str, Any] = {
            "title": request.title,
            "body": body,
            "labels": ["postmortem", *request.labels],
        }
        if request.assignee:
            payload["assignees"] = [request.assignee.lstrip("@")]
        return _ticket(self.http.request("POST", f"/repos/{self.repo}/issues", json=payload))

    def get(self, ticket: str) -> Ticket:
        match = _ISSUE_URL.match(ticket)
        assert match is not None
        return _ticket(self.http.request("GET", f"/repos/{self.repo}/issues/{match['number']}"))


def _ticket(issue: dict[str, Any]) -> Ticket:
    return Ticket(
        reference=str(issue["html_url"]),
        done=issue.get("state") == "closed",
        dropped=issue.get("state_reason") == "not_planned",
    )
