"""Expand a Workout into the flat list of steps a session walks through.

Every decision that depends only on the script is made here, once: the order
of exercises, sets, sides, reps and phases; which cue item is said at each step
(rotation and conditions); and the text of every cue with its variables filled
in. The session engine then only moves a cursor over these steps, which keeps
it small, and lets `coach render` know every text a session can say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from coach.plan.cues import CuePicker, describe_next, other_side, seconds_text
from coach.plan.steps import Plan, Step
from coach.plan.work import WorkSteps
from coach.script.model import Exercise, TimeCalls, Workout
from coach.words.time_calls import Mark, calls_for, merged

# Seconds to log a set that has no rest after it (the last of the workout, or rest: 0):
# time to say a load and an RPE, hear them said back, and say one again if misheard.
LOG_MOMENT = 30.0


class _Expander(WorkSteps):
    def __init__(self, workout: Workout, calls: TimeCalls | None = None) -> None:
        self.workout = workout
        self.calls = workout.calls or calls or TimeCalls()
        self.picker = CuePicker()
        self.steps: list[Step] = []

    def run(self) -> Plan:
        for exercise_index, ex in enumerate(self.workout.exercises):
            if ex.circuit is not None:
                self._circuit_part(exercise_index, ex)
                continue
            if ex.kind in ("intervals", "emom", "amrap"):
                self._timed_block(exercise_index, ex)
                if exercise_index + 1 < len(self.workout.exercises) and ex.rest > 0:
                    self._rest(exercise_index, ex, ex.sets)
                continue
            for set_number in range(1, ex.sets + 1):
                for side_index, side in enumerate(ex.sides or (None,)):
                    self._side(exercise_index, ex, set_number, side, first_side=side_index == 0)
                if not self._is_last_set(exercise_index, set_number) and ex.rest > 0:
                    self._rest(exercise_index, ex, set_number)
                elif ex.log and ex.kind == "reps":  # no rest to log the set in: a moment
                    self._rest(exercise_index, ex, set_number, seconds=LOG_MOMENT)
        workout_only = {"workout": self.workout.name}
        return Plan(
            workout=self.workout.name,
            steps=tuple(self.steps),
            intro=tuple(i.text.format_map(workout_only) for i in self.workout.intro[:1]),
            outro=tuple(i.text.format_map(workout_only) for i in self.workout.outro[:1]),
        )

    def _is_last_set(self, exercise_index: int, set_number: int) -> bool:
        last_exercise = exercise_index == len(self.workout.exercises) - 1
        return last_exercise and set_number == self.workout.exercises[exercise_index].sets

    def _variables(
        self,
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        side: str | None,
        rep: int | None,
        extra: Mapping[str, object] | None = None,
    ) -> dict[str, object]:
        circuit = ex.circuit
        return {
            "round": set_number if circuit else "",
            "rounds": circuit.rounds if circuit else "",
            "interval": "",
            "seconds": seconds_text(ex.hold) if ex.kind == "timed" else "",
            "workout": self.workout.name,
            "exercise": ex.name,
            "side": side or "",
            "other_side": other_side(ex, side),
            "set": set_number,
            "sets": ex.sets,
            "rep": rep if rep is not None else "",
            "reps": ex.reps,
            "reps_left": ex.reps - rep if rep is not None else "",
            "next": describe_next(self.workout, exercise_index, set_number),
            "rest": seconds_text(ex.rest),
            **(extra or {}),
        }

    def _say(
        self,
        keys: Sequence[str],
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        side: str | None,
        rep: int | None,
        extra: Mapping[str, object] | None = None,
    ) -> tuple[str, ...]:
        variables = self._variables(exercise_index, ex, set_number, side, rep, extra)
        texts = []
        for key in keys:
            item = self.picker.pick(
                exercise_index, ex, key, set_number=set_number, side=side, rep=rep
            )
            if item is not None:
                texts.append(item.text.format_map(variables))
        return tuple(texts)

    def _add(self, **fields: object) -> None:
        self.steps.append(Step(index=len(self.steps), **fields))  # type: ignore[arg-type]

    def _side(
        self, exercise_index: int, ex: Exercise, set_number: int, side: str | None, first_side: bool
    ) -> None:
        where = {
            "exercise_index": exercise_index,
            "exercise": ex.name,
            "side": side,
            "set": set_number,
            "sets": ex.sets,
            "reps": ex.reps,
        }
        setup_keys = ["before_set"]
        if set_number == ex.sets and ex.sets >= 2:
            setup_keys.append("final_set")
        if first_side:
            setup_keys.append("form")
        setup_keys.append("setup")
        self._add(
            kind="phase",
            phase="setup",
            rep=None,
            duration=ex.tempo.get("setup"),
            cues=self._say(setup_keys, exercise_index, ex, set_number, side, None),
            **where,
        )
        for beat in range(ex.countdown, 0, -1):
            self._add(
                kind="countdown",
                phase=None,
                rep=None,
                duration=1.0,
                tones=("countdown",),
                count=beat,
                **where,
            )
        if ex.kind == "timed":
            self._hold(exercise_index, ex, set_number, side, where)
            return
        for rep in range(1, ex.reps + 1):
            for phase in ("brace", "drive", "hold", "lower"):
                keys = [phase]
                tones: tuple[str, ...] = ()
                if phase == "brace":
                    milestones = []
                    if ex.reps >= 4 and rep == ex.reps // 2 + 1:
                        milestones.append("halfway")
                    if ex.reps >= 2 and rep == ex.reps:
                        milestones.append("last_rep")
                    keys = milestones + keys
                    if rep == 1 and ex.countdown > 0:
                        tones = ("go",)
                self._add(
                    kind="phase",
                    phase=phase,
                    rep=rep,
                    duration=ex.tempo.get(phase),
                    cues=self._say(keys, exercise_index, ex, set_number, side, rep),
                    tones=tones,
                    **where,
                )

    def _rest(
        self,
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        marks: tuple[Mark, ...] = (),
        seconds: float | None = None,
    ) -> None:
        last_side = ex.sides[-1] if ex.sides else None
        if ex.kind != "reps" and not marks:  # rep scripts keep the rests they always had
            marks = merged(calls_for(ex.rest, self._calls(ex), before_work=False))
        self._add(
            kind="rest",
            phase=None,
            exercise_index=exercise_index,
            exercise=ex.name,
            side=last_side,
            set=set_number,
            sets=ex.sets,
            rep=None,
            reps=ex.reps,
            duration=ex.rest if seconds is None else seconds,
            # The logging moment after the last set is no rest: the rest cue's "next
            # up" would be wrong there.
            cues=()
            if seconds is not None
            else self._say(["rest"], exercise_index, ex, set_number, last_side, None),
            marks=marks,
            log=ex.log if ex.kind == "reps" else (),
        )


def expand(workout: Workout, calls: TimeCalls | None = None) -> Plan:
    """The whole session of `workout`, step by step; `calls`: the configured time calls,
    for a script that doesn't set its own."""
    return _Expander(workout, calls).run()
