"""No action items, unrealistic actions, no follow-up: the action-item anti-patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from afterword.lint.document import Finding, LintDocument
from afterword.lint.engine import Rule
from afterword.model import OPEN_STATUSES, ActionItem, Status

#: Action items that cannot be verified as done, whatever follows them.
VAGUE_ACTIONS = (
    "be more careful",
    "be careful",
    "pay more attention",
    "pay attention",
    "communicate better",
    "better communication",
    "improve communication",
    "investigate further",
    "look into it",
    "look into this",
    "keep an eye on",
    "monitor closely",
    "monitor the situation",
    "double check",
    "double-check",
    "try harder",
    "be vigilant",
    "stay alert",
    "remember to",
    "make sure to",
    "avoid this in the future",
    "prevent this from happening again",
    "don't do this again",
    "do better",
    "raise awareness",
    "be aware",
    "learn from this",
    "improve monitoring",
    "improve alerting",
    "improve testing",
    "improve documentation",
    "more testing",
    "more monitoring",
    "better monitoring",
    "better testing",
    "add more tests",
)
#: Verbs that start an action item without saying what will be different when it is done.
VAGUE_VERBS = (
    "improve",
    "investigate",
    "review",
    "consider",
    "look into",
    "explore",
    "think about",
    "discuss",
    "monitor",
    "ensure",
    "enhance",
    "optimize",
    "optimise",
    "revisit",
    "evaluate",
    "check",
    "clean up",
    "try",
    "fix",
    "address",
    "better",
    "increase",
    "reduce",
    "update",
    "refine",
    "work on",
    "research",
    "analyze",
    "analyse",
    "assess",
)
_MEASURE = re.compile(
    r"\d|%|\b(?:alert|dashboard|test|runbook|check in|ci|when|so that|until|"
    r"before|each|every|all|per)\b",
    re.IGNORECASE,
)
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b|https?://|#\d+")


def open_items(doc: LintDocument) -> Iterator[ActionItem]:
    """Action items still to do (not done, not dropped)."""
    return (item for item in doc.pm.action_items if item.status in OPEN_STATUSES)


def _section_line(doc: LintDocument) -> int | None:
    section = doc.pm.section("action_items") or doc.pm.section("fix")
    return section.line if section else None


class NoActionItems(Rule):
    """A postmortem with no action items.

    "No action items: waste of time. Always have concrete next steps." A postmortem that
    ends without a change to the system has documented the incident, not learned from it.
    The rule reports a postmortem with no action item in any table or list under an
    Action items, Remediation, Follow-ups or Fix section.

    Anti-pattern:
        ## Action items

        None: this was a one-off.

    Better:
        ## Action items

        | Action item | Owner | Due | Ticket |
        | --- | --- | --- | --- |
        | Alert on certificate expiry 14 days ahead | Ana | 2024-02-01 | OPS-88 |
    """

    name = "no-action-items"
    code = "AW301"
    group = "no action items"
    severity = "error"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        if not doc.pm.action_items:
            yield self.at_line(
                doc,
                _section_line(doc),
                "no action items: always have concrete next steps",
                "Add an Action items table with owner, due date and ticket",
            )


class OrphanActionItem(Rule):
    """An open action item without an owner.

    "Assign owners: no orphan action items." An item nobody owns is an item nobody does.
    Done and dropped items are not reported.

    Anti-pattern:
        - Add an alert on replication lag

    Better:
        - Add an alert on replication lag above 30 s (owner: @mei, due: 2024-03-01, DB-17)
    """

    name = "orphan-action-item"
    code = "AW302"
    group = "no follow-up"
    severity = "error"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        for item in open_items(doc):
            if not item.owner:
                yield self.at_line(
                    doc,
                    item.line,
                    f"action item has no owner: {item.title}",
                    "Name one owner (a person, not a team)",
                )


class ActionItemNoDueDate(Rule):
    """An open action item without a due date.

    The seed's timeline puts action items at "week 2+" and checks them every quarter; an
    item with no due date cannot be late, so it is never chased.

    Anti-pattern:
        | Add canary stage | Ana | | DEP-4 |

    Better:
        | Add canary stage | Ana | 2024-06-01 | DEP-4 |
    """

    name = "action-item-no-due-date"
    code = "AW303"
    group = "no follow-up"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        for item in open_items(doc):
            if item.due is None:
                yield self.at_line(
                    doc,
                    item.line,
                    f"action item has no due date: {item.title}",
                    "Add a due date (YYYY-MM-DD)",
                )


class UntrackedActionItem(Rule):
    """An open action item with no ticket once the postmortem is final.

    "No follow-up: actions forgotten. Track in ticketing system." By the time the document
    is final (seed: day 5-7, "finalize document, create tickets") every open item should
    point at a ticket: a URL or a key such as ENG-999.

    Anti-pattern:
        status: final
        | Add canary stage | Ana | 2024-06-01 | |

    Better:
        status: final
        | Add canary stage | Ana | 2024-06-01 | DEP-4 |
    """

    name = "untracked-action-item"
    code = "AW304"
    group = "no follow-up"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        if doc.pm.status is not Status.FINAL:
            return
        for item in open_items(doc):
            if not item.ticket or not _TICKET.search(item.ticket):
                yield self.at_line(
                    doc,
                    item.line,
                    f"action item has no ticket: {item.title}",
                    "Create a ticket and write its key or URL in the Ticket column",
                )


class VagueActionItem(Rule):
    """An action item that is not actionable or has no verifiable outcome.

    "Unrealistic actions: never completed. Scope to achievable tasks." and "Don't create
    busywork: actions should be meaningful". "Be more careful", "improve monitoring",
    "investigate further" and "communicate better" cannot be done or verified. The rule
    reports items made of a phrase like those (and the team's ``lint.vague_actions``), and
    short items that start with a vague verb (improve, investigate, review, monitor...)
    with nothing measurable in them.

    Anti-pattern:
        - Improve monitoring

    Better:
        - Alert when p99 checkout latency exceeds 2 s for 5 minutes, paging the payments
          on-call
    """

    name = "vague-action-item"
    code = "AW305"
    group = "unrealistic actions"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        vague = _vague_pattern(doc.settings.vague_actions)
        for item in doc.pm.action_items:
            title = " ".join(re.sub(r"[*_`\[\]]", "", item.title).split()).lower().rstrip(".")
            if vague.search(title):
                yield self._finding(doc, item, "is not actionable")
            elif _starts_vague(title) and len(title.split()) <= 4 and not _MEASURE.search(title):
                yield self._finding(doc, item, "has no verifiable outcome")

    def _finding(self, doc: LintDocument, item: ActionItem, why: str) -> Finding:
        return self.at_line(
            doc,
            item.line,
            f"action item {why}: {item.title}",
            "Say what will be different and how you will know it is done, e.g. 'Alert when X "
            "exceeds Y for 5 minutes' or 'Add a CI check that fails when Z'",
        )


@lru_cache(maxsize=8)
def _vague_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    phrases = sorted({*VAGUE_ACTIONS, *(phrase.lower() for phrase in extra)}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in phrases)})(?!\w)")


def _starts_vague(title: str) -> bool:
    return any(title == verb or title.startswith(verb + " ") for verb in VAGUE_VERBS)


class TooManyActionItems(Rule):
    """More open action items than a team can achieve.

    "Unrealistic actions: never completed. Scope to achievable tasks." A long list is a
    sign that nothing was prioritised, and most of it will never be done. The limit is
    ``lint.max_action_items`` (10); done items do not count.

    Anti-pattern:
        Twenty-three action items, from "rewrite the scheduler" to "add a log line".

    Better:
        Four prioritised items that address the root causes; the rest in the backlog.
    """

    name = "too-many-action-items"
    code = "AW306"
    group = "unrealistic actions"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        count = sum(1 for _ in open_items(doc))
        limit = doc.settings.max_action_items
        if count > limit:
            yield self.at_line(
                doc,
                _section_line(doc),
                f"{count} open action items (more than {limit}): "
                "prioritise by impact and effort, and keep the achievable ones",
            )
