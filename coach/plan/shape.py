"""A plan's shape — its exercises, sides, sets and reps — saved with a session.

History keys a rep by its position (exercise 2, left side, set 1, rep 3), so a
stopped session resumed after its script gained an exercise or lost a rep would
count the wrong reps. The shape says whether, and what, changed.
"""

from __future__ import annotations

import json

from coach.script.model import Exercise, Workout


def shape(workout: Workout) -> str:
    return json.dumps([_exercise(e) for e in workout.exercises], ensure_ascii=False)


def _exercise(e: Exercise) -> dict[str, object]:
    found: dict[str, object] = {
        "name": e.name, "sides": list(e.sides), "sets": e.sets, "reps": e.reps
    }  # fmt: skip
    # Only for the kinds keyed by rounds and intervals, so rep scripts keep their shape.
    if e.kind != "reps":
        found["kind"] = e.kind
        found["rounds"] = e.rounds
        found["intervals"] = len(e.intervals)
    return found


def planned(saved: str) -> dict[str, tuple[int, int]]:
    """The sets and reps each exercise of a saved shape planned, by name."""
    try:
        exercises = json.loads(saved)
    except ValueError:
        return {}
    return {e["name"]: (e["sets"], e["reps"]) for e in exercises}


def what_changed(saved: str, current: str) -> str | None:
    """The first difference between two shapes, in words; None when they are the same."""
    if saved == current:
        return None
    try:
        before, after = json.loads(saved), json.loads(current)
    except ValueError:
        return "its exercises changed"
    for index, (old, new) in enumerate(zip(before, after, strict=False)):
        if old["name"] != new["name"]:
            return f"exercise {index + 1} was '{old['name']}', now '{new['name']}'"
        for key, noun in (("sets", "sets"), ("reps", "reps per set")):
            if old[key] != new[key]:
                return f"'{new['name']}' has {new[key]} {noun}, not {old[key]}"
        if old["sides"] != new["sides"]:
            sides = ", ".join(new["sides"]) or "none"
            return f"the sides of '{new['name']}' are now {sides}"
        for key in ("kind", "rounds", "intervals"):
            if old.get(key) != new.get(key):
                return f"the {key} of '{new['name']}' changed"
    if len(after) > len(before):
        return f"'{after[len(before)]['name']}' was added"
    return f"'{before[len(after)]['name']}' was taken out"
