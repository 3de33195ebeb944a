"""Afterword: blameless incident postmortems as Markdown in git.

The public API is what ``__all__`` lists; everything else may change.
"""

from afterword.config import Config, load_config
from afterword.document import load_incident, parse, parse_file, render
from afterword.errors import AfterwordError, ConfigError, DocumentError, InputError, UsageError
from afterword.model import (
    ActionItem,
    ActionStatus,
    EventKind,
    Improvement,
    ImprovementType,
    Incident,
    Postmortem,
    Rank,
    RootCause,
    Section,
    Severity,
    Status,
    TimelineEvent,
    Why,
)
from afterword.templates import render_template
from afterword.triage import TriageResult, triage

__version__ = "0.1.0"

__all__ = [
    "ActionItem",
    "ActionStatus",
    "AfterwordError",
    "Config",
    "ConfigError",
    "DocumentError",
    "EventKind",
    "Improvement",
    "ImprovementType",
    "Incident",
    "InputError",
    "Postmortem",
    "Rank",
    "RootCause",
    "Section",
    "Severity",
    "Status",
    "TimelineEvent",
    "TriageResult",
    "UsageError",
    "Why",
    "__version__",
    "load_config",
    "load_incident",
    "parse",
    "parse_file",
    "render",
    "render_template",
    "triage",
]
