"""The postmortem linter: checks a postmortem the way a seasoned facilitator would.

One engine (:mod:`afterword.lint.engine`) runs small rules (:mod:`afterword.lint.rules`)
over a :class:`~afterword.lint.document.LintDocument`; :mod:`afterword.lint.output`
writes the findings as text, JSON, SARIF or GitHub annotations.
"""

from afterword.lint.document import Finding, LintDocument
from afterword.lint.engine import Rule, all_rules, find_rule
from afterword.lint.runner import LintReport, collect, lint_files, lint_text
from afterword.lint.settings import LintSettings, lint_settings

__all__ = [
    "Finding",
    "LintDocument",
    "LintReport",
    "LintSettings",
    "Rule",
    "all_rules",
    "collect",
    "find_rule",
    "lint_files",
    "lint_settings",
    "lint_text",
]
