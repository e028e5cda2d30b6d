"""Today's target of each exercise with a `progression:` rule, from its last session.

After a session in which every set reached the target, a double progression adds
`add_reps` up to `up_to`, then `add_load` and goes back to the script's reps; a
linear one adds `add_load` each time, never past the most a load can be logged as (300;
there the load stays and the reps stay at the top). A missed target is set again. No I/O: the app
reads the last sessions from the history and hands them in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from coach.script.model import MAX_LOAD, Progression, Workout
from coach.words.log_values import LoggedValue, reps_at_load

KG_PER_LB = 0.45359237


@dataclass(frozen=True)
class DoneSet:
    """One set of the exercise last time, all its sides together."""

    counted: int  # reps the coach counted (the fewer of its sides)
    logged_reps: float | None = None  # reps the athlete logged, e.g. a set that failed

    @property
    def reps(self) -> int:
        return int(self.logged_reps) if self.logged_reps is not None else self.counted


@dataclass(frozen=True)
class LastSession:
    """What the exercise's last session planned for it, and what was done."""

    planned_sets: int
    planned_reps: int  # the target then
    sets: tuple[DoneSet, ...]
    # The latest load logged: in it, or before, should it have logged none.
    load: LoggedValue | None = None

    @property
    def reached(self) -> bool:
        """Every planned set was done with the planned reps."""
        return len(self.sets) >= self.planned_sets and all(
            done.reps >= self.planned_reps for done in self.sets
        )

    def load_in(self, unit: str) -> float | None:
        """The latest load logged, in `unit`."""
        if self.load is None or self.load.value is None:
            return None
        if self.load.unit in (None, unit):
            return self.load.value
        kg = unit == "kg"
        converted = self.load.value * KG_PER_LB if kg else self.load.value / KG_PER_LB
        # Loads are said and logged in halves, up to the most a load can be logged as.
        return min(round(converted * 2) / 2, MAX_LOAD)


@dataclass(frozen=True)
class Target:
    """What the athlete aims for today: reps per set, and the load when one is known."""

    reps: int
    load: float | None = None
    unit: str = "kg"

    def spoken(self) -> str:
        """ "nine at sixty kilos" """
        load = None if self.load is None else LoggedValue("load", self.load, self.unit)
        return reps_at_load(self.reps, load)


def target(rule: Progression, reps: int, last: LastSession | None, unit: str) -> Target:
    """Today's target of an exercise of `reps` reps a set, after its `last` session."""
    if last is None:
        return Target(reps, rule.start_load, unit)
    load = last.load_in(unit)
    if load is None:
        load = rule.start_load
    # The reps stay in the script's range, should the script have changed since.
    planned = min(max(reps, last.planned_reps), rule.up_to) if rule.add_reps else reps
    if not last.reached:
        return Target(planned, load, unit)
    if rule.add_reps and planned < rule.up_to:
        return Target(min(planned + rule.add_reps, rule.up_to), load, unit)
    if rule.add_load and load is not None and load < MAX_LOAD:
        # Never past what can be logged: a target the athlete couldn't log is no target.
        return Target(reps, min(load + rule.add_load, MAX_LOAD), unit)
    return Target(planned, load, unit)  # at the top, with no load to add to


def targets(workout: Workout, last: Mapping[str, LastSession], unit: str) -> dict[int, Target]:
    """Today's target of each exercise with a rule, by exercise index; `last` is each
    exercise's last session, by name (none yet: not in it)."""
    return {
        index: target(exercise.progression, exercise.reps, last.get(exercise.name), unit)
        for index, exercise in enumerate(workout.exercises)
        if exercise.progression is not None
    }


def with_targets(workout: Workout, today: Mapping[int, Target]) -> Workout:
    """The workout with each target's reps in place of its exercise's."""
    if not today:
        return workout
    exercises = tuple(
        dataclasses.replace(exercise, reps=today[index].reps) if index in today else exercise
        for index, exercise in enumerate(workout.exercises)
    )
    return dataclasses.replace(workout, exercises=exercises)
