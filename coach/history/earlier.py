"""What earlier sessions did, read from the history for the session about to start:
what was logged last time, and each progressing exercise's target today."""

from __future__ import annotations

from collections.abc import Callable

from coach.history.store import History, SetRecord
from coach.plan import Plan
from coach.plan.progression import DoneSet, LastSession, Target, targets
from coach.plan.shape import planned
from coach.script.model import Workout
from coach.words.log_values import LoggedValue, reps_at_load


def last_time(
    history: History, plan: Plan, session_id: int | None = None
) -> dict[int, str]:
    """What was logged last time for each exercise the plan logs, as the coach says it
    ("eight at sixty kilos, RPE eight"), by exercise index."""
    logged = {s.exercise_index: s.exercise for s in plan.steps if s.log}
    earlier = _earlier_sets(
        history, set(logged.values()), lambda s: s.session_id != session_id and bool(s.values)
    )
    return {
        index: _said(earlier[exercise][-1])
        for index, exercise in logged.items()
        if exercise in earlier
    }


def todays_targets(
    history: History, workout: Workout, unit: str, session_id: int | None = None
) -> dict[int, Target]:
    """Each progressing exercise's target today, by exercise index, after its last
    session before `session_id` (a session resumed keeps the targets it began with)."""
    return targets(workout, _last_sessions(history, workout, session_id), unit)


def _last_sessions(
    history: History, workout: Workout, session_id: int | None
) -> dict[str, LastSession]:
    """The last session of each exercise with a progression rule, by name: what it
    planned (from the session's saved shape) and what each set did."""
    names = {e.name for e in workout.exercises if e.progression is not None}
    found: dict[str, LastSession] = {}
    earlier = _earlier_sets(
        history, names, lambda s: session_id is None or s.session_id < session_id
    )
    for name, sets in earlier.items():
        session = sets[-1].session_id
        done = tuple(_done(record) for record in sets if record.session_id == session)
        saved = history.shape(session)
        planned_sets, planned_reps = (planned(saved) if saved else {}).get(
            name, (len(done), max((d.counted for d in done), default=0))
        )  # without a saved shape: what the coach counted to
        load = next((_load(s) for s in reversed(sets) if "load" in s.values), None)
        found[name] = LastSession(planned_sets, planned_reps, done, load)
    return found


def _done(record: SetRecord) -> DoneSet:
    """What a set did: the reps counted (on a side, for a one-sided set: the fewer),
    and the reps logged for it."""
    counted = record.reps if record.reps_a_side is None else record.reps_a_side
    return DoneSet(counted, record.value("reps"))


def _earlier_sets(
    history: History, exercises: set[str], keep: Callable[[SetRecord], bool]
) -> dict[str, list[SetRecord]]:
    """Each exercise's sets that `keep` keeps, oldest session first: from real sessions,
    or from practice runs when it has none."""
    found: dict[str, list[SetRecord]] = {}
    for practice in (False, True):
        if not exercises - found.keys():
            break  # every one found in real sessions: practice runs are not read
        sets = [
            s for s in history.sets(practice=practice) if keep(s) and (practice or not s.practice)
        ]
        for exercise in exercises - found.keys():
            mine = [s for s in sets if s.exercise == exercise]
            if mine:
                found[exercise] = mine
    return found


def _said(last: SetRecord) -> str:
    """The last logged set of the last session, with its reps (on a side, one-sided)."""
    reps = last.done_reps
    load = _load(last)
    parts = [reps_at_load(reps, load)] if reps or load else []
    for kind in ("rpe", "rir"):
        found = last.values.get(kind)
        if found is not None:
            parts.append(LoggedValue(kind, found.value).spoken())
    return ", ".join(parts)


def _load(record: SetRecord) -> LoggedValue | None:
    """The load logged for a set, to be said."""
    found = record.values.get("load")
    return None if found is None else LoggedValue("load", found.value, found.unit)
