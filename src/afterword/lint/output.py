"""Lint output formats: ``text``, ``json``, ``sarif`` (2.1.0) and ``github`` annotations.

The JSON output is ``{"version": 1, "files": N, "findings": [...]}``; each finding has
``path``, ``line``, ``column``, ``end_line``, ``end_column``, ``rule``, ``code``,
``severity`` (error, warning, info), ``message`` and ``suggestion`` (a rewrite or null).
Lines and columns are 1-based; ``end_column`` is the column after the span. ``version``
changes only when a key changes meaning or goes away.
"""

from __future__ import annotations

import json
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Any

from afterword import __version__
from afterword.lint.document import Finding
from afterword.lint.engine import Rule, all_rules
from afterword.lint.runner import LintReport

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


def render(report: LintReport, output: OutputFormat) -> str:
    """The report in one of the output formats."""
    if output is OutputFormat.json:
        return as_json(report)
    if output is OutputFormat.sarif:
        return json.dumps(as_sarif(report), indent=2, ensure_ascii=False) + "\n"
    if output is OutputFormat.github:
        return "".join(github_line(finding) + "\n" for finding in report.findings)
    return as_text(report)


def as_json(report: LintReport) -> str:
    data = {
        "version": JSON_VERSION,
        "files": report.files,
        "findings": [finding.as_dict() for finding in report.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_text(report: LintReport) -> str:
    lines = []
    for f in report.findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code} {f.severity} [{f.rule}] {f.message}")
        if f.suggestion:
            lines.append(f"    suggestion: {f.suggestion}")
    counts = Counter(finding.severity for finding in report.findings)
    total = len(report.findings)
    detail = ", ".join(
        f"{counts[level]} {level}" for level in ("error", "warning", "info") if counts[level]
    )
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    summary = f"{total} finding{'s' if total != 1 else ''}"
    lines.append(f"{summary} ({detail}) in {files}" if total else f"no findings in {files}")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(finding: Finding) -> str:
    """A GitHub Actions workflow command that annotates the finding's lines."""
    message = finding.message + (
        f"\n\nSuggestion: {finding.suggestion}" if finding.suggestion else ""
    )
    properties = ",".join(
        [
            f"file={_escape_property(finding.path)}",
            f"line={finding.line}",
            f"col={finding.column}",
            f"endLine={finding.end_line}",
            f"endColumn={finding.end_column}",
            f"title={_escape_property(f'{finding.code} {finding.rule}')}",
        ]
    )
    return f"::{GITHUB_LEVELS[finding.severity]} {properties}::{_escape_data(message)}"


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.doc()
    return {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        "properties": {"tags": ["postmortem", rule.group], "code": rule.code},
    }


def _uri(path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_uri()
    return candidate.as_posix()


def as_sarif(report: LintReport) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log that GitHub code scanning accepts."""
    rules = all_rules()
    index = {rule.name: position for position, rule in enumerate(rules)}
    results = []
    for finding in report.findings:
        text = finding.message + (
            f" Suggestion: {finding.suggestion}" if finding.suggestion else ""
        )
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": SARIF_LEVELS[finding.severity],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": _uri(finding.path),
                                "uriBaseId": "%SRCROOT%",
                            },
                            "region": {
                                "startLine": finding.line,
                                "startColumn": finding.column,
                                "endLine": finding.end_line,
                                "endColumn": finding.end_column,
                            },
                        }
                    }
                ],
                "properties": {"code": finding.code, "suggestion": finding.suggestion},
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "afterword",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/afterword/",
                        "rules": [_sarif_rule(rule) for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }
