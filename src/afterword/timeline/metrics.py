"""Incident metrics: time to detect, acknowledge, mitigate and resolve, and impact duration.

Times come from the front matter first, then from the timeline's key moments (the first
``started``, ``detected``, ``acknowledged`` and ``mitigated`` event, the last ``resolved``
one). When the times themselves are not written, a Stats line does: "Time to detection:
8 minutes" fills time_to_detect and "Time to recovery: 25 minutes" time_to_resolve.
"""

from __future__ import annotations

import re
from datetime import datetime

from afterword.errors import InputError
from afterword.model import EventKind, Postmortem
from afterword.timeutil import elapsed, instant

METRICS = (
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_mitigate",
    "time_to_resolve",
    "impact_duration",
)
#: Each metric as (later moment, earlier moment).
DEFINITIONS = {
    "time_to_detect": ("detected", "started"),
    "time_to_acknowledge": ("acknowledged", "detected"),
    "time_to_mitigate": ("mitigated", "started"),
    "time_to_resolve": ("resolved", "started"),
    "impact_duration": ("impact_ended", "impact_started"),
}
#: Stats lines that state a metric when the times are not written.
STATS_LINES = (
    (re.compile(r"time\s+to\s+(?:detect(?:ion)?|discover(?:y)?)", re.I), "time_to_detect"),
    (
        re.compile(r"time\s+to\s+(?:ack(?:nowledge(?:ment)?)?|respond|response)", re.I),
        "time_to_acknowledge",
    ),
    (re.compile(r"time\s+to\s+(?:mitigat(?:e|ion))", re.I), "time_to_mitigate"),
    (
        re.compile(r"time\s+to\s+(?:recover(?:y)?|resol(?:ve|ution)|restore|repair|fix)", re.I),
        "time_to_resolve",
    ),
    (re.compile(r"(?:impact\s+)?duration|total\s+impact", re.I), "impact_duration"),
)
_STATS_LINE = re.compile(r"^\W*(?P<label>[^:\n]{3,40}?)\s*[:=-]\s*(?P<value>[^\n]+)$", re.M)
_UNKNOWN = re.compile(
    r"^\W*(?:n/?a|\?+|unknown|tbd|tbc|none|-+|—|yyy+|zzz+|not (?:known|applicable)"
    r"|)\W*$",
    re.I,
)
_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)", re.I)
_CLOCK = re.compile(r"^\W*(\d{1,3}):(\d{2})(?::(\d{2}))?\W*$")


def parse_duration(text: str) -> int | None:
    """Seconds in a duration as people write it ("19 hours 43 minutes.", "1h 30m", "~2 hours");
    None for an unknown one ("N/A", "?"). Anything else is a ValueError."""
    if _UNKNOWN.match(text):
        return None
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1)) * 3600 + int(clock.group(2)) * 60 + int(clock.group(3) or 0)
    cleaned = re.sub(
        r"^\W*(?:~|about|around|approx(?:imately|\.)?|roughly|over|under|almost|"
        r"nearly|more than|less than|just over|just under|circa|ca\.?)\s*",
        "",
        text,
        flags=re.I,
    )
    total = 0.0
    found = False
    for number, unit in _PART.findall(cleaned):
        factor = _UNITS.get(unit.lower())
        if factor is None:
            continue
        total += float(number.replace(",", ".")) * factor
        found = True
    if not found:
        raise ValueError(f"not a duration: {text!r}")
    return round(total)


def key_moments(pm: Postmortem) -> dict[str, datetime | None]:
    """The incident's key moments, from front matter or the timeline."""
    moments: dict[str, datetime | None] = {
        "started": pm.started_at,
        "detected": pm.detected_at,
        "acknowledged": pm.acknowledged_at,
        "mitigated": pm.mitigated_at,
        "resolved": pm.resolved_at,
        "impact_started": pm.impact_started_at,
        "impact_ended": pm.impact_ended_at,
    }
    for name in ("started", "detected", "acknowledged", "mitigated", "resolved"):
        if moments[name] is None:
            times = [e.at for e in pm.timeline if e.kind is EventKind(name) and e.at is not None]
            if times:
                moments[name] = (
                    max(times, key=instant) if name == "resolved" else min(times, key=instant)
                )
    return moments


def compute(pm: Postmortem, path: str | None = None) -> dict[str, int | None]:
    """The metrics in seconds (None when unknown); an impossible order is an InputError."""
    moments = key_moments(pm)
    for later, earlier in (
        ("detected", "started"),
        ("resolved", "detected"),
        ("acknowledged", "detected"),
        ("resolved", "started"),
        ("mitigated", "started"),
        ("resolved", "mitigated"),
    ):
        late, early = moments[later], moments[earlier]
        if late is not None and early is not None and instant(late) < instant(early):
            raise InputError(
                f"{later} ({late.isoformat()}) is before {earlier} ({early.isoformat()})",
                path=path,
                field=f"{later}_at/{earlier}_at",
            )
    result: dict[str, int | None] = {}
    for name, (later, earlier) in DEFINITIONS.items():
        late, early = moments[later], moments[earlier]
        result[name] = round(elapsed(early, late).total_seconds()) if late and early else None
    if result["impact_duration"] is None:
        result["impact_duration"] = result["time_to_resolve"]
    for name, value in stated_metrics(pm).items():
        if result.get(name) is None:
            result[name] = value
    if result["impact_duration"] is None and result["time_to_resolve"] is not None:
        result["impact_duration"] = result["time_to_resolve"]
    return result


def stated_metrics(pm: Postmortem) -> dict[str, int | None]:
    """Metrics a Stats (or similar) section states in words."""
    found: dict[str, int | None] = {}
    for section in pm.sections:
        if section.key not in ("stats", "summary", "impact", None):
            continue
        for line in _STATS_LINE.finditer(section.body):
            label, value = line.group("label"), line.group("value").strip()
            for pattern, name in STATS_LINES:
                if pattern.search(label) and name not in found:
                    try:
                        found[name] = parse_duration(value)
                    except ValueError:
                        continue
    return found


def human(seconds: int | None) -> str:
    """``1 h 12 min`` for 4320 seconds; ``unknown`` for None."""
    if seconds is None:
        return "unknown"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
        f"{secs} s" if secs and not days else "",
    ]
    return " ".join(part for part in parts if part) or "0 s"
