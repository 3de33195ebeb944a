"""The fast block scanner finds what markdown-it-py finds, on real and generated documents."""

from __future__ import annotations

import pytest

from afterword.document.blocks import parse_blocks_reference
from afterword.document.frontmatter import split
from afterword.document.scan import scan_blocks
from conftest import CORPUS, EXAMPLES

FILES = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.name != "LICENSE"]
FILES += sorted(EXAMPLES.glob("*.md"))


def shape(blocks):
    return [
        (b.kind, b.line, b.text, b.depth, b.level, b.header, b.rows if b.kind == "table" else None)
        for b in blocks
        if b.kind in ("heading", "item", "table", "paragraph")
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scanner_matches_markdown_it(path):
    body = split(path.read_text(encoding="utf-8")).body
    assert shape(scan_blocks(body)) == shape(parse_blocks_reference(body))


@pytest.mark.parametrize(
    "text",
    [
        "Title\n=====\n\nPara one\ncontinued\n\n- a\n  - b\n    lazy\n- c\n\n1. x\n2. y\n",
        "| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n| 4 |\n\n```\n# not a heading\n```\n",
        "<!-- a\ncomment -->\n\n> quoted\n> text\n\n---\n\n## H ##\n\n* star\n+ plus\n",
        "Text\n---\n\n- item\n\n  second paragraph\n\n[ref]: https://example.com\n",
    ],
)
def test_scanner_matches_markdown_it_on_edge_cases(text):
    assert shape(scan_blocks(text)) == shape(parse_blocks_reference(text))
