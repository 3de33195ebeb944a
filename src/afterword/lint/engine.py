"""The lint engine: the rule base class, the registry, suppressions, and running rules.

A rule is a small class in ``lint/rules/<group>.py`` with a kebab-case ``name``, a
code (``AW101``), a ``group`` and a default ``severity``. Its docstring is the user's
documentation: what it finds, why it matters, an ``Anti-pattern:`` and a ``Better:``
example. ``afterword rules`` lists the rules and ``afterword explain NAME`` prints it.

Suppressions are HTML comments, invisible when the Markdown is rendered:
``<!-- afterword: disable=RULE[,RULE] -->`` for the next block and
``<!-- afterword: disable-file=RULE -->`` for the file. A suppression that suppresses
nothing is reported by ``unused-suppression``, so stale ones do not pile up.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from afterword.lint.document import Finding, LintDocument
from afterword.lint.settings import SEVERITIES, LintSettings


class Rule:
    """Base of every lint rule. Subclasses are registered by being defined."""

    name: ClassVar[str]
    code: ClassVar[str]
    group: ClassVar[str]
    severity: ClassVar[str] = "warning"
    registry: ClassVar[dict[str, type[Rule]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            Rule.registry[cls.name] = cls

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        """The findings of this rule in one document."""
        raise NotImplementedError

    @classmethod
    def warm_up(cls) -> None:
        """Load the data the rule reads (phrase lists), ahead of the first document."""

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().split("\n", 1)[0]

    # helpers for subclasses -------------------------------------------------------------

    def at_span(
        self, doc: LintDocument, start: int, end: int, message: str, suggestion: str | None = None
    ) -> Finding:
        """A finding over character offsets of the file."""
        return self._located(doc, *doc.position(start), *doc.position(end), message, suggestion)

    def at_line(
        self, doc: LintDocument, line: int | None, message: str, suggestion: str | None = None
    ) -> Finding:
        """A finding over the text of a whole line (the title line when None)."""
        number, column, end_column = doc.line_span(line or doc.body_line)
        return self._located(doc, number, column, number, end_column, message, suggestion)

    def _located(
        self,
        doc: LintDocument,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        message: str,
        suggestion: str | None,
    ) -> Finding:
        return Finding(
            doc.path,
            line,
            column,
            end_line,
            end_column,
            self.name,
            self.code,
            self.severity,
            message,
            suggestion,
        )


def all_rules() -> list[type[Rule]]:
    """Every registered rule, by code."""
    import afterword.lint.rules  # noqa: F401  (registers the rules)

    return sorted(Rule.registry.values(), key=lambda rule: rule.code)


def find_rule(name: str) -> type[Rule] | None:
    """A rule by name or code."""
    for rule in all_rules():
        if name in (rule.name, rule.code) or name.upper() == rule.code:
            return rule
    return None


def _selected(rule: type[Rule], patterns: tuple[str, ...]) -> bool:
    return any(
        pattern in (rule.name, rule.code) or rule.code.startswith(pattern.upper())
        for pattern in patterns
    )


def unknown_names(names: Iterable[str]) -> list[str]:
    """Names in --select/--ignore/settings that match no rule."""
    rules = all_rules()
    return [name for name in names if not any(_selected(rule, (name,)) for rule in rules)]


def active_rules(settings: LintSettings) -> list[type[Rule]]:
    """The rules the settings turn on."""
    rules = [
        rule for rule in all_rules() if not settings.select or _selected(rule, settings.select)
    ]
    return [rule for rule in rules if not _selected(rule, settings.ignore)]


_SUPPRESSION = re.compile(r"<!--\s*afterword:\s*(disable|disable-file)\s*=\s*([\w,\s-]+?)\s*-->")


@dataclass
class Suppression:
    rules: tuple[str, ...]
    first_line: int  # 0 for the whole file
    last_line: int
    start: int
    end: int
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        named = finding.rule in self.rules or finding.code in self.rules
        whole = self.first_line == 0
        return named and (whole or self.first_line <= finding.line <= self.last_line)


def suppressions(doc: LintDocument) -> list[Suppression]:
    """The suppression comments of a document and the lines each covers."""
    found = []
    for match in _SUPPRESSION.finditer(doc.text):
        names = tuple(part.strip() for part in match.group(2).split(",") if part.strip())
        if match.group(1) == "disable-file":
            found.append(Suppression(names, 0, 0, match.start(), match.end()))
            continue
        line, _ = doc.position(match.end())
        target = next(
            (b for b in doc.blocks if b.line > line and not _SUPPRESSION.search(b.text)), None
        )
        first, last = (target.line, target.end_line) if target else (line + 1, line + 1)
        found.append(Suppression(names, first, last, match.start(), match.end()))
    return found


class UnusedSuppression(Rule):
    """A suppression comment that suppresses nothing.

    ``<!-- afterword: disable=RULE -->`` silences RULE for the next block. Once the text it
    excused is rewritten the comment is stale, and a stale suppression would silently hide
    the next real finding in that place. Remove it.

    Anti-pattern:
        <!-- afterword: disable=blame-language -->
        The deploy script did not run the migration step.

    Better:
        The deploy script did not run the migration step.
    """

    name = "unused-suppression"
    code = "AW001"
    group = "meta"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        return ()


def check_document(doc: LintDocument, rules: list[type[Rule]]) -> list[Finding]:
    """Run the rules on one document: suppressions and severities applied, sorted."""
    settings = doc.settings
    findings: list[Finding] = []
    for rule in rules:
        for finding in rule().check(doc):
            finding.severity = settings.severity.get(
                rule.name, settings.severity.get(rule.code, finding.severity)
            )
            findings.append(finding)
    kept = list(_unsuppressed(doc, findings, UnusedSuppression in rules))
    return sorted(kept, key=lambda f: (f.line, f.column, f.code))


def _unsuppressed(doc: LintDocument, findings: list[Finding], report: bool) -> Iterator[Finding]:
    marks = suppressions(doc)
    for finding in findings:
        covering = [mark for mark in marks if mark.covers(finding)]
        for mark in covering:
            mark.used = True
        if not covering:
            yield finding
    if not report:
        return
    rule = UnusedSuppression()
    for mark in marks:
        if not mark.used:
            names = ", ".join(mark.rules)
            yield rule.at_span(
                doc, mark.start, mark.end, f"this suppression of {names} matched nothing; remove it"
            )


def exceeds(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding is at or above the failing severity."""
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(finding.severity) >= threshold for finding in findings)
