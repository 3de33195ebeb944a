"""Markdown with YAML front matter read into a :class:`Postmortem`.

Our own documents keep the incident in front matter and the analysis in sections
Afterword knows. Real-world postmortems follow no template, so the parser is
tolerant: the title comes from the first heading, sections are matched by the
words teams use, timelines come from tables and from entries that start with a
time, action items from lists and tables. Only the front matter is strict, because
it is where a typo would silently change triage.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from afterword.document import actions, extract
from afterword.document.blocks import Block
from afterword.document.frontmatter import close_field, load, split
from afterword.document.headings import section_key
from afterword.document.scan import scan_blocks
from afterword.errors import DocumentError
from afterword.model import FRONT_MATTER_FIELDS, Incident, Postmortem, TimeOrderError
from afterword.timeutil import find_date, find_zone_declaration, find_zone_name, zone_from_name

#: Which model field each section key feeds.
KEY_FIELDS = {
    "timeline": "timeline",
    "five_whys": "whys",
    "root_causes": "root_causes",
    "contributing_factors": "root_causes",
    "improvements": "improvements",
    "action_items": "action_items",
    "fix": "action_items",
    "lessons": "lessons",
}
STRUCTURED_FIELDS = ("timeline", "whys", "root_causes", "improvements", "action_items", "lessons")
M = TypeVar("M", bound=BaseModel)
_SEVERITY_LINE = re.compile(r"\bseverity\s*[:=]\s*\**\s*(sev[\s-]?[1-5]|[1-5])\b", re.IGNORECASE)


@dataclass
class _Heading:
    block: Block
    key: str | None
    start: int  # body's first file line
    end: int  # body's last file line (inclusive)


def read_text(path: str | Path) -> str:
    """A file's text; a missing or unreadable file is an input error naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError("no such file", path=path) from None
    except IsADirectoryError:
        raise DocumentError("is a folder, not a file", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"cannot read file: {error}", path=path) from None


def parse_file(path: str | Path) -> Postmortem:
    """The postmortem in a Markdown file."""
    return parse(read_text(path), path=path)


def parse(text: str, path: str | Path | None = None) -> Postmortem:
    """The postmortem in a Markdown document's text."""
    return parse_document(text, path).postmortem


@dataclass
class ParsedDocument:
    """A parse's result with what it read on the way, for the linter to reuse."""

    postmortem: Postmortem
    blocks: list[Block]
    body_line: int


def parse_document(
    text: str, path: str | Path | None = None, *, for_writing: bool = True
) -> ParsedDocument:
    """The postmortem in a document, with its Markdown blocks and first body line.

    ``for_writing=False`` skips the snapshot :func:`render` needs to write the document
    back faithfully; the linter, which only reads, saves that work.
    """
    parts = split(text)
    data, lines = (
        load(parts.front_matter, path=path) if parts.front_matter is not None else ({}, {})
    )
    fields, metadata = _known_fields(data, lines, path, FRONT_MATTER_FIELDS)
    zone = _declared_zone(fields, lines, path)
    blocks = scan_blocks(parts.body, parts.body_line - 1)
    body_lines = parts.body.split("\n")
    title_block = _title_block(blocks)
    headings = _headings(blocks, title_block, parts.body_line, len(body_lines))
    fields.setdefault("title", _title(title_block, path))
    first = headings[0].block.line if headings else parts.body_line + len(body_lines)
    preamble_start = title_block.end_line + 1 if title_block else parts.body_line
    preamble = _text(body_lines, parts.body_line, preamble_start, first - 1)
    whole = parts.body
    body_zone = find_zone_name(whole)
    context = extract.TimeContext(
        zone=zone or (zone_from_name(body_zone) if body_zone else None) or UTC,
        day=None,
        default_year=None,
    )
    context.day = _document_day(fields, title_block, preamble, path, whole)
    context.default_year = context.day.year if context.day else None
    found: dict[str, list[Any]] = {name: [] for name in STRUCTURED_FIELDS}
    sections = [
        _section(heading, blocks, body_lines, parts.body_line, context, found)
        for heading in headings
    ]
    if "severity" not in fields:
        severity = _SEVERITY_LINE.search(preamble) or _stats_severity(sections)
        if severity:
            fields["severity"] = severity.group(1)
    if zone is None and "timezone" not in fields and body_zone is not None:
        fields["timezone"] = body_zone
    document = {**fields, "metadata": metadata, "preamble": preamble, "sections": sections, **found}
    pm = _validate(Postmortem, document, lines, path, zone)
    if not for_writing:
        return ParsedDocument(pm, blocks, parts.body_line)
    pm.set_origin(
        {
            "front_matter": parts.front_matter is not None,
            "front_keys": [key for key in data if key in FRONT_MATTER_FIELDS],
            "structured": {name: _dump(getattr(pm, name)) for name in STRUCTURED_FIELDS},
            "front": _dump(pm, include=set(FRONT_MATTER_FIELDS)),
            "zone": zone,
            "title": pm.title,
            "title_markup": f"# {title_block.text}" if title_block and title_block.text else None,
            "path": str(path) if path is not None else None,
        }
    )
    return ParsedDocument(pm, blocks, parts.body_line)


def load_incident(path: str | Path) -> Incident:
    """The incident described by a YAML file (the fields of :class:`Incident`)."""
    text = read_text(path)
    data, lines = load(text, path=path, first_line=1)
    fields, extra = _known_fields(data, lines, path, tuple(Incident.model_fields))
    if extra:
        name = next(iter(extra))
        raise DocumentError(f"unknown field {name!r}", path=path, line=lines.get(name), field=name)
    if "title" not in fields:
        raise DocumentError("required field is missing", path=path, line=1, field="title")
    zone = _declared_zone(fields, lines, path)
    return _validate(Incident, fields, lines, path, zone)


def _dump(value: Any, include: set[str] | None = None) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", include=include)
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return value


def _known_fields(
    data: dict[str, Any], lines: dict[str, int], path: str | Path | None, known: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    fields, extra = {}, {}
    for key, value in data.items():
        if key in known:
            if value is not None and value != "":
                fields[key] = value
            continue
        meant = close_field(key, known)
        if meant is not None:
            raise DocumentError(
                f"unknown field {key!r} (did you mean {meant!r}?)",
                path=path,
                line=lines.get(key),
                field=key,
            )
        extra[key] = value
    return fields, extra


def _declared_zone(
    fields: dict[str, Any], lines: dict[str, int], path: str | Path | None
) -> tzinfo | None:
    name = fields.get("timezone")
    if name is None:
        return None
    zone = zone_from_name(str(name))
    if zone is None:
        raise DocumentError(
            f"unknown time zone {name!r} "
            "(use an IANA name such as 'Europe/Paris', 'UTC' or '+02:00')",
            path=path,
            line=lines.get("timezone"),
            field="timezone",
        )
    fields["timezone"] = str(name)
    return zone


def _validate(
    model: type[M],
    data: dict[str, Any],
    lines: dict[str, int],
    path: str | Path | None,
    zone: tzinfo | None,
) -> M:
    try:
        return model.model_validate(data, context={"timezone": zone})
    except ValidationError as error:
        raise _located(error, data, lines, path) from None


def _located(
    error: ValidationError, data: dict[str, Any], lines: dict[str, int], path: str | Path | None
) -> DocumentError:
    first = error.errors()[0]
    loc = first["loc"]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, TimeOrderError):
        later, earlier = cause.field, cause.earlier
        return DocumentError(
            f"{later} ({data.get(later)}) is before {earlier} ({data.get(earlier)})",
            path=path,
            line=lines.get(later),
            field=later,
        )
    field = ".".join(str(part) for part in loc) if loc else None
    line = lines.get(str(loc[0])) if loc else None
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(str(loc[0])), list):
        item = data[str(loc[0])][loc[1]]
        line = item.get("line") if isinstance(item, dict) else line
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required field is missing"
    return DocumentError(message, path=path, line=line, field=field)


def _title_block(blocks: list[Block]) -> Block | None:
    first = next((block for block in blocks if block.kind == "heading"), None)
    if first is None or first.level != 1:
        return None
    before = [b for b in blocks if b.line < first.line and b.kind != "html_block"]
    return first if not before else None


def _title(block: Block | None, path: str | Path | None) -> str:
    if block is not None and block.plain:
        return block.plain
    if path is not None:
        return Path(path).stem
    return "Untitled postmortem"


def _headings(
    blocks: list[Block], title: Block | None, body_line: int, count: int
) -> list[_Heading]:
    found = [b for b in blocks if b.kind == "heading" and b is not title]
    result: list[_Heading] = []
    stack: list[_Heading] = []
    last_line = body_line + count - 1
    for index, block in enumerate(found):
        end = found[index + 1].line - 1 if index + 1 < len(found) else last_line
        while stack and stack[-1].block.level >= block.level:
            stack.pop()
        key = section_key(block.plain) or (stack[-1].key if stack else None)
        heading = _Heading(block, key, block.end_line + 1, end)
        stack.append(heading)
        result.append(heading)
    return result


def _text(body_lines: list[str], body_line: int, start: int, end: int) -> str:
    return "\n".join(body_lines[start - body_line : end - body_line + 1]).strip("\n")


def _document_day(
    fields: dict[str, Any], title: Block | None, preamble: str, path: str | Path | None, body: str
) -> date | None:
    started = fields.get("started_at")
    candidates = [
        str(started) if started is not None else "",
        title.plain if title else str(fields.get("title", "")),
        preamble,
        os.path.basename(path) if path is not None else "",
        body,
    ]
    for text in candidates:
        found = find_date(text)
        if found is not None:
            return found
    return None


def _section(
    heading: _Heading,
    blocks: list[Block],
    body_lines: list[str],
    body_line: int,
    context: extract.TimeContext,
    found: dict[str, list[Any]],
) -> dict[str, Any]:
    raw = body_lines[heading.start - body_line : heading.end - body_line + 1]
    lead = next((i for i, line in enumerate(raw) if line.strip()), len(raw))
    first_line = heading.start + lead
    body = "\n".join(raw).strip("\n")
    own = [b for b in blocks if heading.start <= b.line <= heading.end]
    if heading.key == "timeline":
        context.enter_heading(heading.block.plain)
        zone = find_zone_declaration(body)
        if zone is not None:
            context.zone = zone
    result = _extract(heading.key, own, body.split("\n"), first_line, context, heading.block.plain)
    field = KEY_FIELDS.get(heading.key or "")
    if field is not None:
        found[field].extend(result.items)
    spans = [(start - first_line, end - first_line) for start, end in result.spans]
    return {
        "heading": heading.block.plain,
        "level": heading.block.level,
        "line": heading.block.line,
        "key": heading.key,
        "body": body,
        "markup": heading.block.text,
        "spans": spans,
    }


def _extract(
    key: str | None,
    blocks: list[Block],
    lines: list[str],
    first_line: int,
    context: extract.TimeContext,
    title: str,
) -> extract.Found:
    if key == "timeline":
        return extract.timeline(blocks, context)
    if key == "five_whys":
        return extract.whys(lines, first_line)
    if key in ("root_causes", "contributing_factors"):
        return extract.root_causes(blocks)
    if key == "improvements":
        return extract.improvements(blocks)
    if key in ("action_items", "fix"):
        done = bool(re.search(r"\b(?:completed|done)\b", title, re.IGNORECASE))
        return actions.action_items(blocks, fix_section=key == "fix", done=done)
    if key == "lessons":
        return extract.lessons(blocks)
    return extract.Found()


def _stats_severity(sections: list[dict[str, Any]]) -> re.Match[str] | None:
    for section in sections:
        if section["key"] in ("stats", "summary", None):
            match = _SEVERITY_LINE.search(section["body"])
            if match:
                return match
    return None
