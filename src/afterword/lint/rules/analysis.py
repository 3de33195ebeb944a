"""Shallow analysis: stopping at the first why, at a person, or without evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable

from afterword.lint.document import Finding, LintDocument
from afterword.lint.engine import Rule

_PERSON_CAUSE = re.compile(
    r"^\W*(?:(?:a|an|the)\s+)?(?:human|operator|user|engineer|developer|personnel|manual)?\s*"
    r"(?:error|mistake|oversight|negligence|carelessness|slip)s?\W*$"
    r"|\b(?:human|operator|user|engineer)[- ](?:error|mistake)s?\b"
    r"|\b(?:someone|somebody|an engineer|a developer|the engineer|the developer)\s+"
    r"(?:made|forgot|missed)\b",
    re.IGNORECASE,
)


def answered(doc: LintDocument) -> int:
    """How many whys of the document have an answer."""
    return sum(1 for why in doc.pm.whys if why.answer)


class ShallowAnalysis(Rule):
    """Analysis that stops before it reaches the system.

    "Shallow analysis doesn't prevent recurrence: ask why 5 times." The rule reports a 5
    Whys analysis with fewer answered levels than ``lint.min_whys`` (5), a root cause that
    is a person ("human error", "a mistake": the analysis stopped at someone instead of
    asking what allowed it), and root causes that no systemic improvement or action item
    answers.

    Anti-pattern:
        ## 5 Whys
        **Why #1:** Why did checkout fail? **Answer:** The engineer deployed a bad config.
        ## Root causes
        - Human error

    Better:
        Five answered whys that end at a missing safeguard: "the config is not validated
        before deploy, and nothing checks it in CI".
    """

    name = "shallow-analysis"
    code = "AW201"
    group = "shallow analysis"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        pm = doc.pm
        section = pm.section("five_whys")
        levels = answered(doc)
        minimum = doc.settings.min_whys
        if section is not None and pm.whys and levels < minimum:
            yield self.at_line(
                doc,
                section.line,
                f"the 5 Whys stops at {levels} answered level{'s' if levels != 1 else ''} "
                f"(at least {minimum}); keep asking why until you reach a condition of the system",
            )
        for cause in pm.root_causes:
            if _PERSON_CAUSE.search(cause.text):
                yield self.at_line(
                    doc,
                    cause.line,
                    "this root cause stops at a person; ask what conditions allowed the action",
                    "Replace it with the condition that made the action possible or likely, "
                    "e.g. 'the deploy script does not validate the config'",
                )
        if pm.root_causes and not pm.improvements and not pm.action_items:
            yield self.at_line(
                doc,
                pm.root_causes[0].line,
                "root causes with no systemic improvement or action item: nothing will prevent "
                "a recurrence",
            )


class MissingEvidence(Rule):
    """A why or a root cause without evidence.

    The seed's 5 Whys gives each answer its evidence: metrics, a diff, a PR, review
    comments. An answer without evidence is a guess, and a guess is where blame and
    folklore creep in. The rule reports each answered why with no ``Evidence:`` and, in
    documents written from Afterword's templates, each ranked root cause with no evidence
    line under it.

    Anti-pattern:
        **Why #2:** Why were connections exhausted?
        **Answer:** Requests bypassed the pool.

    Better:
        **Why #2:** Why were connections exhausted?
        **Answer:** Requests bypassed the pool.
        **Evidence:** The diff in PR #1234 replaces the pooled DataSource with
        DriverManager.getConnection().
    """

    name = "missing-evidence"
    code = "AW202"
    group = "shallow analysis"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        for number, why in enumerate(doc.pm.whys, start=1):
            if why.answer and not why.evidence:
                yield self.at_line(
                    doc,
                    why.line,
                    f"why #{number} has an answer but no evidence",
                    "Add 'Evidence:' with the metric, log, diff or PR that shows it",
                )
        if doc.pm.template is None:
            return
        for cause in doc.pm.root_causes:
            if cause.rank is not None and not cause.evidence:
                yield self.at_line(
                    doc,
                    cause.line,
                    "this root cause has no evidence",
                    "Add a nested '- Evidence: ...' line under it",
                )
