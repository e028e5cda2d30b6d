"""Checks for `progression:`, the rule that moves an exercise's target between sessions.

A mixin of the script checker (coach.script.validate): the rule is read where it is
written (in `defaults` or an exercise), then checked against each exercise it ends up
in, since whether it can work depends on that exercise's kind, reps and log.
"""

from __future__ import annotations

import math

from coach.script.model import MAX_LOAD, Exercise, Progression
from coach.script.problems import Reports, show
from coach.script.validate_work import KIND_WORDS
from coach.script.yamlpos import NodePath

PROGRESSION_KEYS: tuple[str, ...] = ("add_reps", "up_to", "add_load", "start_load")
# Plates go on a few kilos at a time; fifty more a session is a typo.
MAX_LOAD_STEP = 50.0
_EXAMPLE = "{add_reps: 1, up_to: 12, add_load: 2.5} or {add_load: 2.5}"


def _in_halves(value: object, low: float, high: float) -> float | None:
    """A number from low to high in steps of a half, as loads are said; else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if low <= value <= high and float(value * 2).is_integer() else None


class ProgressionChecks(Reports):
    """What validate._Checker gets from this mixin."""

    def progression(self, value: object, path: NodePath, max_reps: int) -> Progression | None:
        """The rule as written, or None after reporting what is wrong with it."""
        if not isinstance(value, dict):
            self.report(
                path, f"progression: expected a mapping such as {_EXAMPLE}, got {show(value)}"
            )
            return None
        self.unknown_keys(value, path, PROGRESSION_KEYS, "in progression")
        ok = all(key in PROGRESSION_KEYS for key in value)
        add_reps = up_to = 0
        if "add_reps" in value:
            add_reps = (
                self.whole(value["add_reps"], (*path, "add_reps"), "add_reps", 1, max_reps) or 0
            )
            ok = ok and add_reps > 0
        if "up_to" in value:
            up_to = self.whole(value["up_to"], (*path, "up_to"), "up_to", 1, max_reps) or 0
            ok = ok and up_to > 0
        load_ok, add_load = self.load(value, path, "add_load", MAX_LOAD_STEP)
        start_ok, start_load = self.load(value, path, "start_load", MAX_LOAD)
        if not ok:  # a misspelt key or a bad number, reported: the checks below would guess
            return None
        ok = load_ok and start_ok
        if "add_reps" in value and "up_to" not in value:
            self.report(
                (*path, "add_reps"),
                "progression: add_reps needs up_to, the most reps to climb to "
                "(e.g. add_reps: 1, up_to: 12)",
            )
            ok = False
        if "up_to" in value and "add_reps" not in value:
            self.report(
                (*path, "up_to"),
                "progression: up_to needs add_reps, the reps added each session (e.g. add_reps: 1)",
            )
            ok = False
        if ok and not add_reps and not add_load:
            self.report(path, f"progression: nothing to add; write e.g. {_EXAMPLE}")
            ok = False
        if not ok:
            return None
        return Progression(add_reps, up_to, add_load or 0.0, start_load)

    def load(
        self, rule: dict[str, object], path: NodePath, key: str, high: float
    ) -> tuple[bool, float | None]:
        """Whether a load of the rule is good, and its value (None when not given)."""
        if key not in rule:
            return True, None
        load = _in_halves(rule[key], 0.5, high)
        if load is None:
            self.report(
                (*path, key),
                f"{key}: expected a load from 0.5 to {high:g} in halves (in log.unit, "
                f"kg or lb), got {show(rule[key])}",
            )
        return load is not None, load

    def check_progression(self, exercise: Exercise, at: NodePath, own: bool) -> Progression | None:
        """The rule as it applies to this exercise, reporting a rule that can't work in it.

        A rule inherited from `defaults` passes over exercises that aren't sets of reps,
        as `log` does; one written on such an exercise is a mistake.
        """
        rule = exercise.progression
        if rule is None:
            return None
        name = exercise.name or "this exercise"
        if exercise.kind != "reps":
            if own:
                self.report_key(
                    at,
                    f"progression: '{name}' is {KIND_WORDS.get(exercise.kind, exercise.kind)}; "
                    "a progression is for sets of reps, so take it off here",
                )
            return None
        needs_load = [key for key, value in (("add_load", rule.add_load),
                                             ("start_load", rule.start_load)) if value]  # fmt: skip
        if needs_load and "load" not in exercise.log:
            logs = f"logs {', '.join(exercise.log)}" if exercise.log else "logs nothing"
            self.report_once(
                at,
                f"load:{name}",
                f"progression: {needs_load[0]} needs the load logged, and '{name}' {logs}; "
                f"add load to its log (e.g. log: [load, {', '.join(exercise.log) or 'rpe'}])"
                + ("" if own else ", or give it a progression of its own"),
            )
        if rule.add_reps and rule.up_to < exercise.reps:
            self.report_once(
                (*at, "up_to"),
                f"up_to:{name}",
                f"progression: up_to {rule.up_to} is below the {exercise.reps} reps of '{name}', "
                f"where the reps climb from; make it at least {exercise.reps}",
            )
        return rule

