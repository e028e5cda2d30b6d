"""`coach stats --html`: one page, plots drawn by matplotlib and kept inside it as SVG,
so it opens offline and can be mailed as one file."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any

from coach.app.charts import clock
from coach.errors import CoachError
from coach.stats import ONE_REP_MAX_FORMULA, ExerciseStats, number

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table.figures td { padding: 0.15em 1.2em 0.15em 0; } table.figures td:first-child { color: #666; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
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
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # the XML header can't sit inside HTML


def _plots(stats: ExerciseStats) -> str:
    plt = _pyplot()
    points = stats.points
    days = [p.day for p in points]
    unit = f" ({stats.unit})" if stats.unit else ""
    panels: list[tuple[str, list[float], str]] = []
    if stats.loaded:
        maxes = [p.one_rep_max or float("nan") for p in points]
        panels.append((f"Estimated 1RM{unit}", maxes, "o-"))
        panels.append((f"Volume{unit}", [p.volume for p in points], "s-"))
    if any(p.reps for p in points):
        panels.append(("Reps", [float(p.reps) for p in points], "^-"))
    if any(p.seconds_held for p in points):
        panels.append(("Seconds held", [p.seconds_held for p in points], "d-"))
    figure, axes = plt.subplots(len(panels), 1, figsize=(8, 2.4 * len(panels)), sharex=True,
                                squeeze=False)  # fmt: skip
    for axis, (title, values, style) in zip(axes[:, 0], panels, strict=True):
        axis.plot(days, values, style, color="#1f6feb")
        axis.set_ylabel(title)
        axis.grid(True, alpha=0.3)
    axes[-1, 0].tick_params(axis="x", rotation=30)
    try:
        return _svg(figure)
    finally:
        plt.close(figure)


def _figures(stats: ExerciseStats) -> str:
    unit = f" {stats.unit}" if stats.unit else ""
    last = stats.points[-1].day.isoformat() if stats.points else "never"
    rows = [
        ("Sessions", str(stats.sessions)),
        ("Sets", str(stats.sets)),
        ("Weekly streak", f"{stats.streak} weeks (last session {last})"),
    ]
    if stats.reps:
        rows.append(("Reps", str(stats.reps)))
    if stats.seconds_held:
        rows.append(("Time held", clock(stats.seconds_held)))
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


def page(all_stats: Sequence[ExerciseStats], *, practice: bool = False) -> str:
    sections = "".join(
        f"<section><h2>{html.escape(s.exercise)}</h2>{_figures(s)}<figure>{_plots(s)}</figure>"
        "</section>"
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
