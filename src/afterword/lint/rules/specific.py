"""Be specific: exact times, a time zone, events in order, exact errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import pairwise

from afterword.lint.document import Finding, LintDocument, word_matches
from afterword.lint.engine import Rule
from afterword.model import EventKind, TimelineEvent
from afterword.timeutil import instant

_ZONE_WRITTEN = re.compile(
    r"\b(?:UTC|GMT|Z|[A-Z]{2,4}T|[A-Z][a-z]+/[A-Za-z_]+)\b|[+-]\d{2}:?\d{2}\b"
)

#: Each pair: a kind that must not come before the other kind.
KIND_ORDER = (
    (EventKind.DETECTED, EventKind.STARTED),
    (EventKind.ACKNOWLEDGED, EventKind.DETECTED),
    (EventKind.MITIGATED, EventKind.STARTED),
    (EventKind.RESOLVED, EventKind.MITIGATED),
    (EventKind.RESOLVED, EventKind.DETECTED),
    (EventKind.RESOLVED, EventKind.STARTED),
)


class VagueTimestamp(Rule):
    """Timeline entries without an exact time, or a timeline with no time zone.

    "Be specific: exact times, exact errors." A timeline entry at "morning", "later" or
    "shortly after" cannot be ordered or measured, and times without a zone are read
    differently by every reader in another office. The rule reports entries whose time is
    missing or vague (including placeholders such as ``HH:mm``) and a timeline whose times
    carry no zone when the document declares none (``timezone:`` in front matter, "All
    times in UTC", a ``Time (UTC)`` header).

    Anti-pattern:
        - Morning: alerts start firing
        - Shortly after: rollback

    Better:
        All times in UTC.

        - 09:12 - PaymentsErrorRate alert fires at 38%
        - 09:31 - Release 2024.01.15-2 rolled back
    """

    name = "vague-timestamp"
    code = "AW401"
    group = "be specific"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        pm = doc.pm
        for event in pm.timeline:
            if event.at is None:
                written = event.written or "no time"
                yield self.at_line(
                    doc,
                    event.line,
                    f"timeline entry without an exact time ({written}): {event.text}",
                    "Write the date and time (YYYY-MM-DD HH:MM) from logs or chat",
                )
        stamped = [event for event in pm.timeline if event.at is not None]
        if (
            stamped
            and pm.timezone is None
            and not any(_ZONE_WRITTEN.search(event.written or "") for event in stamped)
        ):
            section = pm.section("timeline")
            yield self.at_line(
                doc,
                section.line if section else stamped[0].line,
                "the timeline has no time zone",
                "Add 'All times in UTC.' under the heading, or 'timezone:' in the front matter",
            )


def _when(event: TimelineEvent) -> datetime:
    assert event.at is not None
    return instant(event.at)


class TimelineOutOfOrder(Rule):
    """Timeline entries out of time order, or key moments in an impossible order.

    A timeline is read top to bottom; an entry earlier than the one above it is either
    misplaced or mistyped, and detection before the start or resolution before mitigation
    means a time is wrong. Time-ordered, the timeline is evidence; out of order, it is a
    puzzle.

    Anti-pattern:
        - 10:12 - Latency normalized
        - 10:08 - Enabled cache warming

    Better:
        - 10:08 - Enabled cache warming
        - 10:12 - Latency normalized
    """

    name = "timeline-out-of-order"
    code = "AW402"
    group = "be specific"
    severity = "error"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        stamped = [event for event in doc.pm.timeline if event.at is not None]
        for before, event in pairwise(stamped):
            if _when(event) < _when(before):
                yield self.at_line(
                    doc,
                    event.line,
                    f"this entry ({event.written}) is earlier than the one above "
                    f"it ({before.written})",
                    "Move it to its place in time, or correct the time",
                )
        # A document may cover several incidents, so a key moment is impossible only when
        # even its latest occurrence comes before the earliest moment it must follow.
        moments: dict[EventKind, list[TimelineEvent]] = {}
        for event in stamped:
            if event.kind is not None:
                moments.setdefault(event.kind, []).append(event)
        for later, earlier in KIND_ORDER:
            if later in moments and earlier in moments:
                late = max(moments[later], key=_when)
                early = min(moments[earlier], key=_when)
                if _when(late) < _when(early):
                    yield self.at_line(
                        doc,
                        late.line,
                        f"{later.value} before {earlier.value}: one of the two times is wrong",
                    )


#: Vague error phrases as (head, the words that may stand right before it). The head is
#: searched in the lowercased prose, then the word before it is checked: anchoring on the
#: rarer word lets the regex engine skip ahead instead of trying every position.
_VAGUE_ERRORS = (
    (
        re.compile(r"(?:errors?|issues?|problems?|failures?|glitch(?:es)?|hiccups?|weirdness)\b"),
        re.compile(
            r"(?:^|\W)(?P<lead>an?|some|various|had|having|experienced|saw|seeing|caused)"
            r"\s+$"
        ),
        ("error", "issue", "problem", "failure", "glitch", "hiccup", "weirdness"),
    ),
    (
        re.compile(r"(?:broke|went wrong|were broken|failed)\b"),
        re.compile(r"(?:^|\W)(?P<lead>things|stuff)\s+$"),
        ("things ", "stuff "),
    ),
    (
        re.compile(r"(?:broke|went wrong|failed|was wrong)\b"),
        re.compile(r"(?:^|\W)(?P<lead>something)\s+$"),
        ("something ",),
    ),
    (
        re.compile(r"(?:occurred|happened|appeared|were seen)\b"),
        re.compile(r"(?:^|\W)(?P<lead>errors?)\s+$"),
        ("error ", "errors "),
    ),
    (
        re.compile(r"(?:broke|stopped working|went down)\b"),
        re.compile(r"(?:^|\W)(?P<lead>it)\s+$"),
        ("it broke", "it stopped", "it went down"),
    ),
)
_PLURAL_ONLY = frozenset({"had", "having", "experienced", "saw", "seeing", "caused"})
_SPECIFIC = re.compile(
    r"\d|`|\"|“|\b[A-Z][a-zA-Z]+(?:Error|Exception)\b|\b(?:HTTP|status|code|"
    r"timeout|OOM|exit)\b",
    re.IGNORECASE,
)


class VagueError(Rule):
    """ "An error" or "some issues" where the exact error belongs.

    "Be specific: exact times, exact errors." "Users saw some errors" cannot be searched
    for, alerted on or compared with the next incident; "HTTP 503 from the payments API on
    78% of requests" can. The rule reports vague error phrases in sentences that give no
    error text, code, number or quoted message.

    Anti-pattern:
        Users experienced some issues and things broke for a while.

    Better:
        78% of flag evaluation requests failed with HTTP 504 between 16:58 and 18:46 UTC.
    """

    name = "vague-error"
    code = "AW403"
    group = "be specific"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        for start, end in sorted(_vague_errors(doc.lowered)):
            first, last = doc.sentence_around(start, end)
            if not _SPECIFIC.search(doc.text[first:last]):
                yield self.at_span(
                    doc,
                    start,
                    end,
                    f'"{doc.prose[start:end]}" where the exact error belongs',
                    "Quote the error message, status code or metric, with numbers",
                )


def _vague_errors(lowered: str) -> Iterator[tuple[int, int]]:
    for head, lead, needs in _VAGUE_ERRORS:
        if not any(word in lowered for word in needs):
            continue
        for match in word_matches(head, lowered):
            before = lead.search(lowered, max(0, match.start() - 16), match.start())
            if before is None:
                continue
            word = before.group("lead")
            if word in _PLURAL_ONLY and not match.group(0).endswith(("s", "es")):
                continue
            yield before.start("lead"), match.end()
