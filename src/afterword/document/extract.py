"""Structured parts read out of a section's blocks: timeline, whys, causes, actions.

Each extractor takes the blocks of one section and returns what it found plus the
line ranges it consumed, so the renderer can rewrite exactly those lines when the
model changes and keep the prose around them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from afterword.document.blocks import Block
from afterword.model import EventKind
from afterword.timeutil import elapsed, find_date, find_zone_declaration, parse_stamp

Span = tuple[int, int]

#: Words that say when an event happened without saying the time.
VAGUE_TIME = re.compile(
    r"^\W*(?:early|late|mid)?[- ]?(?:morning|afternoon|evening|night|noon|midnight|later|"
    r"soon after|shortly after(?:wards)?|around|approx(?:imately)?\.?|about|~|sometime|"
    r"eventually|next day|the next day|that day|overnight|earlier|then|after that)\b",
    re.IGNORECASE,
)

#: Kind of a timeline event, told from its words (lowercased); the first kind listed wins.
_KIND_PATTERNS: tuple[tuple[EventKind, str], ...] = (
    (
        EventKind.RESOLVED,
        r"\b(?:resolved|fully (?:restored|recovered|operational)|"
        r"service (?:was |is )?restored|incident (?:closed|resolved)|"
        r"back to normal|normali[sz]ed|recovered)\b",
    ),
    (
        EventKind.MITIGATED,
        r"\b(?:mitigat\w*|rolled back|rollback (?:completed|done)|"
        r"workaround|failover (?:completed|done)|stabili[sz]ed)\b",
    ),
    (EventKind.ACKNOWLEDGED, r"\b(?:acknowledg\w*|ack'?d)\b"),
    (EventKind.ESCALATED, r"\bescalat\w*"),
    (
        EventKind.DETECTED,
        r"\b(?:alerts? (?:fire|fired|triggered|firing)|paged|detected|"
        r"noticed|first alert|reported|incident declared|alerted)\b",
    ),
    (
        EventKind.DEPLOY,
        r"^\W*(?:\S+\s+){0,4}(?:deploy(?:ed|s|ment)?|released?|rolled out|merged)\b",
    ),
)
#: All the kinds in one pattern, a named group each: one search per event instead of six.
EVENT_KINDS = re.compile(
    "|".join(f"(?P<{kind.value}>{pattern})" for kind, pattern in _KIND_PATTERNS)
)
_KIND_ORDER = {kind.value: rank for rank, (kind, _) in enumerate(_KIND_PATTERNS)}

_ASIDE_DATE = re.compile(r"\s*\(([^()]{3,24})\)")
_SEPARATOR = re.compile(r"^\s*(?:\*\*|__)?\s*(?:[-–—:|]+|\bat\b)?\s*(?:\*\*|__)?\s*")
_RANK = re.compile(
    r"^(?:\*\*|__)?\s*(primary|secondary|tertiary)(?:\s+(?:root\s+)?cause)?\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(r"^\W*evidence\W*:\s*(?:\*\*|__)?\s*", re.IGNORECASE)
_WHY = re.compile(r"^[#>*_\s-]*why\s*#?\s*(\d+)\s*[*_]*\s*[:.)\-–]?\s*[*_]*\s*(.*)$", re.IGNORECASE)
_ANSWER = re.compile(r"^[>*_\s-]*(answer|evidence)\s*[*_]*\s*:\s*[*_]*\s*(.*)$", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


@dataclass
class TimeContext:
    """What a time-only entry borrows from the document: its day and zone."""

    zone: tzinfo
    day: date | None
    default_year: int | None
    last: datetime | None = None

    def enter_heading(self, text: str) -> None:
        found = find_date(text)
        if found is None and self.default_year is not None:
            stamp = parse_stamp(text, default_year=self.default_year)
            found = stamp.day if stamp else None
        if found is not None:
            self.day, self.last = found, None

    def resolve(self, written: str) -> tuple[datetime | None, int]:
        """The time at the start of ``written`` and where its text begins (0: no time)."""
        stamp = parse_stamp(written, default_year=self.default_year)
        if stamp is None or stamp.clock is None:
            return None, 0
        aside = _ASIDE_DATE.match(written, stamp.end)
        if stamp.day is None and aside:
            # "22:30 UTC (Oct 29)": the day written after the time
            day = parse_stamp(aside.group(1), default_year=self.default_year)
            if day is not None and day.day is not None and day.clock is None:
                stamp = replace(stamp, day=day.day, end=aside.end())
        at = stamp.resolve(default_day=self.day, default_zone=self.zone)
        # A time-only entry well before the one above it has crossed midnight; one only
        # a little earlier is an entry out of order, and is left for the linter to report.
        crossed = (
            self.last is not None and at is not None and elapsed(at, self.last) > timedelta(hours=6)
        )
        if at is not None and stamp.day is None and crossed:
            at += timedelta(days=1)
        if at is not None:
            self.day, self.last = at.date(), at
        return at, stamp.end


@dataclass
class Found:
    """What one extractor found in one section."""

    items: list[Any] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def column(header: list[str], *patterns: str) -> int | None:
    """The index of the first header cell matching the first pattern that matches one."""
    return _column(tuple(header), patterns)


@functools.lru_cache(maxsize=1024)
def _column(header: tuple[str, ...], patterns: tuple[str, ...]) -> int | None:
    """:func:`column`, found once for each table header (most documents share a few)."""
    for pattern in patterns:
        search = _header_pattern(pattern).search
        for index, name in enumerate(header):
            if search(name):
                return index
    return None


@functools.lru_cache(maxsize=128)
def _header_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


_EMPHASIS_ENDS = re.compile(r"^(?:\*\*|__)\s*|\s*(?:\*\*|__)$")


def _strip_emphasis(text: str) -> str:
    return (
        _EMPHASIS_ENDS.sub("", text.strip()).strip()
        if "**" in text or "__" in text
        else text.strip()
    )


def event_kind(text: str) -> EventKind | None:
    """The kind of event a timeline entry's words describe, if they tell."""
    found = [match.lastgroup for match in EVENT_KINDS.finditer(text.lower()) if match.lastgroup]
    return EventKind(min(found, key=_KIND_ORDER.__getitem__)) if found else None


def timeline(blocks: list[Block], context: TimeContext) -> Found:
    """Timeline events from tables with a time column and from entries that start with a time."""
    found = Found()
    for block in blocks:
        if block.kind == "heading":
            context.enter_heading(block.plain)
        elif block.kind == "table":
            _timeline_table(block, context, found)
        elif block.kind in ("item", "paragraph"):
            _timeline_lines(block, context, found)
    return found


def _timeline_table(block: Block, context: TimeContext, found: Found) -> None:
    header = [name.lower() for name in block.header]
    declared = find_zone_declaration(" ".join(block.header))
    if declared is not None:
        context.zone = declared
    at_col = column(header, r"\b(?:time|date|when|timestamp)\b")
    if at_col is None:
        return
    text_col = column(header, r"event|description|what|detail|update|action|summary|note")
    if text_col is None or text_col == at_col:
        text_col = at_col + 1
    source_col = column(header, r"^\s*source\s*$")
    kind_col = column(header, r"^\s*kind\s*$")
    before = len(found.items)
    for row, line in zip(block.rows, block.row_lines, strict=False):
        written, text = cell(row, at_col), cell(row, text_col)
        if not written and not text:
            continue
        at, _ = context.resolve(_strip_emphasis(written))
        kind: Any = cell(row, kind_col) or None if kind_col is not None else event_kind(text)
        found.items.append(
            {
                "at": at,
                "text": text,
                "source": cell(row, source_col) or None,
                "kind": kind,
                "line": line,
                "written": written,
            }
        )
    if len(found.items) > before:
        found.spans.append((block.line, block.end_line))


def _timeline_lines(block: Block, context: TimeContext, found: Found) -> None:
    lines = [row[0] for row in block.rows] if block.kind == "paragraph" else [block.text]
    hits = 0
    for offset, raw in enumerate(lines):
        entry = _strip_emphasis(raw) if raw.count("**") == 2 and raw.startswith("**") else raw
        entry = re.sub(r"^(?:\*\*|__)", "", entry)
        at, end = context.resolve(entry)
        if at is None and not end:
            parts = re.split(r"\s*[:–—-]\s+", entry, maxsplit=1)
            if VAGUE_TIME.match(entry) and len(parts) == 2 and len(parts[0]) <= 40:
                found.items.append(
                    {
                        "at": None,
                        "text": parts[1].strip(),
                        "kind": event_kind(parts[1]),
                        "line": block.line + offset,
                        "written": parts[0].strip(),
                    }
                )
                hits += 1
            continue
        text = _SEPARATOR.sub("", entry[end:], count=1).strip()
        text = re.sub(r"^(?:\*\*|__)\s*", "", text)
        if not text:
            continue
        found.items.append(
            {
                "at": at,
                "text": text,
                "line": block.line + offset,
                "written": entry[:end].strip(),
                "kind": event_kind(text),
            }
        )
        hits += 1
    if hits and block.kind == "item":
        found.spans.append((block.line, block.end_line))


def whys(lines: list[str], first_line: int) -> Found:
    """5 Whys levels: ``Why #N: question`` followed by ``Answer:`` and ``Evidence:`` lines."""
    found = Found()
    start = end = None
    current: dict[str, Any] | None = None
    for offset, raw in enumerate(lines):
        line_no = first_line + offset
        why = _WHY.match(raw)
        if why:
            current = {"question": _strip_emphasis(why.group(2)), "line": line_no}
            found.items.append(current)
            start = line_no if start is None else start
            end = line_no
            continue
        answer = _ANSWER.match(raw)
        if answer and current is not None:
            current[answer.group(1).lower()] = _strip_emphasis(answer.group(2)) or None
            end = line_no
        elif current is not None and raw.strip() and not _RULE.match(raw) and raw[0] != "#":
            # a wrapped line continues the answer or evidence above it
            key = "evidence" if "evidence" in current else "answer"
            if current.get(key):
                current[key] = f"{current[key]} {raw.strip()}"
                end = line_no
    if start is not None and end is not None:
        found.spans.append((start, end))
    return found


def root_causes(blocks: list[Block]) -> Found:
    """Root causes from list items (rank from a ``Primary:`` lead), else the first paragraph."""
    found = Found()
    items = [block for block in blocks if block.kind == "item"]
    if not items:
        paragraph = next((b for b in blocks if b.kind == "paragraph" and b.text), None)
        if paragraph is not None and not re.match(r"^\W*(?:see|n/?a|tbd)\b", paragraph.plain, re.I):
            found.items.append({"text": paragraph.text, "line": paragraph.line})
            found.spans.append((paragraph.line, paragraph.end_line))
        return found
    top = min(block.depth for block in items)
    for block in items:
        evidence = _EVIDENCE.match(block.text)
        if evidence and block.depth > top and found.items:
            found.items[-1]["evidence"] = block.text[evidence.end() :].strip()
            continue
        if block.depth > top or not block.text:
            continue
        rank = _RANK.match(block.text)
        text = block.text[rank.end() :] if rank else block.text
        if not _strip_emphasis(text):
            continue
        found.items.append(
            {
                "text": _strip_emphasis(text) if rank else text.strip(),
                "rank": rank.group(1).lower() if rank else None,
                "line": block.line,
            }
        )
    found.spans.extend(item_spans(items))
    return found


def improvements(blocks: list[Block]) -> Found:
    """Systemic improvements from a table of root cause, improvement and type."""
    found = Found()
    for block in blocks:
        if block.kind != "table":
            continue
        header = block.header
        cause = column(header, r"cause")
        improvement = column(header, r"improvement|action|fix|change")
        kind = column(header, r"^\s*type\s*$|category")
        if improvement is None:
            continue
        for row, line in zip(block.rows, block.row_lines, strict=False):
            type_text = cell(row, kind).lower()
            found.items.append(
                {
                    "root_cause": cell(row, cause),
                    "improvement": cell(row, improvement),
                    "type": type_text
                    if type_text in ("prevention", "detection", "mitigation")
                    else None,
                    "line": line,
                }
            )
        found.spans.append((block.line, block.end_line))
    return found


def lessons(blocks: list[Block]) -> Found:
    """Lessons: the top-level list items, or the paragraphs when there is no list."""
    found = Found()
    items = [block for block in blocks if block.kind == "item" and block.text]
    if items:
        top = min(block.depth for block in items)
        chosen = [block for block in items if block.depth == top]
        found.items = [block.text for block in chosen]
        found.spans.extend(item_spans(items))
    else:
        found.items = [block.text for block in blocks if block.kind == "paragraph" and block.text]
    return found


def item_spans(items: list[Block]) -> list[Span]:
    return [(block.line, block.end_line) for block in items]
