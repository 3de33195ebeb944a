"""Charts as visual evidence: the incident on a time axis, and a metric around the incident.

matplotlib draws them offline (the Agg backend, no network, no screen) as SVG or PNG, by
the output's extension. SVGs are reproducible: the same input gives the same file.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afterword.document import parse_file, render
from afterword.errors import InputError, UsageError
from afterword.files import write_atomic
from afterword.model import EventKind, Postmortem, Section
from afterword.timeline.metrics import key_moments
from afterword.timeline.sources import read
from afterword.timeline.sources.generic import TIME_NAMES, column, parse_time
from afterword.timeutil import elapsed, instant

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Phases shaded on the time axis: (from moment, to moment, label, colour).
PHASES = (
    ("started", "detected", "to detect", "#f4cccc"),
    ("detected", "mitigated", "to mitigate", "#fce5cd"),
    ("mitigated", "resolved", "to resolve", "#d9ead3"),
)
MOMENT_COLOURS = {
    "started": "#cc0000",
    "detected": "#e69138",
    "acknowledged": "#f1c232",
    "mitigated": "#6aa84f",
    "resolved": "#3c78d8",
}
MARKERS = {
    EventKind.DEPLOY: "^",
    EventKind.DETECTED: "o",
    EventKind.MITIGATED: "s",
    EventKind.RESOLVED: "D",
    EventKind.ACKNOWLEDGED: "v",
    EventKind.ESCALATED: "P",
}
FORMATS = (".svg", ".png")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "afterword"
    matplotlib.rcParams["font.size"] = 9
    import matplotlib.pyplot as plt

    return plt


def _check_output(out: Path) -> None:
    if out.suffix.lower() not in FORMATS:
        raise UsageError(f"{out}: the chart must be .svg or .png")


def _save(figure: Figure, out: Path) -> None:
    buffer = io.BytesIO()
    kind = out.suffix.lower().lstrip(".")
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    figure.savefig(buffer, format=kind, bbox_inches="tight", metadata=metadata)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(out)


def _x(moment: datetime) -> float:
    """A time as matplotlib's axis number (days since its epoch, in UTC)."""
    from matplotlib.dates import date2num

    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _mark_moments(axes: Axes, moments: dict[str, datetime | None], top: float) -> None:
    for earlier, later, label, colour in PHASES:
        start, end = moments.get(earlier), moments.get(later)
        if start and end and instant(end) > instant(start):
            axes.axvspan(_x(start), _x(end), color=colour, alpha=0.6, lw=0, label=label)
    shown = [(name, colour) for name, colour in MOMENT_COLOURS.items() if moments.get(name)]
    for step, (name, colour) in enumerate(shown):
        moment = moments[name]
        assert moment is not None
        axes.axvline(_x(moment), color=colour, lw=1.2, ls="--")
        # labels step down the chart so that moments close in time stay readable
        axes.annotate(
            f" {name}",
            (moment, top - 0.13 * step),
            va="top",
            ha="left",
            fontsize=8,
            color=colour,
            xycoords=("data", "axes fraction"),
        )


def timeline_chart(pm: Postmortem, out: Path) -> None:
    """The incident on a time axis: phases shaded, key moments marked, events as markers."""
    _check_output(out)
    events = [event for event in pm.timeline if event.at is not None]
    moments = key_moments(pm)
    times = [e.at for e in events if e.at] + [m for m in moments.values() if m]
    if not times:
        raise InputError(
            "nothing to draw: no timed events and no incident times",
            path=pm.origin.get("path") if pm.origin else None,
        )
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(10, 3.6))
    sources = sorted({event.source or "postmortem" for event in events})
    rows = {source: index for index, source in enumerate(sources)}
    _mark_moments(axes, moments, 0.98)
    for event in events:
        assert event.at is not None
        axes.plot(
            _x(event.at),
            rows[event.source or "postmortem"],
            marker=MARKERS.get(event.kind, ".") if event.kind else ".",
            color="#333333",
            ms=6,
            ls="none",
        )
    axes.set_yticks(range(len(sources)), sources)
    axes.set_ylim(-0.8, max(len(sources) - 0.2, 0.8))
    _time_axis(axes, *_focus(moments, times))
    axes.set_title(pm.title, loc="left")
    _legend(axes)
    _save(figure, out)
    plt.close(figure)


def _focus(moments: dict[str, datetime | None], times: list[datetime]) -> tuple[datetime, datetime]:
    """The span to show: the incident and a quarter of its length on each side when its
    start and end are known (events long after it would squash it to a line), else all."""
    start, end = moments.get("started"), moments.get("resolved")
    if start and end and end > start:
        margin = (end - start) / 4
        return start - margin, end + margin
    return min(times), max(times)


def _time_axis(axes: Axes, first: datetime, last: datetime) -> None:
    import matplotlib.dates as mdates

    margin = max(elapsed(first, last) * 0.05, timedelta(minutes=2))
    axes.set_xlim(_x(first - margin), _x(last + margin))
    zone = first.tzinfo or UTC
    locator = mdates.AutoDateLocator(tz=zone)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=zone)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)
    axes.grid(axis="x", color="#dddddd", lw=0.5)
    name = getattr(zone, "key", None) or zone.tzname(first) or "UTC"
    axes.set_xlabel(f"time ({name})")


def _legend(axes: Axes) -> None:
    handles, labels = axes.get_legend_handles_labels()
    if handles:
        axes.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
        )


Series = dict[str, list[tuple[datetime, float]]]


def read_series(path: Path, zone: Any = None) -> Series:
    """A metric exported from a dashboard: CSV ``time,value[,series]`` or Prometheus
    ``query_range`` JSON (``{"data": {"result": [{"metric", "values"}]}}``)."""
    if path.suffix.lower() == ".json":
        return _prometheus(path)
    text = read(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError("empty metric file", path=path)
    header = [name.strip().lower() for name in rows[0]]
    at = column(header, TIME_NAMES, path, "time")
    value = column(header, ("value", "y", "count", "rate"), path, "value")
    name = header.index("series") if "series" in header else None
    series: Series = defaultdict(list)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            number_value = float(row[value])
        except (IndexError, ValueError):
            raise InputError(
                "value is not a number", path=path, line=number, field="value"
            ) from None
        key = row[name].strip() if name is not None and name < len(row) else path.stem
        series[key].append((parse_time(row[at], zone, path, number), number_value))
    return dict(series)


def _prometheus(path: Path) -> Series:
    from afterword.timeline.sources import read_json

    data = read_json(path)
    result = data.get("data", {}).get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        raise InputError(
            "not a Prometheus query_range result: no data.result list",
            path=path,
            field="data.result",
        )
    series: Series = {}
    for index, item in enumerate(result):
        labels = item.get("metric") or {}
        name = labels.get("__name__", "")
        rest = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
        key = f"{name}{{{rest}}}" if rest else (name or f"series {index + 1}")
        try:
            series[key] = [
                (datetime.fromtimestamp(float(t), UTC), float(v))
                for t, v in item.get("values") or (item.get("value") and [item["value"]])
            ]
        except (TypeError, ValueError):
            raise InputError(
                f"series {index + 1}: values must be [time, value] pairs", path=path, field="values"
            ) from None
    return series


def metric_graph(series: Series, pm: Postmortem, out: Path, title: str | None = None) -> None:
    """A metric plotted around the incident window, with the key moments marked."""
    _check_output(out)
    if not series or not any(series.values()):
        raise InputError("the metric file has no points")
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(10, 3.6))
    moments = key_moments(pm)
    for name, points in sorted(series.items()):
        points = sorted(points)
        axes.plot([_x(p[0]) for p in points], [p[1] for p in points], lw=1.4, label=name)
    _mark_moments(axes, moments, 0.98)
    times = [p[0] for points in series.values() for p in points]
    _time_axis(axes, *_focus(moments, times))
    axes.set_title(title or pm.title, loc="left")
    _legend(axes)
    _save(figure, out)
    plt.close(figure)


def embed(path: Path, image: Path, alt: str) -> bool:
    """Link the image under Supporting information (added if missing); False if already there."""
    pm = parse_file(path)
    target = Path(image)
    try:
        link = target.resolve().relative_to(path.resolve().parent).as_posix()
    except ValueError:
        link = target.resolve().as_posix()
    line = f"![{alt}]({link})"
    section = pm.section("supporting")
    if section is not None and f"]({link})" in section.body:
        return False
    if section is None:
        pm.sections.append(
            Section(
                heading="Supporting information and graphs",
                level=2,
                line=0,
                key="supporting",
                body=line,
            )
        )
    else:
        section.body = f"{section.body.rstrip()}\n\n{line}" if section.body.strip() else line
    write_atomic(path, render(pm))
    return True
