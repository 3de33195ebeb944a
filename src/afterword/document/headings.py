"""Which part of a postmortem a heading names, across the words teams use for it.

The table is data: each section key with the heading phrases that mean it. A heading
matches a key when, lowercased and stripped of numbering, emoji and trailing
parentheticals, it equals one of the phrases or starts with one followed by a
separator ("Timeline (all times UTC)", "Action items - Q4").
"""

from __future__ import annotations

import re

SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "incident summary",
        "executive summary",
        "overview",
        "tl;dr",
        "tldr",
        "what happened",
        "description",
        "incident description",
        "background",
    ),
    "problem_statement": ("problem statement", "problem"),
    "impact": (
        "impact",
        "customer impact",
        "user impact",
        "incident impact",
        "business impact",
        "scope",
        "impact and scope",
    ),
    "timeline": (
        "timeline",
        "incident timeline",
        "timeline summary",
        "sequence of events",
        "chronology",
        "timeline of events",
        "detailed timeline",
        "how did it happen",
    ),
    "root_causes": (
        "root cause",
        "root causes",
        "root cause analysis",
        "root causes and trigger",
        "root cause and trigger",
        "causes",
        "cause",
        "identified cause",
        "why did it happen",
        "root causes identified",
        "rca",
        "technical root cause",
    ),
    "contributing_factors": ("contributing factors", "contributing factor", "contributors"),
    "trigger": ("trigger",),
    "five_whys": ("5 whys", "five whys", "5 whys analysis", "five whys analysis", "analysis"),
    "improvements": ("systemic improvements", "improvements", "systemic fixes"),
    "detection": ("detection",),
    "response": (
        "response and recovery",
        "response",
        "recovery",
        "resolution",
        "mitigation",
        "resolution and recovery",
        "escalation",
    ),
    "fix": ("fix", "fixes", "the fix"),
    "action_items": (
        "action items",
        "action item",
        "actions",
        "corrective actions",
        "corrective action",
        "remediation",
        "remediations",
        "follow-ups",
        "follow ups",
        "followups",
        "follow-up actions",
        "next steps",
        "action plan",
        "preventive actions",
        "preventative actions",
        "prevention",
        "how are we preventing it from happening again",
        "what we are doing about it",
        "moving forward",
        "immediate actions",
        "short-term improvements",
        "long-term improvements",
        "planned actions",
        "medium-term improvements",
        "tasks",
    ),
    "went_well": ("what went well", "went well", "things that went well", "what worked"),
    "went_wrong": (
        "what went wrong",
        "what went poorly",
        "what didn't go well",
        "what did not go well",
        "what could have gone better",
        "what could be improved",
        "went wrong",
        "things that went wrong",
        "what didn't work",
    ),
    "lucky": ("where we got lucky", "where we were lucky", "lucky"),
    "lessons": (
        "lessons learned",
        "lessons learnt",
        "lessons",
        "key takeaways",
        "takeaways",
        "learnings",
        "what we learned",
        "insights",
    ),
    "supporting": (
        "supporting information",
        "supporting information and graphs",
        "graphs",
        "appendix",
        "references",
        "supporting material",
        "evidence",
        "links",
    ),
    "attendees": ("attendees", "participants", "people involved", "responders"),
    "stats": ("stats", "statistics", "metrics", "incident metrics", "key metrics"),
    "meeting": ("meeting notes", "review meeting", "postmortem meeting"),
}

_LOOKUP = {phrase: key for key, phrases in SECTION_SYNONYMS.items() for phrase in phrases}
_NOISE = re.compile(
    r"^[^\w#]*(?:\d+(?:\.\d+)*[.)]\s*|step\s+\d+\W*)?|\s*\([^)]*\)\s*$|[?!.:]+$", re.UNICODE
)
_SEPARATOR = re.compile(r"\s*(?:[-–—:(|/]|\band\b)\s*")


def normalise_heading(heading: str) -> str:
    """A heading as it is looked up: lowercase, no numbering, emoji or closing parenthetical."""
    text = heading.lower().replace("’", "'").strip()
    previous = None
    while previous != text:
        previous = text
        text = _NOISE.sub("", text).strip()
    return " ".join(text.split())


def section_key(heading: str) -> str | None:
    """The section key a heading names, or None for a heading Afterword does not know."""
    text = normalise_heading(heading)
    if text in _LOOKUP:
        return _LOOKUP[text]
    parts = _SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0] in _LOOKUP:
        return _LOOKUP[parts[0]]
    return None
