"""Action items read out of a section: from tables with an action column, and from list
items with their owner, due date, ticket and status where written."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from afterword.document.blocks import Block
from afterword.document.extract import Found, cell, column, item_spans
from afterword.timeutil import find_date

_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")
_TICKET_URL = re.compile(
    r"https?://\S+?/(?:issues|pull|browse|tickets?|tasks?|projects/\S+/issues|-/issues)/[\w-]+"
)
_HASH_TICKET = re.compile(r"(?:issue|ticket|PR|pull request)?\s*#(\d+)\b", re.IGNORECASE)
_OWNER = re.compile(
    r"(?:\b(?:owner|assignee|assigned to|owned by|dri)\s*[:=]?\s*"
    r"(?P<name>@?[\w.-]+(?: [A-Z][\w.-]+)?)"
    r"|(?<![\w/])@(?P<handle>[A-Za-z0-9][\w.-]*[A-Za-z0-9]))",
    re.IGNORECASE,
)
_DUE = re.compile(
    r"\b(?:due|by|deadline|before)\s*[:=]?\s*(?P<date>\d{4}-\d{2}-\d{2}|"
    r"[A-Z][a-z]+\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})",
    re.IGNORECASE,
)
_DONE = re.compile(r"^\s*(?:\[[xX]\]|✅|✔️?|☑️?)\s*|\b(?:completed|done)\b\W*$|^\s*~~.*~~\s*$")
_CHECKBOX = re.compile(r"^\s*(?:\[[ xX]\]|✅|✔️?|☑️?|⬜)\s*")
_FIX = re.compile(r"^\W*(immediate|short[- ]term|long[- ]term|follow[- ]up)\W*:\s*", re.IGNORECASE)
#: What the lead of a quick postmortem's Fix entry implies about the action.
FIX_PREFIXES: dict[str, dict[str, str]] = {
    "immediate": {"status": "done", "type": "mitigation"},
    "short-term": {"status": "open", "type": "prevention"},
    "long-term": {"status": "open", "type": "prevention"},
    "follow-up": {"status": "open", "type": "prevention"},
}
_TAIL = re.compile(r"\s*\(([^()]+)\)\s*$")
_METADATA_TAIL = re.compile(
    r"\s*[(\[]\s*(?:owner|due|assignee|by|ticket)\b[^)\]]*[)\]]\s*$", re.IGNORECASE
)


def action_items(blocks: list[Block], *, fix_section: bool = False, done: bool = False) -> Found:
    """Action items from tables with an action column and from list items."""
    found = Found()
    items: list[Block] = []
    details = False  # items that follow an item ending in ":" detail it, they are not actions
    parent: dict[str, Any] | None = None
    parent_depth = 0
    for block in blocks:
        if block.kind != "item":
            details = False
        if block.kind == "heading":
            done = bool(re.search(r"\b(?:completed|done|immediate)\b", block.plain, re.I))
        elif block.kind == "table":
            _action_table(block, found)
        elif block.kind == "item" and block.text and not details:
            details = block.text.rstrip().endswith(":")
            item = _action_from_text(block, fix_section=fix_section, done=done)
            if (
                item is not None
                and parent is not None
                and parent_depth < block.depth
                and _only_reference(block)
            ):
                parent["ticket"] = parent["ticket"] or item["ticket"]
                items.append(block)
            elif item is not None:
                found.items.append(item)
                items.append(block)
                parent, parent_depth = item, block.depth
    found.spans.extend(item_spans(items))
    return found


def _action_table(block: Block, found: Found) -> None:
    header = block.header
    title = column(header, r"action|item|title|task|description|what|improvement")
    if title is None:
        return
    columns = {
        "owner": column(header, r"owner|assignee|who|responsible|dri"),
        "due": column(header, r"due|deadline|target|\bby\b|\bdate\b|when"),
        "type": column(header, r"^\s*type\s*$|category"),
        "priority": column(header, r"priority|prio\b|^p$"),
        "ticket": column(header, r"ticket|issue|jira|link|tracking|ref"),
        "status": column(header, r"status|state|done"),
    }
    for row, line in zip(block.rows, block.row_lines, strict=False):
        if not cell(row, title):
            continue
        values = {name: cell(row, index) or None for name, index in columns.items()}
        item: dict[str, Any] = {"title": cell(row, title), "line": line, **values}
        item["due"] = _due(item["due"])
        item["type"] = _known(item["type"], ("prevention", "detection", "mitigation"))
        item["status"] = _status(item["status"])
        found.items.append(item)
    found.spans.append((block.line, block.end_line))


def _known(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value.strip().lower() if value and value.strip().lower() in allowed else None


def _status(value: str | None) -> str:
    text = (value or "").strip().lower()
    if text in ("done", "closed", "complete", "completed", "resolved", "fixed", "[x]", "x", "yes"):
        return "done"
    if text in ("in progress", "in-progress", "doing", "started", "ongoing"):
        return "in-progress"
    if text in ("wont-do", "won't do", "wontfix", "won't fix", "cancelled", "dropped"):
        return "wont-do"
    return "open"


def _due(value: str | None) -> date | None:
    if not value:
        return None
    return find_date(value)


def _action_from_text(block: Block, *, fix_section: bool, done: bool) -> dict[str, Any] | None:
    text = block.text
    item: dict[str, Any] = {
        "status": "done" if done or _DONE.search(text) else "open",
        "type": None,
        "line": block.line,
    }
    text = _CHECKBOX.sub("", text).strip("~ ")
    lead = _FIX.match(text) if fix_section else None
    if lead:
        item.update(FIX_PREFIXES[lead.group(1).lower().replace(" ", "-")])
        text = text[lead.end() :]
    tail = _TAIL.search(text)
    details = _details(tail.group(1)) if tail else None
    if tail and details is not None:
        text = text[: tail.start()]
        item.update(details)
    else:
        owner = _OWNER.search(text)
        due = _DUE.search(text)
        item["owner"] = (owner.group("name") or owner.group("handle")) if owner else None
        item["due"] = find_date(due.group("date")) if due else None
        item["ticket"] = _ticket(text, block.links)
        text = _METADATA_TAIL.sub("", text)
    item["title"] = text.strip()
    return item if item["title"] else None


def _details(text: str) -> dict[str, Any] | None:
    """The fields of a trailing ``(ENG-9, owner: @sam, due 2024-02-15)``; None if it is prose."""
    found: dict[str, Any] = {}
    for piece in re.split(r"\s*[,;]\s*", text.strip()):
        named = re.fullmatch(r"(owner|due|by|priority|status|type|ticket)\s*:?\s*(.+)", piece, re.I)
        if named:
            name, value = named.group(1).lower(), named.group(2).strip()
            name = "due" if name == "by" else name
            found[name] = find_date(value) if name == "due" else value
            if name == "due" and found[name] is None:
                return None
        elif re.fullmatch(r"@[\w.-]+", piece):
            found["owner"] = piece
        elif (
            _TICKET.fullmatch(piece) or _TICKET_URL.fullmatch(piece) or re.fullmatch(r"#\d+", piece)
        ):
            found["ticket"] = piece
        elif re.fullmatch(r"P[0-4]", piece):
            found["priority"] = piece
        else:
            return None
    if "status" in found:
        found["status"] = _status(found["status"])
    return found or None


def _only_reference(block: Block) -> bool:
    """An item that is nothing but a link or ticket key, detailing the item above it."""
    rest = re.sub(r"https?://\S+|\b[A-Z][A-Z0-9]+-\d+\b|#\d+", "", block.plain)
    return not re.search(r"\w{3,}", rest)


def _ticket(text: str, links: list[str]) -> str | None:
    for link in links:
        if _TICKET_URL.match(link):
            return link
    url = _TICKET_URL.search(text)
    if url:
        return url.group(0)
    key = _TICKET.search(text)
    if key:
        return key.group(0)
    number = _HASH_TICKET.search(text)
    return f"#{number.group(1)}" if number else None
