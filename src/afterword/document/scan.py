"""A fast line scanner for the Markdown blocks a postmortem is made of.

It finds what :mod:`afterword.document.blocks` describes (headings, paragraphs, list
items with their depth, tables, code and HTML blocks) in one pass over the lines,
following CommonMark and GitHub's tables where postmortems use them. It exists because
the linter reads every document and markdown-it-py's full block parser was most of its
time; a test checks that both find the same blocks on the corpus and the examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from afterword.document.blocks import Block, fold

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_HTML = re.compile(r"^ {0,3}<(?:!--|/?[A-Za-z][\w-]*(?:[\s/>]|$)|\?|![A-Z])")
_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])(?:( +)(.*)|$)")
_QUOTE = re.compile(r"^ {0,3}> ?")
_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_PIPE = re.compile(r"(?<!\\)\|")
_REFERENCE = re.compile(
    r"^ {0,3}\[[^\]]+\]:[ \t]*\S+[ \t]*(?:\"[^\"]*\"|'[^']*'|\([^)]*\))?[ \t]*$"
)


@dataclass
class _Open:
    """A list item still open: its block and the indent its content needs."""

    block: Block
    marker: int
    content: int


@dataclass
class _Scan:
    lines: list[str]
    offset: int
    blocks: list[Block] = field(default_factory=list)
    items: list[_Open] = field(default_factory=list)
    para: list[str] = field(default_factory=list)
    para_start: int = 0
    para_item: Block | None = None  # the item whose first paragraph is being read
    para_depth: int = 0

    def number(self, index: int) -> int:
        return index + 1 + self.offset

    def flush(self) -> None:
        if not self.para:
            return
        source = "\n".join(self.para)
        text = fold(source)
        end = self.para_start + len(self.para) - 1
        if self.para_item is not None:
            item = self.para_item
            item.text = text
        else:
            block = Block(
                "paragraph",
                self.number(self.para_start),
                self.number(end),
                text=text,
                depth=self.para_depth,
            )
            block.rows = [[line] for line in self.para]
            self.blocks.append(block)
        self.para, self.para_item = [], None

    def touch(self, index: int) -> None:
        for open_item in self.items:
            open_item.block.end_line = self.number(index)

    def close_items_below(self, indent: int) -> None:
        while self.items and indent < self.items[-1].content:
            self.items.pop()


def scan_blocks(text: str, line_offset: int = 0) -> list[Block]:
    """The blocks of a Markdown body whose first line is line ``line_offset + 1``."""
    scan = _Scan(text.expandtabs(4).split("\n"), line_offset)
    lines = scan.lines
    index = 0
    while index < len(lines):
        index = _step(scan, lines, index)
    scan.flush()
    return scan.blocks


def _step(scan: _Scan, lines: list[str], index: int) -> int:
    line = lines[index]
    stripped = line.strip()
    if not stripped:
        scan.flush()
        return index + 1
    indent = len(line) - len(line.lstrip(" "))
    first = stripped[0]  # every block marker is known by its first character: test that first
    if (
        first in "=-"
        and scan.para
        and scan.para_item is None
        and scan.para_depth == 0
        and _SETEXT.match(line)
    ):
        return _setext(scan, line, index)
    if first in "-*_" and _HR.match(line):
        scan.flush()
        scan.close_items_below(indent)
        return index + 1
    if first == "#" and _ATX.match(line):
        return _heading(scan, line, index)
    fence = _FENCE.match(line) if first in "`~" else None
    if fence:
        return _fenced(scan, lines, index, fence.group(2))
    if first == "<" and not scan.para and _HTML.match(line):
        return _html(scan, lines, index, indent)
    if "|" in line and index + 1 < len(lines) and _DELIMITER.match(lines[index + 1]):
        table = _table(scan, lines, index)
        if table is not None:
            return table
    item = _ITEM.match(line) if first in "-*+0123456789" else None
    if item and (not scan.para or item.group(4) or scan.para_item is not None):
        return _item(scan, item, index)
    quote = _QUOTE.match(line) if first == ">" else None
    content = line[quote.end() :] if quote else line.strip()
    if first == "[" and not scan.para and _REFERENCE.match(line):  # a link reference definition
        return index + 1
    if scan.para:  # a continuation line, lazy or not
        scan.para.append(content.strip())
        scan.touch(index)
        return index + 1
    scan.close_items_below(indent)
    scan.para, scan.para_start, scan.para_depth = [content.strip()], index, len(scan.items)
    scan.touch(index)
    return index + 1


def _setext(scan: _Scan, line: str, index: int) -> int:
    source = "\n".join(scan.para)
    level = 1 if line.strip().startswith("=") else 2
    scan.blocks.append(
        Block(
            "heading",
            scan.number(scan.para_start),
            scan.number(index),
            text=fold(source),
            level=level,
        )
    )
    scan.para = []
    return index + 1


def _heading(scan: _Scan, line: str, index: int) -> int:
    scan.flush()
    scan.items.clear()
    match = _ATX.match(line)
    assert match is not None
    source = (match.group(2) or "").strip()
    scan.blocks.append(
        Block(
            "heading",
            scan.number(index),
            scan.number(index),
            text=fold(source),
            level=len(match.group(1)),
        )
    )
    return index + 1


def _fenced(scan: _Scan, lines: list[str], index: int, marker: str) -> int:
    scan.flush()
    end = index + 1
    closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    while end < len(lines) and not closing.match(lines[end]):
        end += 1
    last = min(end, len(lines) - 1)
    scan.blocks.append(
        Block(
            "fence",
            scan.number(index),
            scan.number(last),
            text="\n".join(lines[index + 1 : end]) + "\n",
        )
    )
    scan.touch(last)
    return last + 1


def _html(scan: _Scan, lines: list[str], index: int, indent: int) -> int:
    scan.close_items_below(indent)
    end = index
    if lines[index].lstrip().startswith("<!--"):
        while end < len(lines) and "-->" not in lines[end]:
            end += 1
        end = min(end, len(lines) - 1)
    else:
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
    scan.blocks.append(
        Block(
            "html_block",
            scan.number(index),
            scan.number(end),
            text="\n".join(lines[index : end + 1]) + "\n",
        )
    )
    scan.touch(end)
    return end + 1


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    if "\\" not in text:  # no escaped pipes: a plain split, each cell folded
        return [" ".join(cell.split()) for cell in text.split("|")]
    return [fold(cell).replace("\\|", "|") for cell in _PIPE.split(text)]


def _table(scan: _Scan, lines: list[str], index: int) -> int | None:
    header = _cells(lines[index])
    if len(_cells(lines[index + 1])) != len(header):
        return None
    scan.flush()
    scan.close_items_below(len(lines[index]) - len(lines[index].lstrip(" ")))
    table = Block("table", scan.number(index), scan.number(index + 1), header=header)
    row = index + 2
    while row < len(lines) and lines[row].strip() and not _starts_block(lines[row]):
        cells = _cells(lines[row])[: len(header)]
        table.rows.append(cells + [""] * (len(header) - len(cells)))
        table.row_lines.append(scan.number(row))
        row += 1
    table.end_line = scan.number(row - 1)
    scan.blocks.append(table)
    scan.touch(row - 1)
    return row


def _starts_block(line: str) -> bool:
    first = line.lstrip(" ")[:1]
    return first in ("#", "`", "~", "<", ">") and bool(
        _ATX.match(line) or _FENCE.match(line) or _HTML.match(line) or _QUOTE.match(line)
    )


def _item(scan: _Scan, match: re.Match[str], index: int) -> int:
    scan.flush()
    marker_indent = len(match.group(1))
    spaces = len(match.group(3) or " ")
    if spaces > 4:  # content starting in an indented code position keeps one space
        spaces = 1
    content_indent = marker_indent + len(match.group(2)) + spaces
    while scan.items and marker_indent < scan.items[-1].content:
        scan.items.pop()
    ordered = match.group(2)[0] not in "-*+"
    depth = len(scan.items) + 1
    block = Block("item", scan.number(index), scan.number(index), depth=depth, ordered=ordered)
    scan.blocks.append(block)
    scan.items.append(_Open(block, marker_indent, content_indent))
    scan.touch(index)
    rest = (match.group(4) or "").strip()
    if rest:
        scan.para, scan.para_start, scan.para_item = [rest], index, block
        scan.para_depth = depth
    return index + 1
