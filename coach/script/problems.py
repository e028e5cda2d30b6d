"""What is wrong with a script, where, and the words that help: the messages' parts."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from coach.base.printable import printable
from coach.script.model import CueItem
from coach.script.yamlpos import NodePath, Position


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a script, where it was written (1-based)."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return printable(f"{self.file}:{self.line}:{self.column}: {self.message}")

    @classmethod
    def at(cls, position: Position, message: str) -> Problem:
        return cls(position.file, position.line, position.column, message)


@dataclass
class CueRead:
    """A cue item as read, with the paths later, per-exercise checks report at."""

    item: CueItem
    text_path: NodePath
    variables: tuple[str, ...]
    side_paths: tuple[tuple[str, NodePath], ...] = ()
    rep_paths: tuple[tuple[int, NodePath], ...] = ()
    set_paths: tuple[tuple[int, NodePath], ...] = ()
    every_path: NodePath | None = None


class Reports:
    """How the script checker's mixins (validate_cues, _work, _progression) report: through
    validate._Checker, so every problem carries the FILE:LINE:COL of its node."""

    report: Callable[[NodePath, str], None]
    warn: Callable[[NodePath, str], None]  # not wrong, but it won't do what it seems to
    report_key: Callable[[NodePath, str], None]
    report_once: Callable[[NodePath, str, str], None]
    unknown_keys: Callable[[dict[str, object], NodePath, Sequence[str], str], None]
    whole: Callable[[object, NodePath, str, int, int], int | None]


def is_int(value: object) -> TypeGuard[int]:
    """A whole number as YAML reads one (its true and false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def show(value: object) -> str:
    """A value as the user wrote it in YAML, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + (value if len(value) <= 40 else value[:37] + "...") + "'"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!s:.40}"


# Names people reach for that are too far from ours for spelling to find.
_SYNONYMS: dict[str, str] = {
    "reps_remaining": "reps_left",
    "remaining": "reps_left",
    "reps_to_go": "reps_left",
    "left": "reps_left",
    "next_exercise": "next",
    "next_up": "next",
    "exercise_name": "exercise",
    "name": "exercise",
    "workout_name": "workout",
    "set_number": "set",
    "rep_number": "rep",
    "total_sets": "sets",
    "total_reps": "reps",
    "rest_seconds": "rest",
    "rest_time": "rest",
    "other": "other_side",
    "leg": "side",
}


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice `word` was probably meant to be, or None."""
    word = word.strip().lower()
    # Swapped letters ("rpes", "drvie") are the commonest typo, and difflib
    # scores them no better than a different word ("rets" ties "sets").
    close = [c for c in choices if c == word] or [c for c in choices if sorted(c) == sorted(word)]
    close = close or [c for c in choices if c == _SYNONYMS.get(word)]
    close = close or difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


def did_you_mean(word: str, choices: Sequence[str], quote: str = "'") -> str:
    """'; did you mean X?' when a close match exists, else ''."""
    close = closest(word, choices)
    if close is None:
        return ""
    end = "}" if quote == "{" else quote
    return f"; did you mean {quote}{close}{end}?"
