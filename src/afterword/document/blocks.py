"""Markdown as a flat list of blocks with their lines: headings, paragraphs, list items, tables.

The extractors read blocks, never raw tokens, so the parser can change without them.
Lines are 1-based lines of the original file (front matter included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass
class Block:
    """One block of the body.

    ``kind`` is ``heading``, ``paragraph``, ``item`` (a list item's first paragraph)
    or ``table``. ``text`` is the Markdown source of the block's inline content
    with line breaks folded; ``plain`` is the same with the markup removed.
    """

    kind: str
    line: int
    end_line: int
    text: str = ""
    plain: str = ""
    level: int = 0
    depth: int = 0
    ordered: bool = False
    links: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def plain_text(token: Token) -> str:
    """The readable text of an inline token: markup, link targets and HTML removed."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(plain_text(child))
    return " ".join("".join(parts).split())


def _links(token: Token) -> list[str]:
    found = []
    for child in token.children or ():
        if child.type == "link_open":
            href = child.attrGet("href")
            if isinstance(href, str):
                found.append(href)
        elif child.type == "html_inline":
            found.extend(re.findall(r"src=\"([^\"]+)\"", child.content))
    return found


def _fold(text: str) -> str:
    return " ".join(text.split())


def parse_blocks(text: str, line_offset: int = 0) -> list[Block]:
    """The blocks of a Markdown body whose first line is line ``line_offset + 1``."""
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
                    text=_fold(inline.content),
                    plain=plain_text(inline),
                    level=int(token.tag[1]),
                    links=_links(inline),
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
                    plain="",
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
    text, plain, links = _fold(inline.content), plain_text(inline), _links(inline)
    if depth and first and blocks and blocks[-1].kind == "item" and not blocks[-1].text:
        item = blocks[-1]
        item.text, item.plain, item.links = text, plain, links
        item.end_line = max(item.end_line, (opener.map or (0, 0))[1] + offset)
        return
    start, end = opener.map or (0, 0)
    blocks.append(
        Block(
            "paragraph",
            start + 1 + offset,
            end + offset,
            text=text,
            plain=plain,
            depth=depth,
            links=links,
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
            row.append(_fold(token.content))
            table.links.extend(_links(token))
        elif token.type == "tr_close" and row is not None:
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
            row = None
        index += 1
    blocks.append(table)
    return index
