from datetime import date

import pytest

from afterword import Incident, load_config, load_incident, triage
from conftest import EXAMPLES


def verdict(**fields):
    return triage(Incident(title="x", **fields), today=date(2024, 1, 1))


@pytest.mark.parametrize("severity", ["SEV1", "SEV2"])
def test_high_severity_owes_a_postmortem(severity):
    result = verdict(severity=severity)
    assert result.needs_postmortem and result.reasons == [f"severity {severity}"]
    assert result.template == "standard"


@pytest.mark.parametrize(
    ("flag", "reason"),
    [
        ("data_loss", "data loss"),
        ("security", "security incident"),
        ("near_miss", "near miss that could have been severe"),
        ("novel_failure_mode", "novel failure mode"),
        ("unusual_intervention", "required unusual intervention"),
    ],
)
def test_each_flag_is_its_own_reason(flag, reason):
    assert verdict(**{flag: True}).reasons == [reason]


def test_customer_facing_outage_must_be_strictly_longer_than_15_minutes():
    exactly = verdict(
        customer_facing=True, started_at="2024-01-01 10:00Z", resolved_at="2024-01-01 10:15Z"
    )
    longer = verdict(
        customer_facing=True, started_at="2024-01-01 10:00Z", resolved_at="2024-01-01 10:15:01Z"
    )
    internal = verdict(
        customer_facing=False, started_at="2024-01-01 10:00Z", resolved_at="2024-01-01 12:00Z"
    )
    assert not exactly.needs_postmortem
    assert longer.needs_postmortem
    assert not internal.needs_postmortem


def test_outage_length_is_computed_across_time_zones():
    result = verdict(
        customer_facing=True,
        started_at="2024-06-03 09:50 +02:00",
        resolved_at="2024-06-03 08:08 UTC",
    )
    assert result.reasons == ["customer-facing outage of 18 minutes (longer than 15 minutes)"]


def test_no_trigger_still_recommends_the_quick_template():
    result = verdict(severity="SEV4", started_at="2024-03-10 23:30 -05:00")
    assert result.as_dict() == {
        "needs_postmortem": False,
        "reasons": [],
        "template": "quick",
        "due": {"draft": "2024-03-12", "meeting": "2024-03-15", "final": "2024-03-17"},
    }


def test_due_dates_follow_the_seed_timeline_from_the_incident_day():
    result = verdict(severity="SEV1", started_at="2024-02-27 08:00Z")
    assert result.as_dict()["due"] == {
        "draft": "2024-02-29",
        "meeting": "2024-03-03",
        "final": "2024-03-05",
    }


def test_thresholds_come_from_config(tmp_path):
    config_file = tmp_path / "afterword.toml"
    config_file.write_text(
        '[triage]\nseverities = ["SEV1"]\noutage_minutes = 60\n[lifecycle]\ndraft_days = 1\n'
    )
    config = load_config(config_file)
    result = triage(
        Incident(
            title="x",
            severity="SEV2",
            customer_facing=True,
            started_at="2024-01-01 10:00Z",
            resolved_at="2024-01-01 10:30Z",
        ),
        config,
    )
    assert not result.needs_postmortem
    assert result.due.draft == date(2024, 1, 2)


def test_config_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.afterword.triage]\noutage_minutes = 5\n")
    assert load_config(tmp_path / "pyproject.toml").get("triage.outage_minutes") == 5


def test_example_incidents():
    results = {p.stem: triage(load_incident(p)) for p in (EXAMPLES / "incidents").glob("*.yaml")}
    assert results["payment-outage"].reasons == [
        "severity SEV2",
        "customer-facing outage of 47 minutes (longer than 15 minutes)",
    ]
    assert not results["cache-flush"].needs_postmortem
    assert results["backup-near-miss"].reasons == [
        "near miss that could have been severe",
        "novel failure mode",
    ]
    assert results["login-slowdown"].needs_postmortem
