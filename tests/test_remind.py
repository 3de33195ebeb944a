"""`afterword remind`: digests per owner, orphans to authors; Slack webhook and SMTP."""

from __future__ import annotations

import json
import shutil
import socket
import time

import httpx
import pytest
from aiosmtpd.controller import Controller

from afterword.tracker import http
from conftest import EXAMPLES

TODAY = "2024-02-12"


@pytest.fixture
def indexed(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "postmortems"
    folder.mkdir()
    for path in EXAMPLES.glob("*.md"):
        shutil.copyfile(path, folder / path.name)
    (folder / "orphans.md").write_text(
        "---\ntitle: Queue backlog\nauthors: [Priya Raman]\nstatus: final\n---\n\n"
        "# Queue backlog\n\n"
        "## Action items\n\n- Add a backlog alert above 10k messages\n"
    )
    assert cli("index", folder).code == 0
    return folder


def test_digests_json(cli, indexed):
    data = json.loads(cli("remind", "--format", "json", "--today", TODAY).stdout)["digests"]
    by = {d["recipient"]: d for d in data}
    assert [r["title"] for r in by["Dana Whitfield"]["overdue"]] == [
        "Write the wiki article on connection patterns and link it from the repository README"
    ]
    assert by["Dana Whitfield"]["overdue"][0]["overdue_days"] == 3
    assert [r["title"] for r in by["@sam"]["due_soon"]] == ["Implement partial cache invalidation"]
    assert [r["title"] for r in by["Priya Raman"]["orphans"]] == [
        "Add a backlog alert above 10k messages"
    ]
    assert data[0]["recipient"] == "Dana Whitfield"  # the most overdue first


def test_digests_markdown(cli, indexed):
    text = cli("remind", "--format", "markdown", "--today", TODAY).stdout
    item = "- [ ] Implement partial cache invalidation (due 2024-02-15, ENG-999;"
    assert f"## @sam\n\n**Due soon**\n\n{item}" in text


def test_slack_webhook(cli, indexed, monkeypatch):
    posted = []

    def handle(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    monkeypatch.setattr(http, "DEFAULT_TRANSPORT", httpx.MockTransport(handle))
    result = cli(
        "remind", "--slack-webhook", "https://hooks.slack.com/services/T0/B0/x", "--today", TODAY
    )
    assert result.code == 0 and "posted 3 digests to Slack" in result.stdout
    assert any("*Overdue*" in p["text"] and "Dana Whitfield" in p["text"] for p in posted)


def test_slack_rejection_is_one_line(cli, indexed, monkeypatch):
    monkeypatch.setattr(
        http,
        "DEFAULT_TRANSPORT",
        httpx.MockTransport(lambda request: httpx.Response(403, text="invalid_token")),
    )
    result = cli("remind", "--slack-webhook", "https://hooks.slack.com/services/T0/B0/x")
    assert result.code == 2 and "Slack: 403" in result.stderr


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def test_smtp_to_a_local_server(cli, indexed, tmp_path):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (tmp_path / "afterword.toml").write_text(
            '[remind]\nsender = "postmortems@acme.example"\n'
            '[remind.emails]\n"Dana Whitfield" = "dana@acme.example"\nsam = "sam@acme.example"\n'
        )
        result = cli("remind", "--smtp", f"127.0.0.1:{port}", "--today", TODAY)
        for _ in range(50):
            if len(inbox.messages) >= 2:
                break
            time.sleep(0.05)
    finally:
        controller.stop()
    assert result.code == 0 and "emailed 2 digests" in result.stdout
    assert "no address for Priya Raman" in result.stderr
    recipients = sorted(r for tos, _ in inbox.messages for r in tos)
    assert recipients == ["dana@acme.example", "sam@acme.example"]
    assert any("Write the wiki article" in body for _, body in inbox.messages)
