"""Blame game: the language of blame, and people named as the subject of a mistake."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from afterword.lint.document import Finding, LintDocument, word_matches
from afterword.lint.engine import Rule

#: Who a blaming verb can be about. A subject's class decides which verbs count.
SINGULAR = (
    "I",
    "he",
    "she",
    "you",
    "someone",
    "somebody",
    "anyone",
    "nobody",
    "no one",
    "one of us",
    "one of the engineers",
    "one engineer",
)
COLLECTIVE = (
    "we",
    "everyone",
    "everybody",
    "engineers",
    "developers",
    "operators",
    "people",
    "humans",
    "the team",
    "our team",
)
ROLES = (
    "engineer",
    "developer",
    "dev",
    "operator",
    "admin",
    "administrator",
    "sre",
    "reviewer",
    "author",
    "team member",
    "person",
    "employee",
    "staff member",
    "contractor",
    "intern",
    "responder",
    "dba",
    "manager",
    "lead",
    "on-call",
    "oncall",
    "on-caller",
    "commander",
    "ic",
    "human",
    "analyst",
    "tester",
    "team",
    "user",
    "hire",
    "new hire",
    "colleague",
    "teammate",
    "coworker",
    "co-worker",
    "junior",
    "senior",
    "newcomer",
    "consultant",
)
ADVERBS = (
    "had",
    "has",
    "have",
    "just",
    "simply",
    "also",
    "then",
    "again",
    "apparently",
    "probably",
    "likely",
    "completely",
    "clearly",
    "obviously",
    "unfortunately",
    "still",
    "both",
    "all",
    "initially",
    "originally",
    "somehow",
    "really",
    "totally",
    "must",
    "may",
    "might",
    "seemingly",
    "evidently",
    "actually",
    "had also",
    "previously",
)
PREPOSITIONS = frozenset(
    (
        "for",
        "to",
        "of",
        "by",
        "with",
        "from",
        "on",
        "at",
        "in",
        "about",
        "into",
        "onto",
        "than",
        "like",
        "via",
    )
)


@dataclass(frozen=True)
class Phrase:
    """A compiled phrase of the blame data, with its message and rewrite.

    A pattern that starts at a word boundary is compiled without the leading ``\\b`` and
    the boundary is checked on each match: Python's regex engine can then skip ahead to
    the pattern's first letters instead of trying every position, several times faster.
    """

    regex: re.Pattern[str]
    message: str
    rewrite: str
    needs: tuple[str, ...] = ()
    case: bool = False
    boundary: bool = False
    also: tuple[str, ...] = ()

    def may_match(self, lowered: str) -> bool:
        """False when the (lowercased) text lacks the words the pattern needs."""
        return all(
            not words or any(word in lowered for word in words) for words in (self.needs, self.also)
        )

    def finditer(self, prose: str, lowered: str) -> Iterator[re.Match[str]]:
        """Matches in the prose (in its lowercased copy unless the pattern needs case)."""
        text = prose if self.case else lowered
        if self.boundary:
            yield from word_matches(self.regex, text)
        else:
            yield from self.regex.finditer(text)


def _phrase(entry: dict[str, Any]) -> Phrase:
    pattern = entry["pattern"] if "pattern" in entry else rf"\b(?:{entry['verb']})\b"
    boundary = pattern.startswith("\\b")
    return Phrase(
        re.compile(pattern[2:] if boundary else pattern),
        entry["message"],
        entry["rewrite"],
        tuple(entry.get("needs", ())),
        bool(entry.get("case", False)),
        boundary,
        tuple(entry.get("also", ())),
    )


@lru_cache(maxsize=1)
def blame_data() -> dict[str, list[Phrase]]:
    """The phrase lists of ``lint/data/blame.yaml``, compiled once."""
    source = resources.files("afterword.lint") / "data" / "blame.yaml"
    raw: dict[str, list[dict[str, Any]]] = yaml.safe_load(source.read_text("utf-8"))
    return {group: [_phrase(entry) for entry in entries] for group, entries in raw.items()}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_SUBJECT = (
    rf"(?:(?P<handle>@[A-Za-z0-9][\w.-]*)"
    rf"|(?P<singular>(?i:\b(?:{_alternation(SINGULAR)})))"
    rf"|(?P<collective>(?i:\b(?:{_alternation(COLLECTIVE)})))"
    rf"|(?P<they>(?i:\bthey))"
    rf"|(?P<role>(?i:\b(?:the|an?|our|their|that|this|his|her|one|another|same)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?(?:{_alternation(ROLES)})s?))"
    rf"|(?P<capname>\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?))"
)
_ADVERBS = rf"(?:\s+(?i:{_alternation(ADVERBS)})\b)*"
_SUBJECT_AT_END = re.compile(rf"{_SUBJECT}{_ADVERBS}\s+$")
_CLAUSE = re.compile(r"[^.;:!?\n|()]{0,160}")
_CLAUSE_END = re.compile(
    r"\s+(?:because|since|so that|which|but|while|when|after|before|until|and then|as a result)\b"
    r"|,\s"
)

#: Subject classes each verb group accepts.
ACCEPTS = {
    "strong_verbs": {"handle", "singular", "collective", "they", "role", "capname", "known"},
    "weak_verbs": {"handle", "singular", "collective", "role", "known"},
    "notice_verbs": {"handle", "singular", "role", "known"},
}


@dataclass(frozen=True)
class Blame:
    """One blaming phrase found: its span, the subject and its class, and the rewrite."""

    start: int
    end: int
    subject: str | None
    kind: str
    phrase: Phrase
    verb: str
    object: str


@cache
def word_list(name: str) -> frozenset[str]:
    """A list of words from ``lint/data/NAME.txt`` (``#`` starts a comment line)."""
    source = resources.files("afterword.lint") / "data" / f"{name}.txt"
    lines = source.read_text("utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


def first_names() -> frozenset[str]:
    """Common given names: a capitalised word from this list in subject position is a person."""
    return word_list("first_names")


def not_names() -> frozenset[str]:
    """Capitalised words that start sentences or name things, never people."""
    return word_list("not_names")


def known_names(doc: LintDocument) -> frozenset[str]:
    """People the document and the settings name, with the first names of full names."""
    names = set(doc.settings.names) | set(doc.pm.people)
    names |= {name.split()[0] for name in list(names) if " " in name}
    return frozenset(n.lstrip("@") for n in names if len(n.lstrip("@")) >= 2)


def find_blame(doc: LintDocument) -> list[Blame]:
    """Every blaming phrase in the document's prose, cached on the document."""
    if "blame" not in doc.memo:
        doc.memo["blame"] = list(_scan(doc))
    found: list[Blame] = doc.memo["blame"]
    return found


def _scan(doc: LintDocument) -> Iterator[Blame]:
    prose = doc.prose
    lowered = doc.lowered
    data = blame_data()
    taken: list[tuple[int, int]] = []
    names = known_names(doc)
    for group in ("strong_verbs", "weak_verbs", "notice_verbs"):
        for phrase in data[group]:
            if not phrase.may_match(lowered):
                continue
            for match in phrase.finditer(prose, lowered):
                found = _with_subject(prose, match, phrase, group, names)
                if found is not None and not _overlaps(taken, found.start, found.end):
                    taken.append((found.start, found.end))
                    yield found
    extra = [_team_phrase(phrase) for phrase in doc.settings.blame_phrases]
    for phrase in [*data["always"], *data["passive"], *extra]:
        if not phrase.may_match(lowered):
            continue
        for match in phrase.finditer(prose, lowered):
            if not _overlaps(taken, match.start(), match.end()):
                taken.append((match.start(), match.end()))
                yield Blame(match.start(), match.end(), None, "phrase", phrase, match.group(0), "")


@lru_cache(maxsize=64)
def _team_phrase(text: str) -> Phrase:
    return Phrase(
        re.compile(rf"{re.escape(text.lower())}\b"),
        '"{match}" is on the team\'s list of blaming phrases',
        "(say what the system allowed)",
        boundary=True,
    )


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in taken)


def _with_subject(
    prose: str, match: re.Match[str], phrase: Phrase, group: str, names: frozenset[str]
) -> Blame | None:
    window_start = max(0, match.start() - 80)
    subject = _SUBJECT_AT_END.search(prose, window_start, match.start())
    if subject is None:
        return None
    kind = next(
        name
        for name in ("handle", "singular", "collective", "they", "role", "capname")
        if subject.group(name)
    )
    text = subject.group(kind)
    if kind == "capname":
        first = text.split()[0]
        if first in not_names() and text not in names:
            return None
        if text in names or first in names or first in first_names():
            kind = "known"
    if kind not in ACCEPTS[group]:
        return None
    before = prose[max(0, subject.start() - 20) : subject.start()].split()
    if before and before[-1].lower() in PREPOSITIONS:
        return None
    clause = _CLAUSE.match(prose, match.end())
    rest = clause.group(0) if clause else ""
    cut = _CLAUSE_END.search(rest)
    rest = (rest[: cut.start()] if cut else rest).rstrip()
    end = match.end() + len(rest) if rest.strip() else match.end()
    return Blame(subject.start(), end, text, kind, phrase, match.group(0), rest.strip())


def suggestion(doc: LintDocument, blame: Blame) -> str:
    """The sentence rewritten with the blaming span replaced, in the seed's spirit."""
    verb_words = blame.verb.split()
    fields: dict[str, Any] = {
        "object": blame.object or "it",
        "match_verb": verb_words[-1] if verb_words else blame.verb,
        "subject": blame.subject or "",
    }
    rewrite = blame.phrase.rewrite.format(**fields)
    first, last = doc.sentence_around(blame.start, blame.end)
    sentence = doc.prose[first:last]
    head = sentence[: blame.start - first]
    tail = sentence[blame.end - first :]
    text = " ".join(f"{head}{rewrite}{tail}".split())
    return text[:1].upper() + text[1:] if text else text


class BlameLanguage(Rule):
    """Blame-focused wording: "human error", "X forgot to", "should have", "careless".

    The seed's blameless culture asks "What conditions allowed this?" instead of "Who
    caused this?", and says "the system allowed this mistake" instead of "someone made a
    mistake". Blame shuts down learning: people stop saying what they saw and did. The
    rule finds phrases that blame whoever they are about ("human error", "dropped the
    ball", "careless", "whose fault"), verbs only people do with a person as subject
    ("forgot to", "neglected", "ignored", hindsight "should have"), and verbs systems do
    too ("failed to", "missed the alert") when a person is certainly their subject. Each
    finding suggests a systems-focused rewrite. "Should have" aimed at a system ("the
    alert should have fired at 80%") and neutral facts ("the on-call engineer was paged
    at 10:02") are not flagged.

    Anti-pattern:
        Root cause: human error. Dana forgot to run the migration before the deploy.

    Better:
        The deploy process did not require the migration step, and the release ran
        against the old schema.
    """

    name = "blame-language"
    code = "AW101"
    group = "blame game"
    severity = "error"

    @classmethod
    def warm_up(cls) -> None:
        blame_data()
        first_names()
        not_names()

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        for blame in find_blame(doc):
            matched = " ".join(doc.prose[blame.start : blame.end].split())
            verb = " ".join(blame.verb.split())
            message = blame.phrase.message.format(match=verb if blame.subject else matched)
            yield self.at_span(doc, blame.start, blame.end, message, suggestion(doc, blame))


_NAME = r"@[\w.-]*\w|[A-Z][\w-]*(?: [A-Z][a-z]+)?"
#: "Dana's typo": found at the "'s", then the name is read backwards from it.
_POSSESSIVE = re.compile(
    r"['’]s\s+(?:(?:bad|broken|faulty|wrong|untested)\s+)?"
    r"(?P<thing>mistake|error|fault|typo|blunder|oversight|negligence|change|commit|deploy(?:ment)?"
    r"|PR|pull request|push|config(?:uration)? change|script)\b"
)
_NAME_BEFORE = re.compile(rf"(?:^|[^\w@.-])(?P<name>{_NAME})$")
#: "deleted by Dana": found at the " by ", then the verb before it is checked.
_BY_NAME = re.compile(rf" by\s+(?P<name>{_NAME})")
_BY_VERB = re.compile(
    r"(?:^|\W)(?:deleted|dropped|broken|caused|pushed|misconfigured|introduced|forgotten|missed|"
    r"ignored|overlooked|skipped|botched|reverted)$"
)
_STRONG_THINGS = frozenset(
    {"mistake", "error", "fault", "typo", "blunder", "oversight", "negligence"}
)


class NamedIndividual(Rule):
    """A person's name as the subject of a mistake.

    "Don't name and shame - ever." A name attached to a mistake turns a postmortem into a
    blame doc, and the next person hides what they did. The rule knows the document's
    people (authors, facilitator, attendees, action item owners), @handles, the names in
    the ``lint.names`` setting, and capitalised first names in the position of a person.
    It flags them as the subject of a blaming verb ("Dana forgot to", "@sam ignored"), as
    the owner of a mistake ("Dana's change broke", "Tom's typo") and as its agent
    ("deleted by Dana"). Owners named on action items are fine: owning the follow-up is
    the point.

    Anti-pattern:
        Tom's typo in the load balancer config took the site down; Tom forgot to run
        the config check.

    Better:
        A typo in the load balancer config took the site down; the config check is
        optional in the deploy script, so it did not run.
    """

    name = "named-individual"
    code = "AW102"
    group = "blame game"
    severity = "error"

    def check(self, doc: LintDocument) -> Iterable[Finding]:
        names = known_names(doc)
        for blame in find_blame(doc):
            if blame.kind in ("known", "handle", "capname") and blame.subject:
                yield self._finding(doc, blame.start, blame.subject, blame.verb)
        prose = doc.prose
        for match in _POSSESSIVE.finditer(prose):
            owner = _NAME_BEFORE.search(prose, max(0, match.start() - 40), match.start())
            strong = match.group("thing").lower() in _STRONG_THINGS
            if owner and self._is_person(owner.group("name"), names, allow_unknown=strong):
                yield self._finding(
                    doc, owner.start("name"), owner.group("name"), match.group("thing")
                )
        for match in _BY_NAME.finditer(prose):
            verb = _BY_VERB.search(prose, max(0, match.start() - 16), match.start())
            name = match.group("name")
            if verb and self._is_person(name, names, allow_unknown=False):
                yield self._finding(doc, match.start("name"), name, verb.group(0).strip())

    @staticmethod
    def _is_person(name: str, names: frozenset[str], *, allow_unknown: bool) -> bool:
        bare = name.lstrip("@")
        first = bare.split()[0]
        if name.startswith("@") or bare in names or first in names or first in first_names():
            return True
        return allow_unknown and first not in not_names()

    def _finding(self, doc: LintDocument, start: int, name: str, what: str) -> Finding:
        verb = " ".join(what.split())
        return self.at_span(
            doc,
            start,
            start + len(name),
            f"{name} is named as the subject of a mistake ({verb}); don't name and shame",
            "Name the role or the system instead (the on-call engineer, the deploy script), "
            "and describe the conditions that allowed the action",
        )
