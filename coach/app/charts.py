"""Progress drawn in text: a sparkline per session and a bar per week, in unicode
blocks, so a terminal (or a log, or an SSH session) shows it as is."""

from __future__ import annotations

from collections.abc import Sequence

from coach.printable import printable
from coach.stats import ONE_REP_MAX_FORMULA, ExerciseStats, number

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


def clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def exercise_chart(stats: ExerciseStats) -> list[str]:
    unit = f" {stats.unit}" if stats.unit else ""
    s = "" if stats.sessions == 1 else "s"
    weeks = f"{stats.streak} week{'' if stats.streak == 1 else 's'}"
    lines = [
        f"{printable(stats.exercise)} — {stats.sessions} session{s}, {stats.sets} sets, "
        f"weekly streak {weeks}",
        "  " + " · ".join(part for part, shown in (
            (f"reps {stats.reps}", stats.reps),
            (f"held {clock(stats.seconds_held)}", stats.seconds_held),
            (f"under tension {clock(stats.tempo_seconds)}", stats.tempo_seconds),
            (f"volume {number(stats.volume)}{unit}", stats.loaded),
        ) if shown),
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
    elif any(p.reps for p in points):
        reps = [float(p.reps) for p in points]
        lines.append(f"  reps by session {sparkline(reps)}  {reps[0]:g} → {reps[-1]:g}")
    elif any(p.seconds_held for p in points):
        held = [p.seconds_held for p in points]
        lines.append(f"  held by session {sparkline(held)}  {held[0]:g}s → {held[-1]:g}s")
    what = f"volume{unit}" if stats.loaded else (
        "reps" if any(p.reps for p in points) else "seconds held")  # fmt: skip
    most = max(stats.weeks.values(), default=0.0)
    lines.append(f"  week of      {what}")
    for monday, amount in stats.weeks.items():
        lines.append(f"  {monday.isoformat()}  {bar(amount, most)} {number(amount)}")
    return lines


def chart(all_stats: Sequence[ExerciseStats]) -> str:
    return "\n\n".join("\n".join(exercise_chart(s)) for s in all_stats)
