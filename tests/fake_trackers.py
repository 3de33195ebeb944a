"""GitHub and Jira as httpx MockTransports answering with the recorded responses in
tests/data/trackers, keeping the issues they 'created' so that search and status work."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import httpx

DATA = Path(__file__).parent / "data" / "trackers"


def recorded(name: str) -> dict:
    return json.loads((DATA / name).read_text())


class FakeGitHub:
    def __init__(self, repo: str = "acme/platform") -> None:
        self.repo = repo
        self.issues: dict[int, dict] = {}
        self.requests: list[httpx.Request] = []
        self.failures: list[httpx.Response] = []  # answered first, in order

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def issue(self, title: str, body: str, state: str = "open") -> dict:
        number = 1347 + len(self.issues)
        data = copy.deepcopy(recorded("github_issue.json"))
        data.update(
            number=number,
            title=title,
            body=body,
            state=state,
            html_url=f"https://github.com/{self.repo}/issues/{number}",
            url=f"https://api.github.com/repos/{self.repo}/issues/{number}",
        )
        self.issues[number] = data
        return data

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            return self.failures.pop(0)
        path = request.url.path
        if request.method == "GET" and path == "/search/issues":
            marker = re.search(r'"([^"]+)"', request.url.params["q"]).group(1)
            items = [i for i in self.issues.values() if marker in (i["body"] or "")]
            return httpx.Response(
                200,
                json={
                    **recorded("github_search_empty.json"),
                    "total_count": len(items),
                    "items": items,
                },
            )
        if request.method == "POST" and path == f"/repos/{self.repo}/issues":
            payload = json.loads(request.content)
            return httpx.Response(201, json=self.issue(payload["title"], payload["body"]))
        match = re.fullmatch(rf"/repos/{self.repo}/issues/(\d+)", path)
        if request.method == "GET" and match and int(match.group(1)) in self.issues:
            return httpx.Response(200, json=self.issues[int(match.group(1))])
        return httpx.Response(404, json={"message": "Not Found", "status": "404"})


class FakeJira:
    def __init__(self, project: str = "OPS") -> None:
        self.project = project
        self.issues: dict[str, dict] = {}
        self.labels: dict[str, list[str]] = {}
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def close(self, key: str) -> None:
        status = self.issues[key]["fields"]["status"]
        status.update(
            name="Done",
            statusCategory={**status["statusCategory"], "key": "done", "name": "Done", "id": 3},
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path == "/rest/api/3/issue":
            fields = json.loads(request.content)["fields"]
            if not fields.get("summary"):
                return httpx.Response(
                    400,
                    json={
                        "errorMessages": [],
                        "errors": {"summary": "You must specify a summary of the issue."},
                    },
                )
            key = f"{self.project}-{24 + len(self.issues)}"
            issue = copy.deepcopy(recorded("jira_issue.json"))
            issue["key"] = key
            self.issues[key] = issue
            self.labels[key] = fields["labels"]
            return httpx.Response(201, json={**recorded("jira_created.json"), "key": key})
        if request.method == "POST" and path == "/rest/api/3/search/jql":
            label = re.search(r'labels = "([^"]+)"', json.loads(request.content)["jql"]).group(1)
            found = [self.issues[k] for k, labels in self.labels.items() if label in labels]
            return httpx.Response(200, json={**recorded("jira_search_empty.json"), "issues": found})
        match = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)", path)
        if request.method == "GET" and match and match.group(1) in self.issues:
            return httpx.Response(200, json=self.issues[match.group(1)])
        return httpx.Response(404, json=recorded("jira_404.json"))
