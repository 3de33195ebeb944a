"""Where timeline events come from: each source reads one real format into TimelineEvents.

A source is named ``TYPE:PATH`` or just ``PATH``, and then told from what the path holds:

=============  =====================================================================
``slack``      a Slack workspace export (folder of channels, one JSON file per day)
``pagerduty``  PagerDuty REST API ``log_entries`` JSON
``opsgenie``   Opsgenie alert activity log JSON (``{"data": [{"log", "createdAt"...}]}``)
``git``        a git repository: commits (or ``git:PATH@tags``: tags) in the window
``deploys``    a deploy CSV (``time,service,version[,environment,author,description]``)
``csv``        a generic CSV (``time,text[,source,kind]``)
``jsonl``      generic JSON lines (``{"time", "text"[, "source", "kind"]}``)
``postmortem`` the timeline of an existing postmortem (Markdown)
=============  =====================================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from afterword.errors import InputError
from afterword.model import TimelineEvent


@dataclass(frozen=True)
class Window:
    """What to keep: events from ``since`` to ``until`` (either may be open); ``zone`` for
    times written without one. Slack exports also take the channels, pinned messages only,
    or messages with a given reaction."""

    since: datetime | None = None
    until: datetime | None = None
    zone: tzinfo | None = None
    channels: tuple[str, ...] = ()
    pinned: bool = False
    reaction: str | None = None

    def keeps(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment <= self.until
        )


Loader = Callable[[Path, Window, str], list[TimelineEvent]]


def _loaders() -> dict[str, Loader]:
    from afterword.timeline.sources import deploys, generic, pager, slack

    return {
        "slack": slack.load,
        "pagerduty": pager.load_pagerduty,
        "opsgenie": pager.load_opsgenie,
        "git": deploys.load_git,
        "deploys": deploys.load_deploy_csv,
        "csv": generic.load_csv,
        "jsonl": generic.load_jsonl,
        "postmortem": generic.load_postmortem,
    }


SOURCE_TYPES = ("slack", "pagerduty", "opsgenie", "git", "deploys", "csv", "jsonl", "postmortem")


def split_spec(spec: str) -> tuple[str | None, Path, str]:
    """``TYPE:PATH[@OPTION]`` cut into its type (or None), path and option."""
    kind: str | None = None
    rest = spec
    head, sep, tail = spec.partition(":")
    if sep and head in SOURCE_TYPES:
        kind, rest = head, tail
    path, _, option = rest.partition("@") if kind == "git" else (rest, "", "")
    return kind, Path(path), option


def detect(path: Path) -> str:
    """The type of a source, told from what the path holds."""
    if path.is_dir():
        if (path / ".git").exists():
            return "git"
        if (path / "users.json").exists() or (path / "channels.json").exists():
            return "slack"
        raise InputError("a folder that is neither a Slack export nor a git repository", path=path)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "postmortem"
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".csv":
        header = read(path).split("\n", 1)[0].lower()
        return "deploys" if "version" in header or "service" in header else "csv"
    if suffix == ".json":
        head = read(path)[:4096]
        if "log_entries" in head:
            return "pagerduty"
        if '"data"' in head and ("createdAt" in head or '"log"' in head):
            return "opsgenie"
    raise InputError(
        "cannot tell what kind of timeline source this is; name it as TYPE:PATH "
        f"({', '.join(SOURCE_TYPES)})",
        path=path,
    )


def load(spec: str, window: Window) -> list[TimelineEvent]:
    """The events of one source, in its window."""
    kind, path, option = split_spec(spec)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    kind = kind or detect(path)
    events = _loaders()[kind](path, window, option)
    return [event for event in events if event.at is None or window.keeps(event.at)]


def read(path: Path) -> str:
    """A source file's text; unreadable is an input error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", path=path) from None


def read_json(path: Path) -> object:
    """A JSON source file; truncated or malformed JSON is an input error with its line."""
    try:
        return json.loads(read(path))
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg}", path=path, line=error.lineno) from None
