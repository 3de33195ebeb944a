"""A :class:`Postmortem` written back as Markdown with YAML front matter.

Prose is written as it was read. A structured part (timeline, whys, root causes,
improvements, action items, lessons) is regenerated in Afterword's canonical form
only when the model's data differs from what was parsed, and in the place where the
old block stood; so a parsed document whose data did not change is written back as
it was, and our own documents round-trip exactly.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from afterword.document.actions import FIX_PREFIXES
from afterword.document.frontmatter import dump_value
from afterword.document.parser import KEY_FIELDS, STRUCTURED_FIELDS
from afterword.model import (
    FRONT_MATTER_FIELDS,
    ActionItem,
    ActionStatus,
    Improvement,
    ImprovementType,
    Postmortem,
    RootCause,
    Section,
    TimelineEvent,
    Why,
)
from afterword.timeutil import format_datetime, zone_from_name

#: Heading and level of the section a structured part goes in when the document has none.
DEFAULT_HEADINGS = {
    "timeline": ("Timeline", "timeline"),
    "whys": ("5 Whys", "five_whys"),
    "root_causes": ("Root causes", "root_causes"),
    "improvements": ("Systemic improvements", "improvements"),
    "action_items": ("Action items", "action_items"),
    "lessons": ("Lessons learned", "lessons"),
}


def render(pm: Postmortem) -> str:
    """The Markdown document for a postmortem."""
    zone = zone_from_name(pm.timezone) if pm.timezone else None
    out: list[str] = []
    front = front_matter(pm, zone)
    if front is not None:
        out += ["---", front, "---", ""]
    title = origin_title(pm)
    out += [title, ""]
    if pm.preamble:
        out += [pm.preamble, ""]
    changed = _changed_fields(pm)
    placed: set[str] = set()
    sections = list(pm.sections)
    for name in STRUCTURED_FIELDS:
        if getattr(pm, name) and not any(KEY_FIELDS.get(s.key or "") == name for s in sections):
            heading, key = DEFAULT_HEADINGS[name]
            sections.append(Section(heading=heading, level=2, line=0, key=key))
            changed.add(name)
    for section in sections:
        part = KEY_FIELDS.get(section.key or "")
        body = section.body
        if part is not None and part in changed:
            block = None if part in placed else render_part(pm, part, zone, section.key)
            body = _splice(section, block)
            placed.add(part)
        out += [f"{'#' * section.level} {section.markup or section.heading}", ""]
        if body:
            out += [body, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def origin_title(pm: Postmortem) -> str:
    """The title heading: as written in the source when the title did not change."""
    origin = pm.origin or {}
    if origin.get("title") == pm.title and origin.get("title_markup"):
        return str(origin["title_markup"])
    return f"# {pm.title}"


def _changed_fields(pm: Postmortem) -> set[str]:
    origin = pm.origin
    if origin is None:
        return {name for name in STRUCTURED_FIELDS if getattr(pm, name)}
    before = origin["structured"]
    return {
        name
        for name in STRUCTURED_FIELDS
        if [_plain(item) for item in getattr(pm, name)] != before[name]
    }


def _plain(item: Any) -> Any:
    return item.model_dump(mode="json") if hasattr(item, "model_dump") else item


def _splice(section: Section, block: str | None) -> str:
    """The section's body with its structured lines replaced by ``block``."""
    lines = section.body.split("\n") if section.body else []
    spans = sorted(section.spans)
    if not spans:
        parts = [section.body.strip("\n"), block or ""]
        return "\n\n".join(part for part in parts if part)
    dropped = {i for start, end in spans for i in range(start, end + 1)}
    before = "\n".join(lines[: spans[0][0]]).strip("\n")
    after = "\n".join(line for i, line in enumerate(lines) if i > spans[0][0] and i not in dropped)
    parts = [before, block or "", after.strip("\n")]
    return "\n\n".join(part for part in parts if part)


def front_matter(pm: Postmortem, zone: tzinfo | None) -> str | None:
    """The YAML front matter, or None for a parsed document that had none and kept its facts."""
    origin = pm.origin
    values = pm.model_dump(include=set(FRONT_MATTER_FIELDS))
    unchanged = origin is not None and (
        pm.model_dump(mode="json", include=set(FRONT_MATTER_FIELDS)) == origin["front"]
    )
    if origin is not None and not origin["front_matter"] and unchanged:
        return None
    present = list(origin["front_keys"]) if origin else []
    lines = []
    for name in dict.fromkeys([*present, *FRONT_MATTER_FIELDS]):
        value = values[name]
        default = Postmortem.model_fields[name].get_default(call_default_factory=True)
        if name in present or name == "title" or value != default:
            lines.append(dump_value(name, _yaml_value(value, zone)))
    lines.extend(dump_value(key, value) for key, value in pm.metadata.items())
    return "\n".join(lines)


def _yaml_value(value: Any, zone: tzinfo | None) -> Any:
    if isinstance(value, datetime):
        return write_time(value, zone)
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, list):
        return [_yaml_value(item, zone) for item in value]
    return value


def write_time(moment: datetime, zone: tzinfo | None) -> str:
    """A time as written in the document: without a zone when it is in the document's zone."""
    if zone is not None and moment.utcoffset() == moment.astimezone(zone).utcoffset():
        return format_datetime(moment.replace(tzinfo=None))
    return format_datetime(moment)


def timeline_time(moment: datetime, zone: tzinfo | None) -> str:
    """A timeline row's time: full date, time and zone, in the document's zone if it has one."""
    return format_datetime(moment.astimezone(zone) if zone is not None else moment)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _table(header: list[str], rows: list[list[str | None]]) -> str:
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row([_cell(value) for value in row]) for row in rows]
    return "\n".join(lines)


def render_part(pm: Postmortem, name: str, zone: tzinfo | None, key: str | None = None) -> str:
    """The canonical Markdown of one structured part."""
    items = getattr(pm, name)
    if name == "timeline":
        return _timeline(items, zone)
    if name == "whys":
        return _whys(items)
    if name == "root_causes":
        return _root_causes(items)
    if name == "improvements":
        return _improvements(items)
    if name == "action_items":
        return _action_list(items) if key == "fix" else _action_items(items)
    return "\n".join(f"- {lesson}" for lesson in items)


def _timeline(events: list[TimelineEvent], zone: tzinfo | None) -> str:
    rows: list[list[str | None]] = [
        [
            timeline_time(event.at, zone) if event.at else event.written,
            event.text,
            event.source,
            event.kind.value if event.kind else None,
        ]
        for event in events
    ]
    return _table(["Time", "Event", "Source", "Kind"], rows)


def _whys(whys: list[Why]) -> str:
    parts = []
    for number, why in enumerate(whys, start=1):
        lines = [f"**Why #{number}:** {why.question}"]
        if why.answer:
            lines.append(f"**Answer:** {why.answer}")
        if why.evidence:
            lines.append(f"**Evidence:** {why.evidence}")
        parts.append("\n\n".join(lines))
    return "\n\n---\n\n".join(parts)


def _root_causes(causes: list[RootCause]) -> str:
    if len(causes) == 1 and not causes[0].rank and not causes[0].evidence:
        return causes[0].text
    lines = []
    for cause in causes:
        lead = f"**{cause.rank.value.capitalize()}:** " if cause.rank else ""
        lines.append(f"- {lead}{cause.text}")
        if cause.evidence:
            lines.append(f"  - Evidence: {cause.evidence}")
    return "\n".join(lines)


def _improvements(improvements: list[Improvement]) -> str:
    rows: list[list[str | None]] = [
        [i.root_cause, i.improvement, i.type.value.capitalize() if i.type else None]
        for i in improvements
    ]
    return _table(["Root cause", "Improvement", "Type"], rows)


def _action_items(items: list[ActionItem]) -> str:
    rows: list[list[str | None]] = [
        [
            item.title,
            item.owner,
            item.due.isoformat() if item.due else None,
            item.type.value.capitalize() if item.type else None,
            item.priority,
            item.ticket,
            item.status.value,
        ]
        for item in items
    ]
    return _table(["Action item", "Owner", "Due", "Type", "Priority", "Ticket", "Status"], rows)


def _action_list(items: list[ActionItem]) -> str:
    """Action items as the quick template's Fix list: ``- Immediate: ...``, ``- Long-term: ...``."""
    lines = []
    for item in items:
        immediate = item.status is ActionStatus.DONE and item.type in (
            None,
            ImprovementType.MITIGATION,
        )
        implied = FIX_PREFIXES["immediate" if immediate else "long-term"]
        details = [item.ticket] if item.ticket else []
        details += [
            f"{name}: {value}"
            for name, value in (
                ("owner", item.owner),
                ("due", item.due.isoformat() if item.due else None),
                ("priority", item.priority),
                (
                    "type",
                    item.type.value if item.type and item.type.value != implied["type"] else None,
                ),
                ("status", item.status.value if item.status.value != implied["status"] else None),
            )
            if value
        ]
        tail = f" ({', '.join(details)})" if details else ""
        lines.append(f"- {'Immediate' if immediate else 'Long-term'}: {item.title}{tail}")
    return "\n".join(lines)
