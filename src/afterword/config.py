"""Settings: one table of name, default and help, from ``afterword.toml`` or ``pyproject.toml``.

Afterword looks in the current folder and its parents for ``afterword.toml`` (top-level
keys) or a ``pyproject.toml`` with a ``[tool.afterword]`` table, and stops at the first
it finds. A dotted name (``triage.outage_minutes``) is a key in a sub-table
(``[tool.afterword.triage]``). Every setting is documented in the README; a test checks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afterword.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("triage.severities", ["SEV1", "SEV2"], "Severities that always owe a postmortem."),
    Setting(
        "triage.outage_minutes",
        15,
        "A customer-facing outage strictly longer than this many minutes owes a postmortem.",
    ),
    Setting("lifecycle.draft_days", 2, "Days from the incident to the draft (seed: day 1-2)."),
    Setting(
        "lifecycle.meeting_days", 5, "Days from the incident to the review meeting (seed: day 3-5)."
    ),
    Setting(
        "lifecycle.final_days",
        7,
        "Days from the incident to the final document and tickets (seed: day 5-7).",
    ),
    Setting("remind.soon_days", 7, "Items due within this many days are due soon in reminders."),
    Setting("remind.emails", {}, 'Addresses for reminder emails: {owner = "address"}.'),
    Setting("remind.sender", "afterword@localhost", "The From address of reminder emails."),
    Setting(
        "templates.folder",
        None,
        "Folder of team templates (NAME.md.j2), relative to the config file; "
        "they add to and may replace the built-in ones.",
    ),
)

_DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


@dataclass(frozen=True)
class Config:
    """The settings in force and the file they came from (None: defaults only)."""

    values: dict[str, Any]
    path: Path | None = None

    def get(self, name: str) -> Any:
        return self.values[name]

    def section(self, prefix: str) -> dict[str, Any]:
        """The raw table under a dotted prefix, for groups with open-ended keys (lint)."""
        return dict(self.values.get(f"{prefix}.*", {}))

    def relative(self, value: str) -> Path:
        """A path setting, relative to the folder of the config file."""
        base = self.path.parent if self.path else Path.cwd()
        return (base / value).resolve()


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``afterword.toml`` or ``pyproject.toml`` with ``[tool.afterword]``."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "afterword.toml"
        if own.is_file():
            return own
        project = candidate / "pyproject.toml"
        if project.is_file() and "[tool.afterword" in project.read_text(encoding="utf-8"):
            return project
    return None


def load_config(path: str | Path | None = None) -> Config:
    """The settings from ``path``, or from the nearest config file, over the defaults."""
    chosen = Path(path) if path is not None else find_config()
    if chosen is None:
        return Config(dict(_DEFAULTS))
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such config file", path=chosen) from None
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        raise ConfigError(f"invalid TOML: {error}", path=chosen, line=line) from None
    table = data.get("tool", {}).get("afterword", {}) if chosen.name == "pyproject.toml" else data
    values = dict(_DEFAULTS)
    _merge(table, "", values, chosen)
    return Config(values, chosen)


def _merge(table: dict[str, Any], prefix: str, values: dict[str, Any], path: Path) -> None:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if name == "lint":
            values["lint.*"] = value
            continue
        if isinstance(value, dict) and name not in _DEFAULTS:
            _merge(value, f"{name}.", values, path)
            continue
        if name not in _DEFAULTS:
            raise ConfigError(f"unknown setting {name!r}", path=path, field=name)
        expected = _DEFAULTS[name]
        if expected is not None and type(value) is not type(expected):
            raise ConfigError(
                f"expected {type(expected).__name__}, got {type(value).__name__}",
                path=path,
                field=name,
            )
        values[name] = value
