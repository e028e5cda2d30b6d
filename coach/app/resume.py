"""Finding the session to resume, and what is left of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coach.base.errors import CoachError
from coach.history.earlier import todays_targets
from coach.history.store import History, SessionRecord
from coach.plan import Plan, expand
from coach.plan.progression import Target, with_targets
from coach.plan.shape import shape, what_changed
from coach.script.loader import load_workout, resolve_script
from coach.script.model import TimeCalls, Workout


@dataclass(frozen=True)
class Unfinished:
    """The latest session that did not finish, with its script as it is now."""

    record: SessionRecord
    script: str  # where the script is read from now
    workout: Workout  # with the targets in place
    changed: str | None  # how the script changed since (None: it didn't)
    today: Mapping[int, Target]  # its progressions' targets, as when it began


@dataclass(frozen=True)
class Rest:
    """What is left of a session: the plan from where it stopped."""

    plan: Plan
    completed: frozenset[str]  # the step keys of the reps done
    planned_reps: int  # of the whole session


def latest_unfinished(history: History, unit: str) -> Unfinished:
    """The session to resume; a CoachError says why there is none. Its targets are worked
    out again from the sessions before it, so its reps line up as they began."""
    record = history.latest_unfinished()
    if record is None:
        raise CoachError("no unfinished session to resume; start one with `coach run SCRIPT`")
    if record.display_status == "running":
        raise CoachError(
            f"session {record.id} is still running (process {record.pid}); stop it first"
        )
    script, workout = _script_of(record)
    today = todays_targets(history, workout, unit, record.id)
    workout = with_targets(workout, today)
    saved = history.shape(record.id)
    changed = what_changed(saved, shape(workout)) if saved else None
    return Unfinished(record, script, workout, changed, today)


def _script_of(record: SessionRecord) -> tuple[str, Workout]:
    """The script the session ran, from its resolved path, wherever `coach resume` is
    run. Should that file be gone (or the path be one saved relative, before paths were
    resolved), the name it was given is looked up again, and taken only if it is the
    same workout."""
    stored = Path(record.script_path)
    if stored.is_absolute() and stored.is_file():
        return str(stored), load_workout(str(stored))
    gone = (
        f"the script of session {record.id}, {record.script_path}, is gone (moved or deleted)"
        if stored.is_absolute()
        else f"session {record.id} ran '{record.script}' from the folder it was started in"
    )
    try:
        found = resolve_script(record.script)
    except CoachError:
        fix = "put it back to resume" if stored.is_absolute() else "run `coach resume` there"
        raise CoachError(f"{gone}; {fix}") from None
    workout = load_workout(str(found))  # a problem in it is reported as for `coach run`
    if workout.name != record.workout:
        raise CoachError(
            f"{gone}, and '{record.script}' here is another workout ('{workout.name}', not "
            f"'{record.workout}'); "
            + ("put the script back to resume it" if stored.is_absolute()
               else "run `coach resume` from the folder the session was started in")
        )  # fmt: skip
    return str(found), workout


def rest_of(history: History, unfinished: Unfinished, time_calls: TimeCalls) -> Rest:
    """The plan from the first rep not done, and what was done."""
    record_id = unfinished.record.id
    plan = expand(unfinished.workout, time_calls)
    completed = frozenset(history.completed_step_keys(record_id))
    rest = plan.resumed(set(completed), history.last_completed_step_key(record_id))
    return Rest(rest, completed, plan.planned_reps)


def resume_point(unfinished: Unfinished, rest: Rest) -> str:
    """Where the session starts again, for "Resuming session 3 (Core) at …": the first
    rep or piece of work still to do, in the words of its kind."""
    record = unfinished.record
    step = next((s for s in rest.plan.steps if s.completes), None)
    if step is not None and step.work == "amrap":  # one unbroken effort: docs/cue-scripts.md
        return f"the start of {step.exercise}: the AMRAP starts again; only its new rounds count"
    if not rest.completed or step is None:
        return "the start" if not rest.completed else "the end"
    side = f", {step.side} side" if step.side else ""
    circuit = unfinished.workout.exercises[step.exercise_index].circuit
    if circuit is not None:
        return f"round {step.set} of {circuit.rounds}, {step.exercise}{side}"
    if step.work == "emom":
        return f"minute {step.round} of {step.rounds}"
    if step.work == "interval":
        named = f" ({step.name})" if step.name and step.name != step.exercise else ""
        return f"round {step.round} of {step.rounds}{named}"
    if step.work == "hold":
        return f"{step.exercise}, set {step.set} of {step.sets}{side}"
    return f"rep {record.completed_reps + 1} of {record.planned_reps}"
