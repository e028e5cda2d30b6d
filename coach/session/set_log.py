"""Logging a set by voice in the rest after it: what the coach asks, and says back.

The session keeps one logging window open at a time (the rest after a set of an
exercise with `log:`); values said in it are kept per kind, the later winning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coach.log_values import LoggedValue

# How each kind is asked for.
NAMES = {"load": "load", "rpe": "RPE", "rir": "reps in reserve", "reps": "reps"}


def ask_text(kinds: Sequence[str]) -> str:
    """ "Load and RPE?" for `log: [load, rpe]`."""
    said = [NAMES.get(kind, kind) for kind in kinds]
    text = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    return _sentence(text, "?")


def said_back(values: Iterable[LoggedValue]) -> str:
    """ "Eighty kilos, RPE eight." """
    return _sentence(", ".join(value.spoken() for value in values), ".")


def with_unit(value: LoggedValue, unit: str) -> LoggedValue:
    """A load said without a unit is in the configured one."""
    if value.kind == "load" and value.unit is None:
        return LoggedValue(value.kind, value.value, unit)
    return value


def _sentence(text: str, end: str) -> str:
    return text[:1].upper() + text[1:] + end
