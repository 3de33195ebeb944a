"""A postmortem as the linter sees it: the model, the text, and where every character is.

``prose`` is the file's text with everything that is not prose blanked out (front
matter, code blocks, HTML comments, inline code, URLs), keeping every offset, so a
pattern matched in it points at the exact line and column of the original file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from afterword.document.blocks import Block
from afterword.document.parser import parse_document
from afterword.document.scan import scan_blocks
from afterword.lint.settings import LintSettings
from afterword.model import Postmortem

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n|\n[ \t]*(?:[-*+]|\d+[.)])[ \t]|\||\n#")
_SENTENCE_LEAD = re.compile(r"\s*(?:(?:[-*+]|\d+[.)]|>)\s+)?")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)[^`]+?\1")
_URL = re.compile(r"https?://[^\s)>\]|]+|\]\([^)\s]*\)|<img[^>]*>")


#: Lowercases ASCII letters only, so that offsets in the lowered text stay those of the text.
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def word_matches(pattern: re.Pattern[str], text: str, pos: int = 0) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` that start a word.

    Patterns are written without a leading ``\\b`` or look-behind and the boundary is
    checked here: with either, Python's regex engine tries the pattern at every position
    instead of skipping ahead to its first letters, which is many times slower.
    """
    for match in pattern.finditer(text, pos):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_-@"):
            continue
        yield match


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(match: re.Match[str]) -> str:
    return _NOT_NEWLINE.sub(" ", match.group(0))


@dataclass
class Finding:
    """One thing a facilitator would point out, located in the original file.

    Lines and columns are 1-based; ``end_column`` is the column just after the span.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    code: str
    severity: str
    message: str
    suggestion: str | None = None

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.rule,
            self.code,
            self.severity,
            self.message,
            self.suggestion,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass
class LintDocument:
    """Everything a rule may look at, computed once per file."""

    path: str
    text: str
    pm: Postmortem
    settings: LintSettings
    body_line: int = 1
    memo: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, path: str | Path, settings: LintSettings) -> LintDocument:
        parsed = parse_document(text, path=path, for_writing=False)
        doc = cls(str(path), text, parsed.postmortem, settings, parsed.body_line)
        doc.__dict__["blocks"] = parsed.blocks  # already parsed: seed the cached property
        return doc

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(match.end() for match in re.finditer("\n", self.text))
        return starts

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def lowered(self) -> str:
        """The prose with ASCII letters lowercased, offsets kept."""
        return self.prose.translate(ASCII_LOWER)

    @cached_property
    def blocks(self) -> list[Block]:
        body = "\n".join(self.lines[self.body_line - 1 :])
        return scan_blocks(body, self.body_line - 1)

    @cached_property
    def prose(self) -> str:
        """The text with front matter, code, comments and URLs blanked, offsets kept."""
        spans = [(0, self.line_starts[self.body_line - 1] if self.body_line > 1 else 0)]
        for block in self.blocks:
            if block.kind in ("fence", "code_block", "html_block"):
                last = block.end_line
                end = self.line_starts[last] if last < len(self.line_starts) else len(self.text)
                spans.append((self.line_starts[block.line - 1], end))
        pieces, position = [], 0
        for start, end in sorted(spans):
            if end <= position:
                continue
            start = max(start, position)
            pieces += [self.text[position:start], _NOT_NEWLINE.sub(" ", self.text[start:end])]
            position = end
        text = "".join([*pieces, self.text[position:]])
        for pattern in (_COMMENT, _INLINE_CODE, _URL):
            if pattern.search(text):
                text = pattern.sub(_blank, text)
        return text

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_span(self, line: int) -> tuple[int, int, int]:
        """Line, first and end column of the text on a 1-based line (whole line)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        stripped = len(text) - len(text.lstrip())
        return line, stripped + 1, max(len(text.rstrip()) + 1, stripped + 2)

    def sentence_around(self, start: int, end: int) -> tuple[int, int]:
        """Offsets of the sentence holding the span: it ends at a full stop, a blank line,
        the next list item or table cell."""
        prose = self.prose
        window = max(0, start - 600)
        first = window
        for boundary in _SENTENCE_END.finditer(prose, window, start):
            first = boundary.end()
        after = _SENTENCE_END.search(prose, end, end + 600)
        last = (
            after.start() + (1 if after and prose[after.start()] in ".!?" else 0)
            if after
            else (min(len(prose), end + 600))
        )
        lead = _SENTENCE_LEAD.match(prose, first, start)
        return (lead.end() if lead else first), last
