"""Stages and due dates of a postmortem, from the seed's timeline."""

from __future__ import annotations

from datetime import date

import pytest

from afterword.config import load_config
from afterword.lifecycle import quarter_end, stage_of

INCIDENT = date(2024, 1, 15)  # draft due 01-17, meeting 01-20, final 01-22
TODAY = date(2024, 1, 30)


@pytest.mark.parametrize(
    ("status", "meeting", "finalized", "dues", "untracked", "expected"),
    [
        ("draft", False, False, [], 0, ("draft", "2024-01-17", 13)),
        ("in-review", False, False, [], 0, ("review meeting", "2024-01-20", 10)),
        ("in-review", True, False, [], 0, ("final and tickets", "2024-01-22", 8)),
        # final, every open item tracked: due when the earliest open item is
        ("final", True, False, [date(2024, 2, 9), None], 0, ("action items", "2024-02-09", 0)),
        # final, but an open item has no ticket yet: the tickets are still to create
        ("final", True, False, [date(2024, 2, 9)], 1, ("final and tickets", "2024-01-22", 8)),
        # a finalized_at makes the document final whatever its status still says
        ("in-review", True, True, [date(2024, 1, 29)], 0, ("action items", "2024-01-29", 1)),
        ("draft", False, True, [], 0, ("quarterly review", "2024-03-31", 0)),
        ("final", False, False, [], 0, ("quarterly review", "2024-03-31", 0)),
    ],
)
def test_stage_from_status_meeting_and_action_items(
    tmp_path, status, meeting, finalized, dues, untracked, expected
):
    (tmp_path / "afterword.toml").write_text("")  # the default settings, whatever is around
    stage = stage_of(
        status=status,
        incident_day=INCIDENT,
        meeting_held=meeting,
        open_action_dues=dues,
        today=TODAY,
        config=load_config(tmp_path / "afterword.toml"),
        finalized=finalized,
        untracked=untracked,
    )
    assert (stage.stage, stage.due.isoformat() if stage.due else None, stage.overdue_days) == (
        expected
    )


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 5, 31), date(2024, 6, 30)),
        (date(2024, 9, 30), date(2024, 9, 30)),
        (date(2024, 12, 25), date(2024, 12, 31)),
    ],
)
def test_the_pattern_review_is_due_at_the_end_of_the_quarter(day, end):
    assert quarter_end(day) == end
