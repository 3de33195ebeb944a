"""Every real postmortem in the corpus parses, and reads as a person reads it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from afterword import parse_file
from conftest import CORPUS

FILES = (
    sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("LICENSE",))
    if CORPUS.is_dir()
    else []
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_file_parses(path):
    pm = parse_file(path)
    assert pm.title
    for event in pm.timeline:
        assert event.at is None or event.at.utcoffset() is not None


def test_the_corpus_is_there(corpus):
    assert len(list((corpus / "dfds").iterdir())) >= 39
    assert len(FILES) >= 45


def read(corpus, name):
    return parse_file(corpus / name)


def test_dfds_kiam_table_timeline_in_cet_and_bullets(corpus):
    pm = read(corpus, "dfds/PM2020-002 - KIAM service disruption on Hellman.md")
    assert pm.title == "KIAM Service disruption"
    assert len(pm.timeline) == 4
    assert pm.timeline[0].at == datetime(2020, 1, 21, 14, 36, tzinfo=UTC)  # 15:36 CET
    assert pm.timeline[-1].text == "New certificates generated, service restored"
    assert len(pm.root_causes) == 3  # Contributing Factors
    assert pm.action_items[0].title == (
        "Document the process of creating/updating KIAM certificates"
    )
    assert len(pm.action_items) == 3
    assert all(a.owner is None for a in pm.action_items)


def test_dfds_file_without_md_ending_with_nested_actions(corpus):
    pm = read(corpus, "dfds/PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues")
    assert len(pm.timeline) == 20
    assert pm.timeline[-1].at == datetime(2022, 11, 2, 14, 40, tzinfo=UTC)
    assert len(pm.action_items) == 10  # 7 items, one with 3 sub-tasks
    assert len(pm.root_causes) == 8


def test_dfds_placeholder_times_are_kept_without_a_time(corpus):
    pm = read(corpus, "dfds/PM2022-006 - ALB 502 errors.md")
    assert len(pm.timeline) == 10
    assert pm.timeline[0].at is None and pm.timeline[0].written == "2020-12-21 HH:mm"
    assert pm.timeline[8].at == datetime(2022, 6, 7, 8, 30, tzinfo=UTC)


def test_posthog_bullet_timeline_takes_the_day_from_the_title(corpus):
    pm = read(corpus, "posthog/2025-09-29-flags-is-down.md")
    assert len(pm.timeline) == 8
    assert pm.timeline[0].at == datetime(2025, 9, 29, 16, 58, tzinfo=UTC)
    assert pm.timeline[-1].text == "Service fully restored"
    assert pm.timeline[-1].kind.value == "resolved"
    assert len(pm.root_causes) == 3
    assert len(pm.action_items) == 9
    assert [a.status.value for a in pm.action_items[:3]] == ["done", "done", "open"]
    assert {s.key for s in pm.sections} >= {
        "summary",
        "timeline",
        "impact",
        "action_items",
        "lessons",
    }


def test_posthog_table_with_month_day_times(corpus):
    pm = read(corpus, "posthog/2026-01-17-replay-sdk-fetch-wrapper-incident.md")
    assert len(pm.timeline) == 10
    assert pm.timeline[0].at == datetime(2026, 1, 14, 10, 18, tzinfo=UTC)
    assert pm.timeline[-1].at == datetime(2026, 1, 19, 16, 4, tzinfo=UTC)
    assert pm.action_items[0].ticket == "https://github.com/PostHog/posthog-js/pull/2935"


def test_posthog_days_from_subheadings_and_asides(corpus):
    pm = read(corpus, "posthog/2025-10-21-feature-flags-recurring-outages.md")
    assert len(pm.timeline) == 41
    assert pm.timeline[0].at == datetime(2025, 10, 21, 21, 45, tzinfo=UTC)
    assert pm.timeline[-1].at == datetime(2025, 10, 30, 5, 39, tzinfo=UTC)
    assert pm.timeline[-2].text.startswith("Rolled back hardware changes")
    times = [event.at for event in pm.timeline]
    assert times == sorted(times)  # four incidents, in order


def test_posthog_setext_headings(corpus):
    pm = read(corpus, "posthog/2025-11-15-persons-db-migration.md")
    assert pm.title.startswith("PostHog Data Processing Delays")
    assert [s.heading for s in pm.sections if s.level == 2][:3] == [
        "Incident Summary",
        "Incident Impact",
        "Timeline",
    ]
    assert pm.timeline == []  # the section only links to the status page
