"""The CLI contract: commands, JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from afterword import parse_file
from conftest import EXAMPLES

INCIDENT = EXAMPLES / "incidents" / "payment-outage.yaml"


def test_triage_json_contract(cli):
    result = cli("triage", INCIDENT, "--format", "json")
    assert result.code == 0
    assert json.loads(result.stdout) == {
        "needs_postmortem": True,
        "reasons": [
            "severity SEV2",
            "customer-facing outage of 47 minutes (longer than 15 minutes)",
        ],
        "template": "standard",
        "due": {"draft": "2024-01-17", "meeting": "2024-01-20", "final": "2024-01-22"},
    }


def test_triage_text(cli):
    result = cli("triage", EXAMPLES / "incidents" / "cache-flush.yaml")
    assert result.code == 0
    assert "no postmortem required (template: quick)" in result.stdout


def test_triage_today_counts_due_dates_without_a_start(cli, write):
    path = write("inc.yaml", "title: Disk filled up\nsecurity: true\n")
    result = cli("triage", path, "--format", "json", "--today", "2024-05-01")
    assert json.loads(result.stdout)["due"]["final"] == "2024-05-08"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("title: X\nseverity: SEV7\n", "inc.yaml:2: severity: unknown severity 'SEV7'"),
        (
            "title: X\nstarted_at: 2024-01-01T10:00Z\nresolved_at: 2024-01-01T09:00Z\n",
            "inc.yaml:3: resolved_at: resolved_at",
        ),
        ("title: X\nseverity: [unclosed\n", "inc.yaml:2: invalid YAML"),
        ("severity: SEV1\n", "inc.yaml:1: title: required field is missing"),
        ("title: X\ncolour: red\n", "inc.yaml:2: colour: unknown field 'colour'"),
        (
            "title: X\nstarted_at: 2024-01-01 10:00\n",
            "inc.yaml:2: started_at: time '2024-01-01 10:00' has no time zone",
        ),
    ],
)
def test_triage_bad_input_is_one_line_and_exit_2(cli, write, yaml_text, message):
    path = write("inc.yaml", yaml_text)
    result = cli("triage", path)
    assert result.code == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("afterword: error: ") and message in line


def test_triage_missing_file(cli, tmp_path):
    result = cli("triage", tmp_path / "missing.yaml")
    assert result.code == 2 and "missing.yaml: no such file" in result.stderr


def test_new_from_each_template_then_parse(cli, tmp_path):
    for template in ("standard", "five-whys", "quick"):
        path = tmp_path / f"{template}.md"
        result = cli("new", path, "--template", template, "--incident", INCIDENT)
        assert result.code == 0, result.stderr
        pm = parse_file(path)
        assert pm.template == template
        assert pm.severity.value == "SEV2"
        assert pm.outage_minutes == 47


def test_new_prefills_timeline_and_quick_header(cli, tmp_path):
    path = tmp_path / "quick.md"
    cli("new", path, "--template", "quick", "--incident", INCIDENT, "--title", "Checkout down")
    text = path.read_text()
    assert "Date: 2024-01-15 | Duration: 47 min | Severity: SEV2" in text
    pm = parse_file(path)
    assert pm.title == "Checkout down"
    assert [e.kind.value for e in pm.timeline] == ["started", "detected", "resolved"]


def test_new_never_overwrites_without_force(cli, tmp_path):
    path = tmp_path / "pm.md"
    path.write_text("my notes\n")
    result = cli("new", path)
    assert result.code == 2 and "file exists; use --force" in result.stderr
    assert path.read_text() == "my notes\n"
    assert cli("new", path, "--force").code == 0
    assert parse_file(path).title == "Pm"
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]  # no temporary left behind


def test_new_unknown_template(cli, tmp_path):
    result = cli("new", tmp_path / "x.md", "--template", "nope")
    assert result.code == 2
    assert "unknown template 'nope' (available: five-whys, quick, standard)" in result.stderr


def test_team_templates_from_config(cli, tmp_path, monkeypatch):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "security.md.j2").write_text(
        "---\n{{ front_matter }}\n---\n\n# {{ title }}\n\n## Exposure window\n"
    )
    (tmp_path / "afterword.toml").write_text('[templates]\nfolder = "tpl"\n')
    monkeypatch.chdir(tmp_path)
    assert "security" in cli("templates").stdout
    assert cli("new", "leak.md", "--template", "security", "--title", "Token leak").code == 0
    assert parse_file(tmp_path / "leak.md").sections[0].heading == "Exposure window"


def test_parse_json_has_the_model_keys(cli):
    result = cli("parse", EXAMPLES / "payment-outage-5-whys.md", "--format", "json")
    data = json.loads(result.stdout)
    for key in (
        "title",
        "severity",
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "customer_facing",
        "data_loss",
        "security",
        "near_miss",
        "novel_failure_mode",
        "unusual_intervention",
        "services",
        "tags",
        "status",
        "authors",
        "facilitator",
        "sections",
        "timeline",
        "whys",
        "root_causes",
        "improvements",
        "action_items",
        "lessons",
    ):
        assert key in data
    assert data["severity"] == "SEV2" and data["status"] == "final"
    assert data["started_at"] == "2024-01-15T14:02:00Z"
    assert data["timeline"][0] == {
        "at": "2024-01-15T13:55:00Z",
        "text": "Release 2024.01.15-2 of payments-api deployed",
        "source": "deploys",
        "kind": "deploy",
    }
    assert data["whys"][1]["question"] == "Why were database connections exhausted?"
    assert data["action_items"][0]["ticket"] == "PAY-1412"


def test_parse_bad_document(cli, write):
    path = write("pm.md", "---\ntitle: X\nseverity: high\n---\n")
    result = cli("parse", path)
    assert result.code == 2
    assert "pm.md:3: severity: unknown severity 'high'" in result.stderr


def test_console_script_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: X\nseverity: SEV0\n")
    run = subprocess.run(
        [sys.executable, "-m", "afterword", "triage", str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_usage_error_exit_2(cli):
    assert cli("triage").code == 2
    assert cli("triage", "x.yaml", "--format", "xml").code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["triage"], "Missing argument 'incident'. (see `afterword triage --help`)"),
        (["triage", "x.yaml", "--format", "xml"], "Invalid value for '--format'"),
        (["nosuch"], "No such command 'nosuch'. (see `afterword --help`)"),
        (["search", "x", "--bogus"], "No such option: --bogus (see `afterword search --help`)"),
        (["search", "x", "--limit", "0"], "Invalid value for '--limit'"),
    ],
)
def test_console_script_usage_errors_are_one_line(args, message):
    run = subprocess.run([sys.executable, "-m", "afterword", *args], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith(f"afterword: error: {message}")
    assert run.stderr.count("\n") == 1 and not run.stdout


def test_console_script_without_a_command_shows_its_help():
    run = subprocess.run([sys.executable, "-m", "afterword"], capture_output=True, text=True)
    assert run.returncode == 2 and "Usage: afterword" in run.stderr and "lint" in run.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "afterword", "--version"], capture_output=True, text=True
    )
    assert shown.returncode == 0 and shown.stdout.startswith("afterword ")
