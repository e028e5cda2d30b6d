"""A long plan is walked in time that grows with its length, not its square: what
the session and its catalogue ask of the plan at every step is worked out once.
(The time itself is measured by bench/simulate_scale.py, not asserted here.)"""

from __future__ import annotations

from simulate import exercise

from coach.plan import expand
from coach.script.model import Interval, Workout
from coach.session.catalog import session_texts
from coach.session.phrases import Phrases


def _intervals(rounds: int) -> Workout:
    ex = exercise("Squats", kind="intervals", rounds=rounds, intervals=(Interval("", 2.0, 1.0),))
    return Workout("Many intervals", (ex, exercise("Bridge", reps=2, sets=1)))


def test_the_plans_counts_are_worked_out_once_not_at_every_step_that_asks() -> None:
    plan = expand(_intervals(50))
    assert plan.rep_keys is plan.rep_keys  # the same tuple, not walked again
    assert plan.planned_reps == 2


def test_the_catalogue_of_a_long_plan_reads_the_plans_steps_a_bounded_number_of_times() -> None:
    plan = expand(_intervals(400))
    reads = 0
    steps = plan.steps

    class Counted(tuple):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            nonlocal reads
            reads += 1
            return super().__iter__()

    object.__setattr__(plan, "steps", Counted(steps))
    session_texts(plan, Phrases())
    assert reads < 10, f"the plan's {len(steps)} steps were walked {reads} times"
