"""Timeline sources in their real formats, made by the tests (no recorded customer data)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def ts(text: str) -> str:
    """A Slack ``ts`` for an ISO time: epoch seconds with microseconds, as Slack writes it."""
    return f"{datetime.fromisoformat(text).astimezone(UTC).timestamp():.6f}"


def slack_export(root: Path) -> Path:
    """A small workspace export: two channels over two days, users, pins, reactions, files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "users.json").write_text(
        json.dumps(
            [
                {
                    "id": "U01",
                    "name": "dana",
                    "real_name": "Dana Whitfield",
                    "profile": {"display_name": "dana.w", "real_name": "Dana Whitfield"},
                },
                {"id": "U02", "name": "tomas", "real_name": "Tomás Ortega", "profile": {}},
            ]
        )
    )
    (root / "channels.json").write_text(
        json.dumps([{"id": "C01", "name": "incident-payments"}, {"id": "C02", "name": "general"}])
    )
    days = {
        ("incident-payments", "2024-01-15"): [
            {
                "type": "message",
                "user": "U01",
                "ts": ts("2024-01-15T14:06:10+00:00"),
                "text": "PaymentsErrorRate firing at 38%, <@U02> can you look?",
                "pinned_to": ["C01"],
                "reactions": [{"name": "eyes", "users": ["U02"], "count": 1}],
            },
            {
                "type": "message",
                "subtype": "channel_join",
                "user": "U02",
                "ts": ts("2024-01-15T14:07:00+00:00"),
                "text": "<@U02> has joined the channel",
            },
            {
                "type": "message",
                "user": "U02",
                "ts": ts("2024-01-15T14:31:00+00:00"),
                "text": "Release 2024.01.15-2 is the trigger: see <https://grafana.example.com/d/db|connections>",
                "files": [{"name": "connections.png", "title": "Connections graph"}],
            },
            {
                "type": "message",
                "subtype": "bot_message",
                "username": "deploybot",
                "ts": ts("2024-01-15T14:41:00+00:00"),
                "text": "Rolled back payments-api to 2024.01.15-1",
                "reactions": [{"name": "white_check_mark", "users": ["U01"], "count": 1}],
            },
        ],
        ("incident-payments", "2024-01-16"): [
            {
                "type": "message",
                "user": "U01",
                "ts": ts("2024-01-16T09:00:00+00:00"),
                "text": "Postmortem draft is up &amp; ready for review",
            },
        ],
        ("general", "2024-01-15"): [
            {
                "type": "message",
                "user": "U02",
                "ts": ts("2024-01-15T14:10:00+00:00"),
                "text": "Anyone else seeing checkout errors?",
            },
        ],
    }
    for (channel, day), messages in days.items():
        (root / channel).mkdir(exist_ok=True)
        (root / channel / f"{day}.json").write_text(json.dumps(messages))
    return root


def pagerduty_log(path: Path) -> Path:
    """``GET /incidents/{id}/log_entries`` as PagerDuty's REST API v2 returns it."""
    incident = {"id": "PT4KHLK", "type": "incident_reference", "summary": "[#1234] Payments down"}
    entries = [
        {
            "id": "R1",
            "type": "trigger_log_entry",
            "summary": "Triggered through the API.",
            "created_at": "2024-01-15T14:06:02Z",
            "channel": {"type": "api"},
            "agent": {"type": "service_reference", "summary": "payments-api"},
            "incident": incident,
        },
        {
            "id": "R2",
            "type": "notify_log_entry",
            "summary": "Notified Dana Whitfield by phone.",
            "created_at": "2024-01-15T14:06:05Z",
            "agent": {"type": "user_reference", "summary": "Dana Whitfield"},
            "incident": incident,
        },
        {
            "id": "R3",
            "type": "acknowledge_log_entry",
            "summary": "Acknowledged by Dana Whitfield.",
            "created_at": "2024-01-15T14:08:11Z",
            "channel": {"type": "mobile"},
            "agent": {"type": "user_reference", "summary": "Dana Whitfield"},
            "incident": incident,
        },
        {
            "id": "R4",
            "type": "annotate_log_entry",
            "summary": "Note added",
            "created_at": "2024-01-15T14:32:00Z",
            "channel": {"type": "note", "summary": "Rolling back release"},
            "agent": {"type": "user_reference", "summary": "Tomás Ortega"},
            "incident": incident,
        },
        {
            "id": "R5",
            "type": "resolve_log_entry",
            "summary": "Resolved by Tomás Ortega.",
            "created_at": "2024-01-15T14:49:30Z",
            "channel": {"type": "web_ui"},
            "agent": {"type": "user_reference", "summary": "Tomás Ortega"},
            "incident": incident,
        },
    ]
    path.write_text(
        json.dumps({"log_entries": entries, "limit": 25, "offset": 0, "more": False, "total": None})
    )
    return path


def opsgenie_log(path: Path) -> Path:
    """``GET /v2/alerts/{id}/logs`` as Opsgenie's Alert API returns it."""
    path.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "log": "Alert created via API",
                        "type": "system",
                        "owner": "",
                        "createdAt": "2024-01-15T14:06:00.123Z",
                        "offset": "1705327560123_1",
                    },
                    {
                        "log": "Alert acknowledged via mobile",
                        "type": "alertAck",
                        "owner": "dana@example.com",
                        "createdAt": "2024-01-15T14:08:30Z",
                        "offset": "1705327710000_2",
                    },
                    {
                        "log": "Alert closed via web",
                        "type": "system",
                        "owner": "tomas@example.com",
                        "createdAt": "2024-01-15T14:50:00Z",
                        "offset": "1705330200000_3",
                    },
                ],
                "paging": {"first": "..."},
                "took": 0.01,
                "requestId": "req-1",
            }
        )
    )
    return path


def git_repository(path: Path) -> Path:
    """A repository with three commits and a tag, dated around the incident."""
    path.mkdir(parents=True)

    def git(*args: str, when: str | None = None) -> None:
        env = {
            "GIT_AUTHOR_NAME": "CI",
            "GIT_AUTHOR_EMAIL": "ci@example.com",
            "GIT_COMMITTER_NAME": "CI",
            "GIT_COMMITTER_EMAIL": "ci@example.com",
            "HOME": str(path),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        }
        if when:
            env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    for when, message in (
        ("2024-01-14T10:00:00+00:00", "Refactor repository class"),
        ("2024-01-15T13:50:00+00:00", "Release 2024.01.15-2"),
        ("2024-01-16T10:00:00+00:00", "Use pooled DataSource again"),
    ):
        (path / "log.txt").write_text(message)
        git("add", "log.txt")
        git("commit", "-q", "-m", message, when=when)
    git(
        "tag", "-a", "v2024.01.15-2", "-m", "Release 2024.01.15-2", when="2024-01-15T13:55:00+00:00"
    )
    return path
