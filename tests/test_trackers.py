"""`afterword actions sync` against GitHub and Jira, answered from recorded responses."""

from __future__ import annotations

import re
import shutil

import httpx
import pytest

from afterword import parse_file
from afterword.tracker import http
from conftest import EXAMPLES
from fake_trackers import FakeGitHub, FakeJira, recorded

TOKEN = "ghp_secret_token_value"


@pytest.fixture
def postmortem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cache.md"
    shutil.copyfile(EXAMPLES / "cache-flush-quick.md", path)
    text = path.read_text().replace(
        "(ENG-999, owner: @sam, due: 2024-02-15)", "(owner: @sam, due: 2024-02-15)"
    )
    path.write_text(
        text + "\n## Action items\n\n- Alert on cache hit ratio below 80% (owner: @kim)\n"
    )
    return path


@pytest.fixture
def github(monkeypatch):
    fake = FakeGitHub()
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setattr(http, "DEFAULT_TRANSPORT", fake.transport())
    monkeypatch.setattr(http, "sleep", lambda seconds: fake.requests.append(seconds))
    return fake


@pytest.fixture
def jira(monkeypatch):
    fake = FakeJira()
    monkeypatch.setenv("JIRA_URL", "https://acme.atlassian.net")
    monkeypatch.setenv("JIRA_EMAIL", "bot@acme.example")
    monkeypatch.setenv("JIRA_API_TOKEN", "jira-secret")
    monkeypatch.setattr(http, "DEFAULT_TRANSPORT", fake.transport())
    return fake


def sync(cli, path, *args):
    return cli("actions", "sync", path, *args)


def test_github_creates_writes_back_and_is_idempotent(cli, github, postmortem):
    first = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert first.code == 0, first.stderr
    assert "created 2, linked 0 existing, marked 0 done; 1 postmortems updated" in first.stdout
    items = {i.title: i for i in parse_file(postmortem).action_items}
    assert items["Implement partial cache invalidation"].ticket == (
        "https://github.com/acme/platform/issues/1347"
    )
    assert items["Enabled cache warming"].ticket is None  # done already: nothing to track
    created = [r for r in github.requests if isinstance(r, httpx.Request) and r.method == "POST"]
    body = created[0].read().decode()
    assert '"assignees":["sam"]' in body and "afterword-id:" in body
    assert created[0].headers["authorization"] == f"Bearer {TOKEN}"
    second = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert "created 0, linked 0 existing, marked 0 done; 0 postmortems updated" in second.stdout
    assert len(github.issues) == 2


def test_github_finds_an_issue_created_before_an_interrupted_run(cli, github, postmortem):
    from afterword.tracker.sync import marker

    pm = parse_file(postmortem)
    item = next(i for i in pm.action_items if i.title == "Implement partial cache invalidation")
    github.issue(
        item.title, f"created by a run that stopped\n\n<!-- {marker('cache.md', item)} -->"
    )
    result = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert "created 1, linked 1 existing" in result.stdout
    assert len(github.issues) == 2


def test_github_closed_issue_marks_the_item_done(cli, github, postmortem):
    sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    github.issues[1347]["state"] = "closed"
    github.issues[1347]["state_reason"] = "completed"
    result = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert "marked 1 done" in result.stdout
    items = {i.title: i.status.value for i in parse_file(postmortem).action_items}
    assert items["Implement partial cache invalidation"] == "done"


def test_github_retries_rate_limits_and_server_errors(cli, github, postmortem):
    github.failures = [
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(
            403,
            json=recorded("github_rate_limited.json"),
            headers={"x-ratelimit-remaining": "0", "retry-after": "7"},
        ),
        httpx.Response(429, headers={"retry-after": "3"}),
    ]
    result = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert result.code == 0 and "created 2" in result.stdout
    waits = [r for r in github.requests if isinstance(r, float)]
    assert waits == [1.0, 7.0, 3.0]


@pytest.mark.parametrize(
    ("status", "payload", "message"),
    [
        (401, recorded("github_401.json"), "GitHub: 401 Bad credentials (check the token)"),
        (
            404,
            {"message": "Not Found", "status": "404"},
            "GitHub: 404 Not Found (check the repository",
        ),
    ],
)
def test_github_errors_are_one_line_without_the_token(
    cli, github, postmortem, status, payload, message
):
    github.failures = [httpx.Response(status, json=payload)]
    before = postmortem.read_text()
    result = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform")
    assert result.code == 2 and message in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1 and postmortem.read_text() == before


def test_github_needs_a_token_and_a_repo(cli, postmortem, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert "set GITHUB_TOKEN" in sync(cli, postmortem, "--to", "github", "--repo", "a/b").stderr
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    assert "--repo owner/name is required" in sync(cli, postmortem, "--to", "github").stderr


def test_dry_run_changes_nothing(cli, github, postmortem):
    before = postmortem.read_text()
    result = sync(cli, postmortem, "--to", "github", "--repo", "acme/platform", "--dry-run")
    assert "would create 2" in result.stdout
    assert postmortem.read_text() == before and not github.issues


def test_jira_creates_with_labels_and_pulls_status(cli, jira, postmortem):
    first = sync(cli, postmortem, "--to", "jira", "--project", "OPS")
    assert first.code == 0, first.stderr
    keys = [i.ticket for i in parse_file(postmortem).action_items if i.ticket]
    assert keys == ["OPS-24", "OPS-25"]
    created = next(r for r in jira.requests if r.url.path == "/rest/api/3/issue")
    body = created.read().decode()
    assert '"duedate":"2024-02-15"' in body and re.search(r'"afterword-[0-9a-f]{12}"', body)
    assert created.headers["authorization"].startswith("Basic ")
    jira.close("OPS-24")
    second = sync(cli, postmortem, "--to", "jira", "--project", "OPS")
    assert "created 0, linked 0 existing, marked 1 done" in second.stdout
    assert len(jira.issues) == 2


def test_jira_lost_write_back_is_found_by_label(cli, jira, postmortem):
    before = postmortem.read_text()
    sync(cli, postmortem, "--to", "jira", "--project", "OPS")
    postmortem.write_text(before)  # as if the run stopped before writing the tickets back
    result = sync(cli, postmortem, "--to", "jira", "--project", "OPS")
    assert "created 0, linked 2 existing" in result.stdout
    assert len(jira.issues) == 2
