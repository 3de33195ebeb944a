"""Structure: the sections a postmortem needs, filled in, with impact and graphs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from afterword.lint.document import Finding, LintDocument, word_matches
from afterword.lint.engine import Rule
from afterword.model import Postmortem, Section, Severity

#: Sections each template requires, as alternatives: any key of a tuple will do.
REQUIRED_SECTIONS: dict[str | None, tuple[tuple[str, ...], ...]] = {
    "standard": (
        ("summary",),
        ("impact",),
        ("timeline",),
        ("root_causes", "contributing_factors"),
        ("action_items",),
        ("lessons",),
    ),
    "five-whys": (
        ("problem_statement", "summary"),
        ("five_whys",),
        ("root_causes",),
        ("improvements", "action_items"),
    ),
    "quick": (("summary",), ("timeline",), ("root_causes",), ("fix", "action_items"), ("lessons",)),
    None: (
        ("summary", "problem_statement"),
        ("timeline",),
        ("root_causes", "contributing_factors", "five_whys"),
        ("action_items", "fix"),
    ),
}
SECTION_NAMES = {
    "summary": "Summary",
    "problem_statement": "Problem statement",
    "impact": "Impact",
    "timeline": "Timeline",
    "root_causes": "Root causes",
    "contributing_factors": "Contributing factors",
    "five_whys": "5 Whys",
    "improvements": "Systemic improvements",
    "action_items": "Action items",
    "fix": "Fix",
    "lessons": "Lessons learned",
}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_EMPTY_BODY = re.compile(r"^[\s\-*|:#]*$|^\s*(?:n/?a|none|tbd|todo|-)\s*\.?\s*$", re.IGNORECASE)


def is_empty(section: Section, pm: Postmortem) -> bool:
    """A section with nothing but comments, empty bullets or an empty table."""
    body = _COMMENT.sub("", section.body)
    body = re.sub(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*$", "", body, flags=re.MULTILINE)
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) == 1 and lines[0].lstrip().startswith("|"):
        return True  # a table with a header and no rows
    if section.key == "five_whys":
        return not any(why.answer for why in pm.whys)
    return bool(_EMPTY_BODY.match(body)) or all(
        re.fullmatch(r"\s*(?:[-*]|\d+\.)\s*(?:\*\*[^*]*\*\*)?\s*(?:\w[\w -]*:)?\s*", line)
        for line in lines
    )


def _template(pm: Postmortem) -> str | None:
    return pm.template if pm.template in REQUIRED_SECTIONS else None


class MissingSection(Rule):
    """A section the postmortem's template requires is absent or empty.

    A postmortem without a timeline, root causes or action items has skipped the part that
    makes the next incident less likely. Required sections come from the document's
    ``template:`` (standard, five-whys, quick); for a document that names none: a summary,
    a timeline, root causes (or contributing factors or 5 whys) and action items. A
    section with only template comments, empty bullets or an empty table is empty.

    Anti-pattern:
        ## Action items

        <!-- fill in after the meeting -->

    Better:
        ## Action items

        | Action item | Owner | Due | Ticket |
        | --- | --- | --- | --- |
        | Alert on certificate expiry | Ana | 2024-02-01 | OPS-88 |
    """

    name = "missing-section"
    code = "AW501"
    group = "structure"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        pm = doc.pm
        for alternatives in REQUIRED_SECTIONS[_template(pm)]:
            present = [s for s in pm.sections if s.key in alternatives and s.level <= 3]
            name = SECTION_NAMES[alternatives[0]]
            if not present:
                yield self.at_line(
                    doc, None, f"missing section: {name}", f"Add a '## {name}' section"
                )
            elif all(is_empty(section, pm) for section in present):
                yield self.at_line(doc, present[0].line, f"empty section: {present[0].heading}")


#: Placeholders, each a pattern of its own: an alternation at the top of one pattern would
#: make the regex engine try every position, these start with a letter it can skip to.
_PLACEHOLDERS = tuple(
    (re.compile(pattern), needs)
    for pattern, needs in (
        (
            r"(?:TBD|TBA|TODO|FIXME|XXX+|YYY+|ZZZ+)(?![\w-])",
            ("TBD", "TBA", "TODO", "FIXME", "XXX", "YYY", "ZZZ"),
        ),
        (r"[Ll]orem ipsum(?: dolor)?", ("orem ipsum",)),
        (
            r"\[(?:Incident|Brief Title|Title|Service|Date|Owner|Name|Team|Description|Link|"
            r"Insert[^\]]*|Your [^\]]*|Add [^\]]*|Placeholder|TBD|TODO)\](?!\()",
            ("[",),
        ),
        (r"<(?:insert|add|your|describe|fill)[^>]*>", ("<",)),
        (r"20[xX]{2}-MM-DD|YYYY-MM-DD|HH:[mM]{2}(?!\w)", ("MM-DD", "HH:")),
        (r"\?\?\?+", ("???",)),
    )
)


class PlaceholderText(Rule):
    """Template placeholders left unfilled: ``[Incident]``, ``TBD``, ``TODO``, ``lorem ipsum``.

    A placeholder in a shared postmortem tells readers the analysis was not finished, and
    an unfilled time (``HH:mm``) or date (``20xx-MM-DD``) breaks the timeline. The rule
    reports placeholders in the prose, the tables and the front matter's title.

    Anti-pattern:
        # 5 Whys Analysis: [Incident]
        | 2024-03-13 HH:mm | Short event description. |

    Better:
        # 5 Whys Analysis: Checkout outage from connection exhaustion
        | 2024-03-13 10:01 | Node entered NotReady state. |
    """

    name = "placeholder-text"
    code = "AW502"
    group = "structure"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        body_start = doc.line_starts[doc.body_line - 1] if doc.body_line > 1 else 0
        prose = doc.prose
        found = [
            match
            for pattern, needs in _PLACEHOLDERS
            if any(word in prose for word in needs)
            for match in word_matches(pattern, prose, body_start)
        ]
        for match in sorted(found, key=lambda m: m.start()):
            yield self.at_span(
                doc,
                match.start(),
                match.end(),
                f"placeholder left in the document: {match.group(0)}",
                "Replace it with the real value, or remove it",
            )


_VISUAL = re.compile(
    r"!\[[^\]]*\]\(|<img\b|\.(?:png|jpe?g|gif|svg|webp)\b|\b(?:grafana|datadog|kibana|"
    r"cloudwatch|newrelic|new relic|honeycomb|prometheus|signalfx|splunk|lightstep|chronosphere|"
    r"dashboards?|graphs?|charts?|screenshots?)\b[^\n]*\]\(|\]\([^)]*(?:grafana|datadoghq|kibana|"
    r"cloudwatch|newrelic|honeycomb|/d/|dashboard)[^)]*\)",
    re.IGNORECASE,
)


class NoVisualEvidence(Rule):
    """A SEV1 or SEV2 postmortem with no graph, image or dashboard link.

    "Include graphs: visual evidence." For a severe incident a graph of the error rate or
    the saturated resource is the fastest way for readers to see what happened and how
    long it lasted; ``afterword graph`` and ``afterword timeline chart`` make one.

    Anti-pattern:
        severity: SEV1, and the only evidence is "latency went up a lot".

    Better:
        ![p99 latency during the incident](graphs/latency.svg)
        [Database connections dashboard](https://grafana.example.com/d/db)
    """

    name = "no-visual-evidence"
    code = "AW503"
    group = "be specific"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        severe = doc.pm.severity in (Severity.SEV1, Severity.SEV2)
        if severe and not _VISUAL.search(doc.text):
            section = doc.pm.section("supporting")
            yield self.at_line(
                doc,
                section.line if section else None,
                f"a {doc.pm.severity} postmortem with no graph, image or dashboard link",
                "Add a graph of the key metric around the incident window",
            )


_IMPACT_CUE = re.compile(
    r"\d[\d,.]*\s*(?:%|percent|users?|customers?|requests?|orders?|accounts?|tenants?|sites?|"
    r"minutes?|mins?|hours?|hrs?|h\b|days?|seconds?|errors?|calls?|events?|transactions?|"
    r"tickets?|payments?|messages?|regions?|services?|teams?)"
    r"|\b(?:all|every|no|most) (?:users|customers|requests|regions|tenants)\b"
    r"|\bno (?:customer|user)[- ]facing impact\b|\bno impact\b",
    re.IGNORECASE,
)


class MissingImpact(Rule):
    """No customer impact stated: who was affected, how many, for how long.

    The impact is what makes a postmortem worth the time, and what the quarterly review
    compares across incidents. The rule looks for an Impact section; without one, for a
    statement of impact in the summary (numbers of users, requests or minutes). An Impact
    section without any number is reported too.

    Anti-pattern:
        ## Impact

        Some customers were affected.

    Better:
        ## Impact

        9,100 customers could not pay for 47 minutes (14:02-14:49 UTC); 18,400 checkout
        attempts failed.
    """

    name = "missing-impact"
    code = "AW504"
    group = "structure"
    severity = "warning"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        pm = doc.pm
        impact = [s for s in pm.sections if s.key == "impact"]
        if impact:
            text = "\n".join(_COMMENT.sub("", s.body) for s in impact)
            if not _IMPACT_CUE.search(text):
                yield self.at_line(
                    doc,
                    impact[0].line,
                    "the impact does not say who, how many or for how long",
                    "State the number of users or requests affected and the duration",
                )
            return
        summary = "\n".join(
            [
                pm.preamble,
                *(s.body for s in pm.sections if s.key in ("summary", "problem_statement")),
            ]
        )
        if not _IMPACT_CUE.search(_COMMENT.sub("", summary)):
            yield self.at_line(
                doc,
                None,
                "no customer impact stated (who, how many, how long)",
                "Add an '## Impact' section",
            )
