"""Lint settings: the ``[tool.afterword.lint]`` table (or ``[lint]`` of ``afterword.toml``).

::

    [tool.afterword.lint]
    select = ["blame-language", "AW3"]     # names, codes or code prefixes; default: all
    ignore = ["vague-error"]
    fail_on = "error"                      # lowest severity that makes the exit code 1
    min_whys = 5                           # levels a 5 Whys analysis should reach
    max_action_items = 10                  # more is not achievable: scope them
    names = ["Alice Chen", "bob"]          # people the named-individual rule should know
    blame_phrases = ["cowboy deploy"]      # team phrases that blame, flagged as blame-language
    vague_actions = ["sync up"]            # team phrases that make an action item vague

    [tool.afterword.lint.severity]
    vague-error = "info"

    [[tool.afterword.lint.overrides]]      # per-path: glob patterns relative to the config
    paths = ["archive/**"]
    ignore = ["missing-section"]
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from afterword.config import Config
from afterword.errors import ConfigError

SEVERITIES = ("info", "warning", "error")

#: The lint settings: name, default and help; the README documents each.
LINT_SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("lint.select", [], "Rules to run (names, codes or code prefixes); empty: all."),
    ("lint.ignore", [], "Rules not to run (names, codes or code prefixes)."),
    ("lint.fail_on", "error", "Lowest severity that makes `lint` exit with 1."),
    ("lint.min_whys", 5, "Levels a 5 Whys analysis should reach."),
    ("lint.max_action_items", 10, "More action items than this is not achievable."),
    ("lint.names", [], "Names of people, for the named-individual rule."),
    ("lint.blame_phrases", [], "Team phrases that blame, reported by blame-language."),
    ("lint.vague_actions", [], "Team phrases that make an action item vague."),
    ("lint.severity", {}, 'Severity per rule: {rule = "info"|"warning"|"error"}.'),
    (
        "lint.overrides",
        [],
        "Per-path settings: [[...overrides]] with paths, select, ignore, severity.",
    ),
)


@dataclass(frozen=True)
class LintSettings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    min_whys: int = 5
    max_action_items: int = 10
    names: tuple[str, ...] = ()
    blame_phrases: tuple[str, ...] = ()
    vague_actions: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    overrides: tuple[dict[str, Any], ...] = ()
    base: Path | None = None

    def with_options(self, select: list[str] | None, ignore: list[str] | None) -> LintSettings:
        """The settings with the command line's --select and --ignore applied."""
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=self.ignore + tuple(ignore or ()),
        )

    def for_path(self, path: str) -> LintSettings:
        """The settings for one file, with the overrides whose patterns match it."""
        result = self
        for override in self.overrides:
            if any(self._matches(path, pattern) for pattern in override.get("paths", [])):
                result = replace(
                    result,
                    select=tuple(override.get("select", result.select)),
                    ignore=result.ignore + tuple(override.get("ignore", ())),
                    severity={**result.severity, **override.get("severity", {})},
                )
        return result

    def _matches(self, path: str, pattern: str) -> bool:
        candidate = Path(path).resolve()
        if self.base is not None:
            try:
                relative = candidate.relative_to(self.base).as_posix()
            except ValueError:
                relative = Path(path).as_posix()
        else:
            relative = Path(path).as_posix()
        return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(path).as_posix(), pattern)


_TYPES: dict[str, type] = {
    "select": list,
    "ignore": list,
    "fail_on": str,
    "min_whys": int,
    "max_action_items": int,
    "names": list,
    "blame_phrases": list,
    "vague_actions": list,
    "severity": dict,
    "overrides": list,
}


def lint_settings(config: Config) -> LintSettings:
    """The lint settings of a configuration, checked."""
    table = config.section("lint")
    for key, value in table.items():
        expected = _TYPES.get(key)
        if expected is None:
            raise ConfigError(
                f"unknown setting 'lint.{key}'", path=config.path, field=f"lint.{key}"
            )
        if not isinstance(value, expected):
            raise ConfigError(
                f"expected {expected.__name__}, got {type(value).__name__}",
                path=config.path,
                field=f"lint.{key}",
            )
    fail_on = table.get("fail_on", "error")
    if fail_on not in SEVERITIES:
        raise ConfigError(
            f"expected one of {', '.join(SEVERITIES)}", path=config.path, field="lint.fail_on"
        )
    for rule, level in table.get("severity", {}).items():
        if level not in SEVERITIES:
            raise ConfigError(
                f"expected one of {', '.join(SEVERITIES)}",
                path=config.path,
                field=f"lint.severity.{rule}",
            )
    return LintSettings(
        select=tuple(table.get("select", ())),
        ignore=tuple(table.get("ignore", ())),
        fail_on=fail_on,
        min_whys=table.get("min_whys", 5),
        max_action_items=table.get("max_action_items", 10),
        names=tuple(table.get("names", ())),
        blame_phrases=tuple(table.get("blame_phrases", ())),
        vague_actions=tuple(table.get("vague_actions", ())),
        severity=dict(table.get("severity", {})),
        overrides=tuple(table.get("overrides", ())),
        base=config.path.parent.resolve() if config.path else None,
    )
