"""Linting files: finding them, spreading them over the machine's cores, collecting results."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afterword.document.parser import read_text
from afterword.errors import InputError, UsageError
from afterword.lint.document import Finding, LintDocument
from afterword.lint.engine import Rule, active_rules, all_rules, check_document
from afterword.lint.settings import LintSettings

STDIN = "-"
#: Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 24


@dataclass
class LintReport:
    """What a lint run found: the findings, how many files, and the files it could not read."""

    files: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def collect(paths: Iterable[str]) -> list[str]:
    """The files to lint: files as given, every ``*.md`` below a folder, ``-`` for stdin."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if raw == STDIN:
            found.append(STDIN)
        elif path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*.md")) if p.is_file())
        elif path.exists():
            found.append(raw)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    return list(dict.fromkeys(found))


def warm_up() -> None:
    """Load and compile everything the rules need, so forked workers start ready."""
    for rule in all_rules():
        rule.warm_up()


def lint_text(text: str, path: str, settings: LintSettings) -> list[Finding]:
    """The findings in one document's text."""
    settings = settings.for_path(path)
    doc = LintDocument.from_text(text, path, settings)
    return check_document(doc, _rules(settings))


_RULES: dict[tuple[tuple[str, ...], tuple[str, ...]], list[type[Rule]]] = {}


def _rules(settings: LintSettings) -> list[type[Rule]]:
    key = (settings.select, settings.ignore)
    if key not in _RULES:
        _RULES[key] = active_rules(settings)
    return _RULES[key]


Result = tuple[list[Finding], str | None]
Packed = tuple[list[tuple[Any, ...]], str | None]


def _lint_one(path: str, settings: LintSettings) -> Result:
    try:
        return lint_text(read_text(path), path, settings), None
    except InputError as error:
        return [], error.one_line()


def _lint_chunk(paths: Sequence[str], settings: LintSettings) -> list[Result]:
    return [_lint_one(path, settings) for path in paths]


def _lint_chunk_packed(paths: Sequence[str], settings: LintSettings) -> list[Packed]:
    """A chunk linted in a worker, its findings as tuples: much cheaper to send back."""
    return [([f.as_tuple() for f in found], error) for found, error in _lint_chunk(paths, settings)]


def lint_files(
    files: Sequence[str],
    settings: LintSettings,
    *,
    stdin: str | None = None,
    jobs: int | None = None,
) -> LintReport:
    """Lint files (and standard input for ``-``), in parallel when there are many."""
    report = LintReport(files=len(files))
    on_disk = [path for path in files if path != STDIN]
    if STDIN in files:
        try:
            report.findings.extend(lint_text(stdin or "", "<stdin>", settings))
        except InputError as error:
            report.errors.append(error.one_line())
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(on_disk) >= PARALLEL_FROM:
        warm_up()  # compile the rules' data once, before the workers are forked
        size = max(1, len(on_disk) // (workers * 4))
        chunks = [on_disk[i : i + size] for i in range(0, len(on_disk), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            packed = pool.map(_lint_chunk_packed, chunks, [settings] * len(chunks))
            results = [
                ([Finding(*values) for values in found], error)
                for chunk in packed
                for found, error in chunk
            ]
    else:
        results = _lint_chunk(on_disk, settings)
    for findings, failure in results:
        report.findings.extend(findings)
        if failure:
            report.errors.append(failure)
    return report
