"""Dates, times and time zones as people write them in postmortems.

Real timelines say ``2020-01-21 15:36``, ``**16:58 UTC**``, ``Jan 14, 10:18 AM`` or
``November 11, 4:02 PM UTC``; a heading says ``All times in CET``. This module reads
those forms into timezone-aware datetimes, given the zone and the day the document
is about when the text leaves them out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

# Abbreviations people write after a time. Ambiguous ones take their most common
# meaning in English-language postmortems; a document can always declare an IANA zone.
ZONE_ABBREVIATIONS: dict[str, str | int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "CET": "CET",
    "CEST": 120,
    "EET": "EET",
    "EEST": 180,
    "WET": "WET",
    "BST": 60,
    "IST": 330,
    "JST": 540,
    "KST": 540,
    "AEST": 600,
    "AEDT": 660,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "PT": "America/Los_Angeles",
}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ZONE_RE = (
    r"(?:[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?|UTC|GMT|Z|[A-Z]{2,4}|[+-]\d{2}:?\d{2}"
    r"|(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?)"
)

_ISO_DATE = r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
_NAMED_DATE = (
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    rf"(?:(?P<mn>{_MONTH_RE})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<dm>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn2>{_MONTH_RE})\.?)"
    rf"(?:,?\s+(?P<my>\d{{4}}))?"
)
_TIME = (
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
_TIMESTAMP = re.compile(
    rf"^\s*(?:(?:{_ISO_DATE})|(?:{_NAMED_DATE}))?"
    rf"(?:(?:[T ]|,\s*|\s+at\s+|\s+)?{_TIME})?"
    rf"(?:\s*\(?(?P<zone>{_ZONE_RE})\)?)?(?![\w:])",
    re.IGNORECASE,
)
# Searches over whole documents run on lowercased text and start with a literal or a
# digit, never with \b or a case-insensitive flag: Python's regex engine can then skip
# ahead instead of trying the pattern at every position.
_DATES_ANYWHERE = (
    re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)"),
    re.compile(rf"({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"),
    re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})(?!\d)"),
)
_ZONE_DECLARATION = re.compile(
    r"times?\b[^.\n|]{0,30}?\b(?:in|are|:)\s*\(?(?P<zone>[a-z_]+(?:/[a-z_]+)?|[+-]\d{2}:?\d{2})\)?"
)
_HEADER_ZONE = re.compile(r"(?:time|date|when)\b\s*\((?P<zone>[^)]+)\)")


@dataclass(frozen=True)
class Stamp:
    """A point in time as written: its parts, and how much of the text it used."""

    day: date | None
    clock: time | None
    zone: tzinfo | None
    end: int

    def resolve(self, *, default_day: date | None, default_zone: tzinfo | None) -> datetime | None:
        """The aware datetime, filling the day and zone from the document when missing."""
        day = self.day or default_day
        if day is None or self.clock is None:
            return None
        zone = self.zone or default_zone
        if zone is None:
            return None
        return datetime.combine(day, self.clock).replace(tzinfo=zone)


_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?")


@functools.lru_cache(maxsize=512)
def zone_from_name(name: str) -> tzinfo | None:
    """The time zone an abbreviation, offset or IANA name stands for, or None."""
    text = name.strip()
    upper = text.upper()
    offset = _OFFSET.fullmatch(upper)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    known = ZONE_ABBREVIATIONS.get(upper)
    if isinstance(known, int):
        return UTC if known == 0 else timezone(timedelta(minutes=known))
    key = known or text
    if "/" not in key and key not in ("CET", "EET", "WET", "UTC"):
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_offset(offset: timedelta) -> str:
    """``+02:00`` for two hours east of UTC."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


#: The stamp Afterword writes itself, ``2024-01-15 14:02 UTC``: read without the general
#: pattern, which tries every way of writing a time (a timeline has many stamps).
_PLAIN_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?(?: (UTC))?")


def parse_stamp(text: str, *, default_year: int | None = None) -> Stamp | None:
    """Read a date and/or time at the start of ``text``; None when there is none."""
    plain = _PLAIN_STAMP.fullmatch(text)
    if plain:
        year, month, day, hour, minute, second, zone = plain.groups()
        try:
            return Stamp(
                day=date(int(year), int(month), int(day)),
                clock=time(int(hour), int(minute), int(second or 0)),
                zone=zone_from_name(zone) if zone else None,
                end=len(text),
            )
        except ValueError:
            pass  # no such day or time: as the general pattern reads it
    return _parse_stamp(text, default_year)


def _parse_stamp(text: str, default_year: int | None) -> Stamp | None:
    match = _TIMESTAMP.match(text)
    if not match or (match.group("H") is None and not _has_date(match)):
        return None
    day = _date_of(match, default_year)
    if _has_date(match) and day is None and match.group("H") is None:
        return None
    clock = _clock_of(match)
    if match.group("H") is not None and clock is None:
        return None
    zone = zone_from_name(match.group("zone")) if match.group("zone") else None
    if match.group("zone") and zone is None:
        # A word after the time that is not a zone ("10:02 DB alerts") ends the stamp.
        end = match.start("zone")
        while end > 0 and text[end - 1] in " (":
            end -= 1
    else:
        end = match.end()
    return Stamp(day=day, clock=clock, zone=zone, end=end)


def _has_date(match: re.Match[str]) -> bool:
    return bool(match.group("y") or match.group("mn") or match.group("mn2"))


def _date_of(match: re.Match[str], default_year: int | None) -> date | None:
    try:
        if match.group("y"):
            return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        month_name = match.group("mn") or match.group("mn2")
        if not month_name:
            return None
        day = int(match.group("md") or match.group("dm"))
        year = int(match.group("my")) if match.group("my") else default_year
        if year is None:
            return None
        return date(year, MONTHS[month_name.lower().rstrip(".")], day)
    except ValueError:
        return None


def _clock_of(match: re.Match[str]) -> time | None:
    if match.group("H") is None:
        return None
    hour, minute = int(match.group("H")), int(match.group("M"))
    second = int(match.group("S") or 0)
    micro = int((match.group("f") or "0").ljust(6, "0"))
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return time(hour, minute, second, micro)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first full calendar date written anywhere in ``text``."""
    lowered = text.lower()
    found: list[tuple[int, date]] = []
    for form, pattern in enumerate(_DATES_ANYWHERE):
        for match in pattern.finditer(lowered):
            start = match.start()
            if start and lowered[start - 1].isalnum():
                continue
            day = _calendar_date(form, match.groups())
            if day is not None:
                found.append((start, day))
                break
    return min(found)[1] if found else None


def _calendar_date(form: int, parts: tuple[str | Any, ...]) -> date | None:
    try:
        if form == 0:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if form == 1:
            return date(int(parts[2]), MONTHS[parts[0]], int(parts[1]))
        return date(int(parts[2]), MONTHS[parts[1]], int(parts[0]))
    except ValueError:
        return None


def find_zone_declaration(text: str) -> tzinfo | None:
    """The zone a line such as "All times in UTC" or a "Time (UTC)" header declares."""
    name = find_zone_name(text)
    return zone_from_name(name) if name else None


def find_zone_name(text: str) -> str | None:
    """The zone name as declared by "All times in CET" or a "Time (UTC)" header."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lowercase is longer: keep offsets
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for pattern in (_ZONE_DECLARATION, _HEADER_ZONE):
        for match in pattern.finditer(lowered):
            name = text[match.start("zone") : match.end("zone")].strip()
            if zone_from_name(name) is not None:
                return name
    return None


def parse_datetime(value: str, zone: tzinfo | None) -> datetime:
    """A full timestamp from front matter or CLI options; raises ValueError when unclear.

    A time without a zone takes ``zone``; without either it is refused, because a
    naive time in a postmortem is a guess at when something happened.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace(" UTC", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        stamp = parse_stamp(text)
        if stamp is None or stamp.end < len(text.rstrip()) or stamp.day is None:
            raise ValueError(f"not a date and time: {value!r}") from None
        parsed = datetime.combine(stamp.day, stamp.clock or time(0))
        if stamp.zone is not None:
            parsed = parsed.replace(tzinfo=stamp.zone)
    if parsed.tzinfo is None:
        if zone is None:
            raise ValueError(
                f"time {value!r} has no time zone; add one (e.g. '+00:00' or 'UTC') "
                "or declare 'timezone:' in the document"
            )
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def format_datetime(moment: datetime) -> str:
    """The canonical written form: ``2024-01-15 10:02 UTC`` or ``2024-01-15 10:02:30 +01:00``."""
    clock = "%H:%M:%S" if moment.second or moment.microsecond else "%H:%M"
    text = moment.strftime(f"%Y-%m-%d {clock}")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    offset = moment.utcoffset()
    if offset is None:
        return text
    return f"{text} {'UTC' if offset == timedelta(0) else format_offset(offset)}"


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from ``start`` to ``end``.

    Python subtracts (and compares) two datetimes that share a tzinfo by their wall clocks,
    so across a daylight-saving change an hour goes missing; in UTC it does not.
    """
    return end.astimezone(UTC) - start.astimezone(UTC)


def instant(moment: datetime) -> datetime:
    """The moment in UTC: what to compare and sort aware datetimes by."""
    return moment.astimezone(UTC)
