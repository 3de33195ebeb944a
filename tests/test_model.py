from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from afterword import ActionItem, Incident, Severity
from afterword.model import TimeOrderError


@pytest.mark.parametrize("written", ["SEV2", "sev2", "2", 2, "Sev 2", "SEV-2"])
def test_severity_accepts_the_common_spellings(written):
    assert Incident(title="x", severity=written).severity is Severity.SEV2


@pytest.mark.parametrize("written", ["SEV9", "critical", "0", True])
def test_unknown_severity_is_refused_and_named(written):
    with pytest.raises(ValidationError, match="unknown severity"):
        Incident(title="x", severity=written)


def test_naive_time_is_refused_without_a_declared_zone():
    with pytest.raises(ValidationError, match="no time zone"):
        Incident(title="x", started_at="2024-01-15 10:00")


def test_naive_time_takes_the_declared_zone_from_context():
    zone = timezone(timedelta(hours=2))
    incident = Incident.model_validate(
        {"title": "x", "started_at": "2024-01-15 10:00"}, context={"timezone": zone}
    )
    assert incident.started_at == datetime(2024, 1, 15, 8, 0, tzinfo=UTC)


def test_resolved_before_started_names_both_fields():
    with pytest.raises(ValidationError) as caught:
        Incident(title="x", started_at="2024-01-15 10:00Z", resolved_at="2024-01-15 09:00Z")
    error = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, TimeOrderError)
    assert (error.field, error.earlier) == ("resolved_at", "started_at")


def test_outage_minutes_are_computed_across_time_zones():
    incident = Incident(
        title="x", started_at="2024-06-03 09:50 +02:00", resolved_at="2024-06-03 08:08 UTC"
    )
    assert incident.outage_minutes == 18


def test_action_item_status_and_type_are_normalised():
    item = ActionItem(title="Add alert", status="In Progress", type="Detection")
    assert item.status.value == "in-progress"
    assert item.type.value == "detection"
