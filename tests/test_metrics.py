"""Incident metrics from times, timeline kinds and Stats lines; durations as people write them."""

from __future__ import annotations

import json
import re

import pytest

from afterword import DocumentError, InputError, parse, parse_file
from afterword.timeline.metrics import compute, parse_duration, stated_metrics
from conftest import CORPUS, EXAMPLES


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("64 minutes", 3840),
        ("19 hours 43 minutes.", 70980),
        ("11 Days", 950400),
        ("5280 minutes", 316800),
        ("1h 30m", 5400),
        ("~2 hours", 7200),
        ("N/A", None),
        ("?", None),
        (" 87 minutes", 5220),
        ("279 minutes [^3]", 16740),
        ("1.5 hours", 5400),
        ("00:45", 2700),
        ("about 3 days 4 hours", 273600),
        ("YYY", None),
        ("unknown", None),
        ("45 min", 2700),
    ],
)
def test_durations_as_written(text, seconds):
    assert parse_duration(text) == seconds


def test_not_a_duration():
    with pytest.raises(ValueError):
        parse_duration("after lunch")


DFDS = sorted((CORPUS / "dfds").glob("PM2*"))


@pytest.mark.parametrize("path", DFDS, ids=lambda p: p.name[:10])
def test_every_dfds_stats_line_is_read(path):
    """Every 'Time to detection/recovery' line gives seconds, or unknown for ?, N/A, YYY."""
    pm = parse_file(path)
    stated = stated_metrics(pm)
    for label, name in (("detection", "time_to_detect"), ("recovery", "time_to_resolve")):
        line = re.search(rf"Time to {label}:\s*(.*)", path.read_text())
        if line is None:
            continue
        written = line.group(1).strip()
        assert name in stated
        if re.search(r"\d", written):
            assert (stated[name] and stated[name] > 0) or written.startswith("0 ")
        else:
            assert stated[name] is None
    compute(pm, str(path))  # never an error on real documents


def test_named_dfds_files(corpus):
    kiam = compute(
        parse_file(corpus / "dfds" / "PM2020-002 - KIAM service disruption on Hellman.md")
    )
    assert kiam["time_to_detect"] == 54 * 60 and kiam["time_to_resolve"] == 148 * 60
    ami = compute(
        parse_file(corpus / "dfds" / "PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues")
    )
    assert ami["time_to_detect"] == 7 * 3600


def test_from_front_matter_times():
    pm = parse_file(EXAMPLES / "payment-outage-5-whys.md")
    assert compute(pm) == {
        "time_to_detect": 240,
        "time_to_acknowledge": 120,
        "time_to_mitigate": 2340,
        "time_to_resolve": 2820,
        "impact_duration": 2820,
    }


def test_from_timeline_kinds_and_impact_fields():
    pm = parse(
        "---\ntitle: X\ntimezone: UTC\nimpact_started_at: 2024-03-10 01:30\n"
        "impact_ended_at: 2024-03-10 03:00\n---\n\n# X\n\n## Timeline\n\n"
        "| Time | Event | Source | Kind |\n| --- | --- | --- | --- |\n"
        "| 2024-03-10 01:00 UTC | bad deploy | | started |\n"
        "| 2024-03-10 01:20 UTC | alert | | detected |\n"
        "| 2024-03-10 02:10 UTC | rollback | | mitigated |\n"
        "| 2024-03-10 02:40 UTC | recovered | | resolved |\n"
    )
    assert compute(pm) == {
        "time_to_detect": 1200,
        "time_to_acknowledge": None,
        "time_to_mitigate": 4200,
        "time_to_resolve": 6000,
        "impact_duration": 5400,
    }


def test_impossible_order_in_the_timeline_names_both_fields():
    pm = parse(
        "# X\n\n## Timeline\n\n| Time | Event | Source | Kind |\n| --- | --- | --- | --- |\n"
        "| 2024-03-10 01:20 UTC | alert | | detected |\n"
        "| 2024-03-10 01:30 UTC | bad deploy | | started |\n"
    )
    with pytest.raises(InputError, match=r"detected .* is before started"):
        compute(pm)


def test_impossible_order_in_front_matter_is_a_parse_error():
    with pytest.raises(DocumentError, match=r"detected_at .* is before started_at"):
        parse("---\ntitle: X\nstarted_at: 2024-01-01T10:00Z\ndetected_at: 2024-01-01T09:00Z\n---\n")


def test_dst_changeover_is_counted_in_real_time():
    pm = parse(
        "---\ntitle: X\ntimezone: Europe/Paris\nstarted_at: 2024-03-31 01:30\n"
        "resolved_at: 2024-03-31 03:30\n---\n"
    )
    assert compute(pm)["time_to_resolve"] == 3600  # clocks went forward an hour at 02:00


def test_metrics_cli_json_and_write(cli, tmp_path):
    path = tmp_path / "pm.md"
    path.write_text((EXAMPLES / "payment-outage-5-whys.md").read_text())
    result = cli("metrics", path, "--format", "json")
    assert json.loads(result.stdout)["time_to_resolve"] == 2820
    text = cli("metrics", path).stdout
    assert "time_to_resolve      47 min" in text
    cli("metrics", path, "--write")
    assert "time_to_detect: 240" in path.read_text()
    assert parse_file(path).metadata["time_to_resolve"] == 2820
