"""YAML front matter: split from the body, loaded with the line of every key, written back.

Timestamps are left as strings when loading, so that Afterword (not YAML's 1.1 rules)
decides what a written time means and which zone it is in.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from afterword.errors import DocumentError

# libyaml's parser when PyYAML was built with it (several times faster), else pure Python
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type, misc]
    """SafeLoader that keeps timestamps as the strings they were written as."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes times unquoted, since :class:`_Loader` reads them as strings."""


for _cls in (_Loader, _Dumper):
    _cls.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

_FENCE = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass
class Split:
    """A document cut into its front matter and body."""

    front_matter: str | None
    body: str
    body_line: int  # 1-based line of the body's first line


def split(text: str) -> Split:
    """Cut ``---``-fenced YAML front matter from the start of a document, if there is any."""
    if not _FENCE.match(text):
        return Split(None, text, 1)
    opening = _FENCE.match(text)
    assert opening is not None
    close = _CLOSE.search(text, opening.end())
    if close is None:
        return Split(None, text, 1)
    front = text[opening.end() : close.start()]
    rest = text[close.end() :]
    if rest.startswith("\r\n"):
        rest = rest[2:]
    elif rest.startswith("\n"):
        rest = rest[1:]
    body_line = text.count("\n", 0, close.end()) + 2
    return Split(front, rest, body_line)


#: A line of flat front matter: ``key: value`` with nothing YAML could read otherwise.
_FLAT_LINE = re.compile(r"([A-Za-z_][\w-]*):(?:[ ]+(.*?))?[ ]*")
#: A value with none of YAML's marks (quotes, anchors, tags, blocks, comments, nesting).
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#\[\]{},'\"]|:(?=\S))*(?<!:)")
_FLOW_ITEM = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#\[\]{},'\"]*")
_SCALARS = _Loader("")  # reads one scalar at a time: its resolver and constructors


def _flat(front: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Flat front matter (one ``key: value`` or ``key: [a, b]`` a line) read without the
    YAML parser, with YAML's own rules for what each plain value is; None for anything
    else, which the YAML parser reads. Most front matter is flat, and a store indexes
    thousands of documents."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for offset, line in enumerate(front.split("\n")):
        if not line.strip():
            continue
        match = _FLAT_LINE.fullmatch(line)
        if match is None or _scalar(match.group(1)) != match.group(1):
            return None
        key, raw = match.groups()
        if key in data:
            return None
        if raw is None:
            value: Any = None
        elif raw.startswith("[") and raw.endswith("]"):
            items = [item.strip() for item in raw[1:-1].split(",")]
            if items == [""]:
                items = []
            if not all(_FLOW_ITEM.fullmatch(item) for item in items):
                return None
            value = [_scalar(item) for item in items]
        elif _PLAIN.fullmatch(raw):
            value = _scalar(raw)
        else:
            return None
        data[key] = value
        lines[key] = first_line + offset
    return data, lines


@functools.lru_cache(maxsize=4096)
def _scalar(text: str) -> Any:
    """A plain scalar as YAML reads it: a string, number, boolean, null or date, all
    immutable, so that one read serves every document with the same key or value."""
    tag = _SCALARS.resolve(yaml.ScalarNode, text, (True, False))
    return _SCALARS.yaml_constructors[tag](_SCALARS, yaml.ScalarNode(tag, text))


def load(
    front: str, *, path: str | Path | None, first_line: int = 2
) -> tuple[dict[str, Any], dict[str, int]]:
    """The front matter's mapping and the 1-based file line of each top-level key."""
    flat = _flat(front, first_line)
    if flat is not None:
        return flat
    loader = _Loader(front)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        if mark is None or mark.index >= len(front.rstrip()):
            # an error found at the end points at what was left open, not at the end
            mark = getattr(error, "context_mark", None) or mark
        line = first_line + mark.line if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise DocumentError(
            f"invalid YAML in front matter: {problem}", path=path, line=line
        ) from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or node is None:
        raise DocumentError("front matter must be a mapping of fields", path=path, line=first_line)
    lines = {
        str(key.value): first_line + key.start_mark.line
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return {str(key): value for key, value in data.items()}, lines


def close_field(name: str, known: tuple[str, ...]) -> str | None:
    """The known field a misspelt one most likely meant."""
    matches = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    return matches[0] if matches else None


def dump_value(key: str, value: Any) -> str:
    """One ``key: value`` entry of front matter as Afterword writes it."""
    if value is None:
        return f"{key}:"
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        items = yaml.dump(
            value, Dumper=_Dumper, allow_unicode=True, default_flow_style=True, width=1000
        )
        return f"{_key(key)}: {items.strip()}"
    text = yaml.dump(
        {key: value},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1000,
    )
    return text.rstrip("\n")


def _key(key: str) -> str:
    return yaml.dump(key, Dumper=_Dumper, allow_unicode=True).removesuffix("\n...\n").strip()
