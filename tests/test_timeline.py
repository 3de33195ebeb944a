"""Timeline sources, merge into a postmortem, show, charts and graphs."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone

import pytest

from afterword import parse_file
from afterword.timeline.sources import Window, load
from conftest import EXAMPLES
from sources import git_repository, opsgenie_log, pagerduty_log, slack_export


@pytest.fixture
def postmortem(tmp_path):
    path = tmp_path / "pm.md"
    shutil.copyfile(EXAMPLES / "payment-outage-5-whys.md", path)
    return path


def test_slack_export_names_channels_files_and_skips_joins(tmp_path):
    events = load(str(slack_export(tmp_path / "slack")), Window())
    texts = [e.text for e in events]
    assert "dana.w: PaymentsErrorRate firing at 38%, @Tomás Ortega can you look?" in texts
    assert any("[file: Connections graph]" in t and "see connections" in t for t in texts)
    assert not any("has joined" in t for t in texts)
    assert "dana.w: Postmortem draft is up & ready for review" in texts
    assert {e.source for e in events} == {"slack #incident-payments", "slack #general"}
    bot = next(e for e in events if e.text.startswith("deploybot:"))
    assert bot.at == datetime(2024, 1, 15, 14, 41, tzinfo=UTC) and bot.kind.value == "mitigated"


def test_slack_filters(tmp_path):
    export = str(slack_export(tmp_path / "slack"))
    assert len(load(export, Window(pinned=True))) == 1
    assert [e.text for e in load(export, Window(reaction="white_check_mark"))] == [
        "deploybot: Rolled back payments-api to 2024.01.15-1"
    ]
    assert {e.source for e in load(export, Window(channels=("#general",)))} == {"slack #general"}
    window = Window(
        since=datetime(2024, 1, 15, 14, 30, tzinfo=UTC),
        until=datetime(2024, 1, 15, 15, 0, tzinfo=UTC),
    )
    assert len(load(export, window)) == 2


def test_pagerduty_and_opsgenie_kinds(tmp_path):
    pd = load(str(pagerduty_log(tmp_path / "pd.json")), Window())
    assert [e.kind.value for e in pd] == ["detected", "note", "acknowledged", "note", "resolved"]
    assert pd[3].text == "Note: Rolling back release (Tomás Ortega)"
    og = load(str(opsgenie_log(tmp_path / "og.json")), Window())
    assert [e.kind.value for e in og] == ["detected", "acknowledged", "resolved"]
    assert og[0].at == datetime(2024, 1, 15, 14, 6, 0, 123000, tzinfo=UTC)


def test_git_commits_and_tags_in_a_window(tmp_path):
    repo = git_repository(tmp_path / "repo")
    window = Window(
        since=datetime(2024, 1, 15, tzinfo=UTC), until=datetime(2024, 1, 16, tzinfo=UTC)
    )
    commits = load(f"git:{repo}", window)
    assert len(commits) == 1
    assert commits[0].text.startswith("Commit ") and commits[0].text.endswith(
        ": Release 2024.01.15-2 (CI)"
    )
    assert commits[0].at == datetime(2024, 1, 15, 13, 50, tzinfo=UTC)
    tags = load(f"git:{repo}@tags", Window())
    assert tags[0].text == "Tag v2024.01.15-2: Release 2024.01.15-2"
    assert tags[0].at == datetime(2024, 1, 15, 13, 55, tzinfo=UTC)


def test_generic_csv_jsonl_and_deploys(write):
    csv_path = write(
        "events.csv", "time,text,source,kind\n2024-01-15 14:02,Pool at 100/100,grafana,started\n"
    )
    jsonl = write("events.jsonl", '{"time": "2024-01-15T14:06:00+01:00", "text": "Paged"}\n')
    deploys = write(
        "deploys.csv",
        "time,service,version,environment,author\n"
        "2024-01-15T13:55:00Z,payments-api,2024.01.15-2,production,ci\n",
    )
    tz = Window(zone=timezone(timedelta(hours=1)))
    (event,) = load(str(csv_path), tz)
    assert (event.at, event.source, event.kind.value) == (
        datetime(2024, 1, 15, 13, 2, tzinfo=UTC),
        "grafana",
        "started",
    )
    assert load(str(jsonl), Window())[0].at == datetime(2024, 1, 15, 13, 6, tzinfo=UTC)
    (deploy,) = load(str(deploys), Window())
    assert deploy.text == "Deployed payments-api 2024.01.15-2 to production (ci)"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("events.csv", "what,who\n", "events.csv:1: time: no time column"),
        (
            "events.csv",
            "time,text\n2024-01-15 14:02,naive\n",
            "events.csv:2: time: time '2024-01-15 14:02' has no time zone",
        ),
        ("pd.json", '{"log_entries": [{"type": "trigger_log_entry"', "pd.json:1: invalid JSON"),
        ("events.jsonl", '{"time": "2024-01-15T14:02Z"}\n', "events.jsonl:1: text: no text field"),
        (
            "events.csv",
            "time,text,kind\n2024-01-15T14:02Z,x,exploded\n",
            "events.csv:2: kind: unknown kind 'exploded'",
        ),
    ],
)
def test_bad_sources_are_one_line_exit_2_and_nothing_written(
    cli, write, postmortem, name, text, message
):
    before = postmortem.read_text()
    source = write(name, text)
    result = cli("timeline", "import", source, "--into", postmortem)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert postmortem.read_text() == before


def test_unreadable_folder_is_exit_2(cli, tmp_path, postmortem):
    (tmp_path / "empty").mkdir()
    result = cli("timeline", "import", tmp_path / "empty", "--into", postmortem)
    assert result.code == 2 and "neither a Slack export nor a git repository" in result.stderr


def test_import_merges_sorted_deduplicated_and_keeps_human_lines(cli, tmp_path, postmortem):
    export = slack_export(tmp_path / "slack")
    pd = pagerduty_log(tmp_path / "pd.json")
    human = [e.text for e in parse_file(postmortem).timeline]
    first = cli(
        "timeline", "import", export, pd, "--into", postmortem, "--until", "2024-01-15T23:00:00Z"
    )
    assert first.code == 0 and "added 9 events" in first.stdout
    second = cli(
        "timeline", "import", export, pd, "--into", postmortem, "--until", "2024-01-15T23:00:00Z"
    )
    assert "added 0 events (9 already there)" in second.stdout
    pm = parse_file(postmortem)
    texts = [e.text for e in pm.timeline]
    assert all(line in texts for line in human)
    times = [e.at for e in pm.timeline]
    assert times == sorted(times) and len(pm.timeline) == len(human) + 9
    assert (
        "| 2024-01-15 14:08:11 UTC | Acknowledged by Dana Whitfield. | pagerduty | acknowledged |"
        in (postmortem.read_text())
    )
    assert "## Lessons learned" in postmortem.read_text()


def test_import_into_a_document_in_another_zone_writes_local_times(cli, tmp_path, write):
    pm_path = write(
        "pm.md",
        "---\ntitle: X\ntimezone: Europe/Paris\n---\n\n# X\n\n## Timeline\n\n"
        "- Shortly after lunch - someone noticed\n",
    )
    pd = pagerduty_log(tmp_path / "pd.json")
    assert cli("timeline", "import", pd, "--into", pm_path).code == 0
    text = pm_path.read_text()
    assert "| 2024-01-15 15:06:02 +01:00 | Triggered through the API. (payments-api) |" in text
    assert "someone noticed" in text


def test_show_marks_gaps(cli, tmp_path, postmortem):
    cli("timeline", "import", slack_export(tmp_path / "slack"), "--into", postmortem)
    result = cli("timeline", "show", postmortem, "--gap", "60")
    assert result.code == 0 and result.stdout.count("gap of") == 1
    assert "gap of" not in cli("timeline", "show", postmortem, "--gap", "2000").stdout
    data = json.loads(cli("timeline", "show", postmortem, "--format", "json").stdout)
    assert data[0]["at"] == "2024-01-15T13:55:00Z"


def test_timeline_chart_svg_png_and_embed(cli, tmp_path, postmortem):
    svg = tmp_path / "charts" / "timeline.svg"
    result = cli("timeline", "chart", postmortem, "--out", svg)
    assert result.code == 0 and "linked it in" in result.stdout
    content = svg.read_text()
    assert content.startswith("<?xml") and "detected" in content and "resolved" in content
    assert "![Incident timeline](charts/timeline.svg)" in postmortem.read_text()
    again = cli("timeline", "chart", postmortem, "--out", svg)
    assert "linked" not in again.stdout and svg.read_text() == content  # reproducible, linked once
    png = tmp_path / "timeline.png"
    cli("timeline", "chart", postmortem, "--out", png, "--no-embed")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli("timeline", "chart", postmortem, "--out", tmp_path / "x.gif").code == 2


def test_graph_from_csv_and_prometheus(cli, tmp_path, write, postmortem):
    csv_path = write(
        "errors.csv",
        "time,value,series\n"
        + "".join(
            f"2024-01-15T{13 + (m // 60):02d}:{m % 60:02d}:00Z,{50 if 62 <= m <= 109 else 1},5xx\n"
            for m in range(30, 150, 5)
        ),
    )
    out = tmp_path / "errors.svg"
    result = cli("graph", csv_path, "--incident", postmortem, "--out", out)
    assert result.code == 0 and out.read_text().count("<path") > 5
    assert "![errors](errors.svg)" in postmortem.read_text()
    prom = write(
        "q.json",
        json.dumps(
            {
                "status": "success",
                "data": {
                    "resultType": "matrix",
                    "result": [
                        {
                            "metric": {"__name__": "pg_connections", "db": "payments"},
                            "values": [[1705327200 + 60 * i, str(40 + i)] for i in range(60)],
                        }
                    ],
                },
            }
        ),
    )
    assert cli("graph", prom, "--incident", postmortem, "--out", tmp_path / "p.png").code == 0
    bad = write("bad.csv", "time,value\n2024-01-15T14:00:00Z,high\n")
    result = cli("graph", bad, "--incident", postmortem, "--out", tmp_path / "b.svg")
    assert result.code == 2 and "bad.csv:2: value: value is not a number" in result.stderr
