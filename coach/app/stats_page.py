"""`coach stats --html`: one page, plots drawn by matplotlib and kept inside it as SVG,
so it opens offline and can be mailed as one file."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import isnan, nan
from typing import Any

from coach.base.errors import CoachError
from coach.history.progress import ONE_REP_MAX_FORMULA, ExerciseStats, clock, number, plural

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table.figures td { padding: 0.15em 1.2em 0.15em 0; }
table.figures td:first-child { color: #666; width: 20em; }
figure { margin: 1em 0; } figure svg { width: 100%; height: auto; }
p.note { color: #666; font-size: 0.9em; }
"""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed: the plots only go into the page
        import matplotlib.pyplot as plt
    except ImportError:
        raise CoachError(
            "--html needs matplotlib for its plots: pip install 'coach[stats]'"
        ) from None
    return plt


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    # No date in it: the same history draws the same page.
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # the XML header can't sit inside HTML


# The x-axis spans at least this: one day of data reads as a day in a week, not as a
# point in the four years matplotlib would give a lone date.
_MIN_SPAN = timedelta(days=7)
# A figure's size in inches: as wide as the page's text, with fixed margins (left, top,
# right, bottom) for the axis labels, so every exercise's plots have one width.
_WIDTH, _PANEL_HEIGHT, _MARGINS = 9.0, 1.8, (1.1, 0.15, 0.25, 0.55)


@dataclass(frozen=True)
class _Panel:
    title: str
    values: list[float]  # one a session; nan where it has none
    marker: str
    counts: bool = True  # whole numbers: no tick at half a round


def _panels(stats: ExerciseStats) -> list[_Panel]:
    """A panel for each measure the exercise has data for."""
    points = stats.points
    unit = f" ({stats.unit})" if stats.unit else ""
    panels = []
    if stats.loaded:
        maxes = [nan if p.one_rep_max is None else p.one_rep_max for p in points]
        panels.append(_Panel(f"Estimated 1RM{unit}", maxes, "o", counts=False))
        panels.append(_Panel(f"Volume{unit}", [p.volume for p in points], "s", counts=False))
    for panel in (
        _Panel("Reps", [float(p.reps) for p in points], "^"),
        _Panel("Seconds held", [p.seconds_held for p in points], "d", counts=False),
        _Panel("AMRAP rounds", [float(p.rounds) for p in points], "v"),
        _Panel("EMOM minutes", [float(p.minutes) for p in points], "p"),
        _Panel("Seconds worked\nin intervals",
               [p.seconds_worked if p.intervals else 0.0 for p in points], "h", counts=False),
    ):  # fmt: skip
        if any(panel.values):
            panels.append(panel)
    return panels


def _x_range(points: Sequence[datetime]) -> tuple[datetime, datetime]:
    first, last = min(points), max(points)
    pad = max((last - first) * 0.02, timedelta(hours=12))
    first, last = first - pad, last + pad
    if last - first < _MIN_SPAN:  # a new user's few days sit at the right, with room left
        first = last - _MIN_SPAN
    return first, last


def drawing(stats: ExerciseStats) -> Any:
    """The exercise's plots as a matplotlib figure, one panel a measure, sharing a time
    axis; None when it has nothing to plot. The caller closes it."""
    panels = _panels(stats)
    if not panels:
        return None
    plt = _pyplot()
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    times = [p.at for p in stats.points]  # times, not days: two sessions a day are two points
    marker_size = 5 if len(times) <= 60 else 3  # a year of sessions still reads as a line
    height = _PANEL_HEIGHT * len(panels) + _MARGINS[1] + _MARGINS[3]
    figure, axes = plt.subplots(len(panels), 1, figsize=(_WIDTH, height), sharex=True,
                                squeeze=False)  # fmt: skip
    left, top, right, bottom = _MARGINS  # the same for every exercise: the plots line up
    figure.subplots_adjust(left=left / _WIDTH, right=1 - right / _WIDTH, top=1 - top / height,
                           bottom=bottom / height, hspace=0.25)  # fmt: skip
    for axis, panel in zip(axes[:, 0], panels, strict=True):
        axis.plot(times, panel.values, marker=panel.marker, linestyle="-", color="#1f6feb",
                  markersize=marker_size, linewidth=1.4)  # fmt: skip
        axis.set_ylabel(panel.title)
        axis.grid(True, alpha=0.3)
        axis.set_ylim(bottom=0, top=max(v for v in panel.values if not isnan(v)) * 1.15 or 1)
        axis.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=panel.counts))
    x_axis = axes[-1, 0]
    # Few enough labels that none overlap.
    locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    x_axis.xaxis.set_major_locator(locator)
    # Days as "Mon 02", so a week reads as one; months as "Mar", with the year once.
    formats = ["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"]
    concise = ConciseDateFormatter(locator, formats=formats)  # type: ignore[no-untyped-call]
    x_axis.xaxis.set_major_formatter(concise)
    x_axis.set_xlim(*_x_range(times))
    figure.align_ylabels(axes[:, 0])
    return figure


def _plots(stats: ExerciseStats) -> str:
    figure = drawing(stats)
    if figure is None:
        return ""
    try:
        return _svg(figure)
    finally:
        _pyplot().close(figure)


def _figures(stats: ExerciseStats) -> str:
    unit = f" {stats.unit}" if stats.unit else ""
    last = stats.points[-1].day.isoformat() if stats.points else "never"
    rows = [
        ("Sessions", str(stats.sessions)),
        ("Sets", str(stats.sets)),
        ("Weekly streak", f"{plural(stats.streak, 'week')} (last session {last})"),
    ]
    if stats.reps:
        rows.append(("Reps", str(stats.reps)))
    if stats.seconds_held:
        rows.append(("Time held", clock(stats.seconds_held)))
    if stats.rounds:
        rows.append(("AMRAP rounds", str(stats.rounds)))
    if stats.intervals:
        rows.append(("Intervals done", str(stats.intervals)))
    if stats.seconds_worked:
        rows.append(("Time worked", clock(stats.seconds_worked)))
    if stats.minutes:
        rows.append(("EMOM minutes", str(stats.minutes)))
    if stats.tempo_seconds:
        rows.append(("Time under tension (from the tempo)", clock(stats.tempo_seconds)))
    if stats.loaded:
        rows.append(("Volume (load × reps)", number(stats.volume) + unit))
        rows.append(("Estimated 1RM", f"{number(stats.one_rep_max or 0.0)}{unit}"))
    if stats.best_set:
        rows.append(("Best set", stats.best_set))
    cells = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    return f'<table class="figures">{cells}</table>'


def _figure(stats: ExerciseStats) -> str:
    drawn = _plots(stats)
    return f"<figure>{drawn}</figure>" if drawn else ""


def page(all_stats: Sequence[ExerciseStats], *, practice: bool = False) -> str:
    sections = "" if all_stats else "<p>No sets to show yet. Train with `coach run demo`.</p>"
    sections += "".join(
        f"<section><h2>{html.escape(s.exercise)}</h2>{_figures(s)}{_figure(s)}</section>"
        for s in all_stats
    )
    counted = "Practice runs included." if practice else "Practice runs (sped up or without "
    counted += "" if practice else "audio) left out."
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>coach: progress</title>"
        f"<style>{_STYLE}</style></head><body><h1>Progress</h1>"
        f'<p class="note">{html.escape(counted)} Estimated one-rep max: '
        f"{html.escape(ONE_REP_MAX_FORMULA)}.</p>{sections}</body></html>\n"
    )
