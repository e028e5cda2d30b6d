"""Which cue item is said at a step: rotation, conditions, and the words filled in."""

from __future__ import annotations

from collections import defaultdict

from coach.script.model import CueItem, Exercise, Workout


class CuePicker:
    """Chooses which cue item is said, rotating per exercise and cue key."""

    def __init__(self) -> None:
        self._said: defaultdict[tuple[int, str, str], int] = defaultdict(int)

    def pick(
        self,
        exercise_index: int,
        exercise: Exercise,
        key: str,
        *,
        set_number: int,
        side: str | None,
        rep: int | None,
    ) -> CueItem | None:
        items = exercise.cues.get(key, ())
        conditional = [
            i for i in items if i.conditional and matches(i, exercise, set_number, side, rep)
        ]
        plain = [i for i in items if not i.conditional]
        pool, which = (conditional, "conditional") if conditional else (plain, "plain")
        if not pool:
            return None
        # Plain items keep their own turn, so a conditional item said in
        # between doesn't make the rotation skip one.
        counter = (exercise_index, key, which)
        turn = self._said[counter]
        self._said[counter] = turn + 1
        return pool[turn % len(pool)]


def selected(selectors: tuple[int | str, ...], value: int | None, last: int) -> bool:
    if value is None:
        return False
    for s in selectors:
        if s == value or (s == "first" and value == 1) or (s == "last" and value == last):
            return True
    return False


def matches(
    item: CueItem, ex: Exercise, set_number: int, side: str | None, rep: int | None
) -> bool:
    if item.reps is not None and not selected(item.reps, rep, ex.reps):
        return False
    if item.sets is not None and not selected(item.sets, set_number, ex.sets):
        return False
    if item.sides is not None and side not in item.sides:
        return False
    if item.every is not None:
        # Rep cues count reps; set-level cues (setup, rest, …) count sets.
        counted = rep if rep is not None else set_number
        if counted % item.every != 0:
            return False
    return True


def seconds_text(value: float) -> str:
    """Seconds as a cue says them: 45, or 2.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def other_side(ex: Exercise, side: str | None) -> str:
    if side is None:
        return ""
    return ex.sides[(ex.sides.index(side) + 1) % len(ex.sides)]


def describe_next(workout: Workout, exercise_index: int, set_number: int) -> str:
    ex = workout.exercises[exercise_index]
    if set_number < ex.sets:
        text = f"set {set_number + 1} of {ex.sets}"
        return f"{text}, {ex.sides[0]} side" if ex.sides else text
    if exercise_index + 1 < len(workout.exercises):
        return workout.exercises[exercise_index + 1].name
    return "the end of the workout"


