"""Markdown as a flat list of blocks with their lines: headings, paragraphs, list items, tables.

The parser uses the fast scanner in :mod:`afterword.document.scan`; the markdown-it-py
version here is the reference it is tested against.

The extractors read blocks, never raw tokens, so the parser can change without them.
Lines are 1-based lines of the original file (front matter included).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass
class Block:
    """One block of the body.

    ``kind`` is ``heading``, ``paragraph``, ``item`` (a list item's first paragraph)
    or ``table``. ``text`` is the Markdown source of the block's inline content
    with line breaks folded; ``plain`` is the same with the markup removed and ``links``
    its link targets, both worked out when first asked for.
    """

    kind: str
    line: int
    end_line: int
    text: str = ""
    level: int = 0
    depth: int = 0
    ordered: bool = False
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)

    @cached_property
    def plain(self) -> str:
        return plain_text(self.text)

    @cached_property
    def links(self) -> list[str]:
        if self.kind == "table":
            return [link for row in self.rows for cell in row for link in links_in(cell)]
        return links_in(self.text)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Inline parsing is off: it is half the parse time, and blocks need only the inline
    # source, its readable text and its link targets, which the regexes below give.
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])


_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]*)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(
    r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])"
)
_CODE = re.compile(r"(`+)\s?(.+?)\s?\1")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HREF = re.compile(r"\]\(\s*<?([^)\s>]+)|<(https?://[^>\s]+)>|src=\"([^\"]+)\"")


def plain_text(source: str) -> str:
    """The readable text of inline Markdown: markup, link targets and HTML removed."""
    if not any(mark in source for mark in "*_`[<\\&~"):
        return " ".join(source.split())
    text = _CODE.sub(lambda m: m.group(2), source)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    text = html.unescape(_ESCAPE.sub(r"\1", text))
    return " ".join(text.split())


def links_in(source: str) -> list[str]:
    """The link and image targets in inline Markdown."""
    return [next(g for g in match.groups() if g) for match in _HREF.finditer(source)]


def fold(text: str) -> str:
    """Text with every run of white space made one space."""
    return " ".join(text.split())


def parse_blocks_reference(text: str, line_offset: int = 0) -> list[Block]:
    """The blocks as markdown-it-py finds them: the reference the fast scanner is tested
    against (:func:`afterword.document.scan.scan_blocks` is what the parser uses)."""
    tokens = _markdown().parse(text)
    blocks: list[Block] = []
    depth = 0
    in_item_first = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif kind == "list_item_open":
            in_item_first = True
            ordered = tokens[index - 1].type == "ordered_list_open" or _item_is_ordered(
                tokens, index
            )
            start, end = token.map or (0, 0)
            blocks.append(
                Block(
                    "item", start + 1 + line_offset, end + line_offset, depth=depth, ordered=ordered
                )
            )
        elif kind == "heading_open":
            inline = tokens[index + 1]
            start, end = token.map or (0, 0)
            blocks.append(
                Block(
                    "heading",
                    start + 1 + line_offset,
                    end + line_offset,
                    text=fold(inline.content),
                    level=int(token.tag[1]),
                )
            )
        elif kind == "inline" and tokens[index - 1].type == "paragraph_open":
            _paragraph(blocks, token, tokens[index - 1], depth, in_item_first, line_offset)
            in_item_first = False
        elif kind == "table_open":
            index = _table(blocks, tokens, index, line_offset)
        elif kind in ("html_block", "fence", "code_block") and token.map:
            blocks.append(
                Block(
                    kind,
                    token.map[0] + 1 + line_offset,
                    token.map[1] + line_offset,
                    text=token.content,
                )
            )
        index += 1
    return blocks


def _item_is_ordered(tokens: list[Token], index: int) -> bool:
    level = tokens[index].level - 1
    for back in range(index - 1, -1, -1):
        if tokens[back].level == level and tokens[back].type.endswith("_list_open"):
            return tokens[back].type == "ordered_list_open"
    return False


def _paragraph(
    blocks: list[Block], inline: Token, opener: Token, depth: int, first: bool, offset: int
) -> None:
    text = fold(inline.content)
    if depth and first and blocks and blocks[-1].kind == "item" and not blocks[-1].text:
        item = blocks[-1]
        item.text = text
        item.end_line = max(item.end_line, (opener.map or (0, 0))[1] + offset)
        return
    start, end = opener.map or (0, 0)
    blocks.append(
        Block(
            "paragraph",
            start + 1 + offset,
            end + offset,
            text=text,
            depth=depth,
        )
    )
    blocks[-1].rows = [[line] for line in inline.content.split("\n")]


def _table(blocks: list[Block], tokens: list[Token], index: int, offset: int) -> int:
    start, end = tokens[index].map or (0, 0)
    table = Block("table", start + 1 + offset, end + offset)
    row: list[str] | None = None
    in_head = False
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
            if not in_head:
                table.row_lines.append((token.map or (0, 0))[0] + 1 + offset)
        elif token.type == "inline" and row is not None:
            row.append(fold(token.content))
        elif token.type == "tr_close" and row is not None:
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
            row = None
        index += 1
    blocks.append(table)
    return index
