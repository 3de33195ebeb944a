"""A Slack workspace export: ``channels.json``, ``users.json`` and a folder per channel
holding one JSON file per day (``2024-01-15.json``), each a list of messages with ``ts``,
``user``, ``text``, ``files``, ``pinned_to`` and ``reactions``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from afterword.document.extract import event_kind
from afterword.errors import InputError
from afterword.model import TimelineEvent
from afterword.timeline.sources import Window, read_json

#: Message subtypes that are housekeeping, not part of an incident's story.
SKIPPED_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_purpose",
        "channel_topic",
        "channel_name",
        "bot_add",
        "bot_remove",
        "pinned_item",
        "unpinned_item",
    }
)
_MENTION = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_DAY_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.json$")


def load(path: Path, window: Window, option: str) -> list[TimelineEvent]:
    """The messages of the export's channels, in the window, as timeline events."""
    users = _users(path)
    channels = _channels(path)
    wanted = {name.lstrip("#") for name in window.channels}
    events: list[TimelineEvent] = []
    for channel in channels:
        if wanted and channel not in wanted:
            continue
        folder = path / channel
        for day_file in sorted(folder.glob("*.json")):
            if not _day_in_window(day_file, window):
                continue
            messages = read_json(day_file)
            if not isinstance(messages, list):
                raise InputError("a day file must hold a list of messages", path=day_file)
            events.extend(_events(messages, channel, users, window, day_file))
    if wanted - set(channels):
        missing = ", ".join(sorted(wanted - set(channels)))
        raise InputError(f"no such channel in the export: {missing}", path=path)
    return events


def _users(path: Path) -> dict[str, str]:
    file = path / "users.json"
    if not file.exists():
        return {}
    data = read_json(file)
    names: dict[str, str] = {}
    for user in data if isinstance(data, list) else []:
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or user.get("real_name")
            or profile.get("real_name")
            or user.get("name")
            or user.get("id")
        )
        names[str(user.get("id"))] = str(name)
    return names


def _channels(path: Path) -> list[str]:
    file = path / "channels.json"
    if file.exists():
        data = read_json(file)
        names = (
            [str(c.get("name")) for c in data if isinstance(c, dict)]
            if isinstance(data, list)
            else []
        )
        return [name for name in names if (path / name).is_dir()]
    return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


def _day_in_window(day_file: Path, window: Window) -> bool:
    match = _DAY_FILE.match(day_file.name)
    if not match:
        return False
    day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    # day files are in the exporter's zone; a day of slack on each side keeps all of it
    if window.since is not None and (window.since.date() - day).days > 1:
        return False
    return not (window.until is not None and (day - window.until.date()).days > 1)


def _events(
    messages: list[Any], channel: str, users: dict[str, str], window: Window, file: Path
) -> list[TimelineEvent]:
    since = window.since.timestamp() if window.since else None
    until = window.until.timestamp() if window.until else None
    events = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("subtype") in SKIPPED_SUBTYPES:
            continue
        try:
            stamp = float(message["ts"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f"message {index + 1} has no valid ts", path=file, field="ts"
            ) from None
        if (since is not None and stamp < since) or (until is not None and stamp > until):
            continue
        if window.pinned and not message.get("pinned_to"):
            continue
        if window.reaction and not any(
            r.get("name") == window.reaction for r in message.get("reactions") or ()
        ):
            continue
        text = clean_text(str(message.get("text") or ""), users)
        for attached in message.get("files") or ():
            text += f" [file: {attached.get('title') or attached.get('name') or 'attachment'}]"
        if not text.strip():
            continue
        author = _author(message, users)
        body = " ".join(text.split())
        events.append(
            TimelineEvent(
                at=datetime.fromtimestamp(stamp, UTC),
                text=f"{author}: {body}" if author else body,
                source=f"slack #{channel}",
                kind=event_kind(body),
            )
        )
    return events


def _author(message: dict[str, Any], users: dict[str, str]) -> str:
    if message.get("user"):
        return users.get(str(message["user"]), str(message["user"]))
    profile = message.get("bot_profile") or {}
    return str(message.get("username") or profile.get("name") or "")


def clean_text(text: str, users: dict[str, str]) -> str:
    """Slack's markup made readable: mentions by name, links by label, entities decoded."""

    def mention(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + users.get(target, label or target)
        if sigil == "#":
            return "#" + (label or target)
        return "@" + (label or target)

    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(_MENTION.sub(mention, text))
