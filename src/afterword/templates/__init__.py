"""The postmortem templates and their registry.

Built in: ``standard`` (the full postmortem), ``five-whys`` (the seed's Template 2)
and ``quick`` (Template 3, for minor incidents). A team adds its own as
``NAME.md.j2`` files in the folder named by the ``templates.folder`` setting; a team
template with a built-in name replaces it. Templates are Jinja2 and receive the
incident: ``title``, ``severity``, ``date``, ``duration``, ``zone``, ``timeline``
(rows from the incident's known times), ``front_matter`` and ``incident`` itself.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from afterword.config import Config
from afterword.document.frontmatter import dump_value
from afterword.document.render import timeline_time, write_time
from afterword.errors import UsageError
from afterword.model import Incident
from afterword.timeutil import zone_from_name

BUILTIN = ("standard", "five-whys", "quick")
SUFFIX = ".md.j2"

#: Incident times shown as the first timeline rows of a new postmortem.
KEY_MOMENTS = (
    ("started_at", "Incident started", "started"),
    ("detected_at", "Incident detected", "detected"),
    ("acknowledged_at", "Page acknowledged", "acknowledged"),
    ("mitigated_at", "Impact mitigated", "mitigated"),
    ("resolved_at", "Incident resolved", "resolved"),
)


def available(config: Config) -> dict[str, str]:
    """Every template by name, with where it comes from ("built-in" or a file path)."""
    found = dict.fromkeys(BUILTIN, "built-in")
    folder = _team_folder(config)
    if folder is not None:
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            found[path.name.removesuffix(SUFFIX)] = str(path)
    return found


def _team_folder(config: Config) -> Path | None:
    value = config.get("templates.folder")
    return config.relative(value) if value else None


def _source(name: str, config: Config) -> str:
    folder = _team_folder(config)
    if folder is not None and (folder / f"{name}{SUFFIX}").is_file():
        return (folder / f"{name}{SUFFIX}").read_text(encoding="utf-8")
    if name in BUILTIN:
        return (resources.files(__package__) / "builtin" / f"{name}{SUFFIX}").read_text("utf-8")
    names = ", ".join(sorted(available(config)))
    raise UsageError(f"unknown template {name!r} (available: {names})")


def render_template(name: str, incident: Incident, config: Config) -> str:
    """A new postmortem document from a template, pre-filled from the incident."""
    environment = jinja2.Environment(
        autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    try:
        template = environment.from_string(_source(name, config))
        text = template.render(**context(name, incident))
    except jinja2.TemplateError as error:
        raise UsageError(f"template {name!r} failed: {error}") from None
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def context(name: str, incident: Incident) -> dict[str, Any]:
    """The variables a template receives."""
    zone_text = incident.timezone or "UTC"
    zone = zone_from_name(zone_text)
    minutes = incident.outage_minutes
    return {
        "incident": incident,
        "title": incident.title,
        "severity": incident.severity.value if incident.severity else "SEV?",
        "date": incident.started_at.date().isoformat() if incident.started_at else "YYYY-MM-DD",
        "duration": f"{round(minutes)} min" if minutes is not None else "? min",
        "zone": zone_text,
        "timeline": _timeline_rows(incident, zone),
        "problem_statement": _problem_statement(incident),
        "front_matter": _front_matter(name, incident, zone_text, zone),
    }


def _timeline_rows(incident: Incident, zone: tzinfo | None) -> list[dict[str, str]]:
    rows = []
    for field, text, kind in KEY_MOMENTS:
        moment = getattr(incident, field)
        if moment is not None:
            rows.append(
                {
                    "time": timeline_time(moment, zone),
                    "text": text,
                    "source": "incident",
                    "kind": kind,
                }
            )
    return sorted(rows, key=lambda row: row["time"])


def _problem_statement(incident: Incident) -> str:
    minutes = incident.outage_minutes
    length = f"{round(minutes)}-minute " if minutes is not None else ""
    affected = f" affecting {', '.join(incident.services)}" if incident.services else ""
    return f"{incident.title}: a {length}incident{affected}."


def _front_matter(name: str, incident: Incident, zone_text: str, zone: tzinfo | None) -> str:
    values = incident.model_dump(exclude={"timezone"})
    lines = [dump_value("title", incident.title)]
    lines.append(dump_value("severity", values["severity"].value if values["severity"] else None))
    lines += [
        dump_value("status", "draft"),
        dump_value("template", name),
        dump_value("timezone", zone_text),
    ]
    times = [field for field in Incident.model_fields if field.endswith("_at")]
    for field in times:
        moment = values[field]
        lines.append(dump_value(field, write_time(moment, zone) if moment else None))
    for field in Incident.model_fields:
        if field not in ("title", "severity", "timezone", *times):
            lines.append(dump_value(field, values[field]))
    lines += [dump_value("authors", []), dump_value("facilitator", None)]
    return "\n".join(lines)
