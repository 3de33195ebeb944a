from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from afterword.timeutil import (
    find_date,
    find_zone_declaration,
    format_datetime,
    parse_datetime,
    parse_stamp,
    zone_from_name,
)

UTC = UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-21 15:36 | x", datetime(2020, 1, 21, 15, 36, tzinfo=UTC)),
        ("16:58 UTC - Writer database", datetime(2024, 5, 1, 16, 58, tzinfo=UTC)),
        ("Jan 14, 10:18 AM", datetime(2024, 1, 14, 10, 18, tzinfo=UTC)),
        ("November 11, 4:02 PM UTC", datetime(2024, 11, 11, 16, 2, tzinfo=UTC)),
        ("12:30 AM", datetime(2024, 5, 1, 0, 30, tzinfo=UTC)),
        ("2024-01-15T10:02:30Z", datetime(2024, 1, 15, 10, 2, 30, tzinfo=UTC)),
        ("3 March 2024 09:15 +01:00", datetime(2024, 3, 3, 8, 15, tzinfo=UTC)),
    ],
)
def test_stamps_in_the_common_forms(text, expected):
    stamp = parse_stamp(text, default_year=2024)
    assert stamp is not None
    assert stamp.resolve(default_day=date(2024, 5, 1), default_zone=UTC) == expected


@pytest.mark.parametrize("text", ["Morning - things broke", "Later that day", "HH:mm", "v1.2.3"])
def test_no_stamp_where_no_time_is_written(text):
    stamp = parse_stamp(text, default_year=2024)
    assert stamp is None or stamp.clock is None


def test_word_after_time_is_not_a_zone():
    stamp = parse_stamp("10:02 DB alerts fire")
    assert stamp is not None and stamp.zone is None
    assert "DB alerts fire".startswith("DB")
    assert stamp.end == len("10:02")


def test_zone_declarations():
    assert find_zone_declaration("All times in CET.") is not None
    assert find_zone_declaration("| Time (UTC) | Event |").utcoffset(None) == timedelta(0)
    assert find_zone_declaration("The time to detect was long") is None


def test_zone_names_and_offsets():
    assert zone_from_name("UTC").utcoffset(None) == timedelta(0)
    assert zone_from_name("+05:30").utcoffset(None) == timedelta(hours=5, minutes=30)
    assert zone_from_name("Europe/Paris") is not None
    assert zone_from_name("Nowhere/Land") is None
    assert zone_from_name("DB") is None


def test_dst_is_applied_by_iana_zones():
    paris = zone_from_name("Europe/Paris")
    winter = parse_datetime("2024-01-15 10:00", paris)
    summer = parse_datetime("2024-07-15 10:00", paris)
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


def test_naive_datetime_without_zone_is_an_error():
    with pytest.raises(ValueError, match="no time zone"):
        parse_datetime("2024-01-15 10:00", None)


def test_format_datetime_is_canonical():
    assert format_datetime(datetime(2024, 1, 15, 10, 2, tzinfo=UTC)) == "2024-01-15 10:02 UTC"
    plus_one = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2024, 1, 15, 10, 2, 5, tzinfo=plus_one)) == (
        "2024-01-15 10:02:05 +01:00"
    )


def test_find_date_needs_a_year():
    assert find_date("On January 21st the certificate expired") is None
    assert find_date("Outage - September 29, 2025") == date(2025, 9, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15 14:02 UTC",
        "2024-01-15 14:02",
        "2024-01-15T14:02:09",
        "2024-01-15 14:02:09 UTC",
        "2024-02-30 14:02 UTC",  # no such day
        "2024-01-15 25:02",  # no such hour
        "2024-01-15 14:61 UTC",
        "2024-12-31T23:59:59 UTC",
    ],
)
def test_the_plain_stamp_reads_as_the_general_pattern_does(text):
    from afterword.timeutil import _parse_stamp

    assert parse_stamp(text) == _parse_stamp(text, None)
