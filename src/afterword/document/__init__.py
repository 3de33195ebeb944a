"""Postmortem documents: Markdown with YAML front matter, read into the model and written back."""

from afterword.document.parser import load_incident, parse, parse_file, read_text
from afterword.document.render import render

__all__ = ["load_incident", "parse", "parse_file", "read_text", "render"]
