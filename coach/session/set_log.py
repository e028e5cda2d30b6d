"""Logging a set by voice in the rest after it: what the coach asks, and says back.

The session keeps one logging window open at a time (the rest after a set of an
exercise with `log:`); values said in it are kept per kind, the later winning. It asks
for one kind at a time, in the order of `log:`, so the listener hears only that kind's
values (and a bare number is one of them).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence

from coach.words.log_values import LoggedValue

# How each kind is asked for.
NAMES = {"load": "load", "rpe": "RPE", "rir": "reps in reserve", "reps": "reps"}


# What the coach says to a value it can't log as the kind asked ("0" after "Load?").
_REFUSED = {
    "load": "A load is one to three hundred, in halves.",
    "rpe": "RPE is one to ten, in halves.",
    "rir": "Reps in reserve are zero to ten.",
    "reps": "Reps are one to a hundred.",
}


def refused(kind: str) -> str:
    """ "Can't log that. A load is one to three hundred, in halves." """
    return f"Can't log that. {_REFUSED[kind]}"


def question(kind: str) -> str:
    """ "Load?", "RPE?", "Reps in reserve?"."""
    return _sentence(NAMES.get(kind, kind), "?")


def next_asked(kinds: Sequence[str], logged: Container[str]) -> str | None:
    """The first of the set's `kinds` not logged yet; None once all are."""
    return next((kind for kind in kinds if kind not in logged), None)


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
