"""Progress drawn in text: a sparkline per session and a bar per week, in unicode
blocks, so a terminal (or a log, or an SSH session) shows it as is."""

from __future__ import annotations

from collections.abc import Sequence

from coach.base.printable import printable
from coach.history.progress import ONE_REP_MAX_FORMULA, ExerciseStats, amount, number, plural
from coach.history.progress import (
    clock as clock,  # the app's one clock text, said here with the charts
)

_SPARKS = "▁▂▃▄▅▆▇█"
_BAR_WIDTH = 24


def sparkline(values: Sequence[float]) -> str:
    """The lowest value as ▁ and the highest as █; all alike draw a flat middle."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _SPARKS[3] * len(values)
    top = len(_SPARKS) - 1
    return "".join(_SPARKS[round((v - low) / (high - low) * top)] for v in values)


def bar(value: float, most: float, width: int = _BAR_WIDTH) -> str:
    """A bar in eighths of a cell, so small differences still show."""
    eighths = round(value / most * width * 8) if most > 0 else 0
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(width, "·")


def exercise_chart(stats: ExerciseStats) -> list[str]:
    unit = f" {stats.unit}" if stats.unit else ""
    worked = f"intervals {stats.intervals}" if stats.intervals else ""
    if stats.seconds_worked:
        worked += f"{' · ' if worked else ''}worked {clock(stats.seconds_worked)}"
    lines = [
        f"{printable(stats.exercise)} — {plural(stats.sessions, 'session')}, "
        f"{plural(stats.sets, 'set')}, weekly streak {plural(stats.streak, 'week')}",
        "  " + (" · ".join(part for part, shown in (
            (f"reps {stats.reps}", stats.reps),
            (f"held {clock(stats.seconds_held)}", stats.seconds_held),
            (f"rounds {stats.rounds}", stats.rounds),
            (worked, worked),
            (f"minutes {stats.minutes}", stats.minutes),
            (f"under tension {clock(stats.tempo_seconds)}", stats.tempo_seconds),
            (f"volume {number(stats.volume)}{unit}", stats.loaded),
        ) if shown) or "nothing done yet"),
    ]  # fmt: skip
    if stats.best_set:
        lines.append(f"  best set {printable(stats.best_set)}")
    points = stats.points
    if stats.one_rep_max is not None:
        maxes = [p.one_rep_max for p in points if p.one_rep_max is not None]
        lines.append(f"  est. 1RM {number(stats.one_rep_max)}{unit} ({ONE_REP_MAX_FORMULA})")
        lines.append(
            f"  1RM by session  {sparkline(maxes)}  {number(maxes[0])} → {number(maxes[-1])}{unit}"
        )
    elif stats.measure != "volume" and any(amount(p, stats.measure) for p in points):
        label, suffix = _BY_SESSION[stats.measure]
        values = [amount(p, stats.measure) for p in points]
        lines.append(
            f"  {label} by session {sparkline(values)}  "
            f"{number(values[0])}{suffix} → {number(values[-1])}{suffix}"
        )
    what = f"volume{unit}" if stats.loaded else stats.measure_title
    most = max(stats.weeks.values(), default=0.0)
    lines.append(f"  week of      {what}")
    for monday, amount_ in stats.weeks.items():
        lines.append(f"  {monday.isoformat()}  {bar(amount_, most)} {number(amount_)}")
    return lines


# A sparkline's label and the unit after its first and last values, per measure.
_BY_SESSION = {
    "reps": ("reps", ""),
    "seconds_held": ("held", "s"),
    "rounds": ("rounds", ""),
    "minutes": ("minutes", ""),
    "seconds_worked": ("worked", "s"),
}


def chart(all_stats: Sequence[ExerciseStats]) -> str:
    return "\n\n".join("\n".join(exercise_chart(s)) for s in all_stats)
