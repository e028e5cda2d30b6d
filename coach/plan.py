"""Expand a Workout into the flat list of steps a session walks through.

Every decision that depends only on the script is made here, once: the order
of exercises, sets, sides, reps and phases; which cue item is said at each step
(rotation and conditions); and the text of every cue with its variables filled
in. The session engine then only moves a cursor over these steps, which keeps
it small, and lets `coach render` know every text a session can say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from coach.plan_work import WorkSteps
from coach.script.model import CueItem, Exercise, TimeCalls, Workout
from coach.time_calls import Mark, calls_for, merged


@dataclass(frozen=True)
class Step:
    """One stretch of the session with a single state: a phase, a countdown beat or a rest."""

    index: int
    kind: str  # "phase" | "countdown" | "rest"
    phase: str | None  # setup/brace/drive/hold/lower for kind "phase"
    exercise_index: int
    exercise: str
    side: str | None
    set: int
    sets: int
    rep: int | None
    reps: int
    duration: float | None  # seconds; None waits for "next" (manual)
    cues: tuple[str, ...] = ()  # said one after another at the start
    tones: tuple[str, ...] = ()  # played at the start
    count: int | None = None  # the number a countdown beat stands for (3, 2, 1)
    # Kind "work" (a hold, an interval, an EMOM minute, an AMRAP) and the rests
    # between intervals: what it is, and which round of how many.
    work: str | None = None  # hold | interval | emom | amrap
    name: str | None = None  # the interval's name
    round: int | None = None
    rounds: int | None = None
    # Starts the moment the step before ends, whatever the coach is saying: an
    # interval timer keeps time.
    on_beat: bool = False
    marks: tuple[Mark, ...] = ()  # said during the step, latest first in `left` order
    end_cues: tuple[str, ...] = ()  # said when the work ends
    unit: str | None = None  # identifies completed work, like rep_key for a rep
    circuit_round: tuple[str, int, int] | None = None  # (circuit, round, rounds) begins here

    @property
    def state(self) -> str:
        """The state-machine state this step puts the session in."""
        return self.phase if self.kind == "phase" and self.phase else self.kind

    @property
    def rep_key(self) -> str | None:
        """Identifies the rep (or the work) this step belongs to, stable across runs of one
        script."""
        if self.unit is not None:
            return self.unit
        if self.rep is None:
            return None
        return f"{self.exercise_index}/{self.side or '-'}/{self.set}/{self.rep}"

    @property
    def completes(self) -> bool:
        """Whether the end of this step completes a rep or a piece of work."""
        return (self.phase == "lower" and self.rep is not None) or self.unit is not None

    @property
    def is_rep_phase(self) -> bool:
        return self.kind == "phase" and self.rep is not None


@dataclass(frozen=True)
class Plan:
    workout: str
    steps: tuple[Step, ...]
    intro: tuple[str, ...]
    outro: tuple[str, ...]

    @property
    def rep_keys(self) -> tuple[str, ...]:
        keys = (s.rep_key for s in self.steps if s.phase == "lower")
        return tuple(k for k in keys if k is not None)

    @property
    def planned_reps(self) -> int:
        return len(self.rep_keys)

    def texts(self) -> set[str]:
        """Every cue text this plan can say (for pre-rendering)."""
        found = set(self.intro) | set(self.outro)
        for step in self.steps:
            found.update(step.cues)
            found.update(step.end_cues)
            found.update(m.text for m in step.marks if m.tone is None)
        return found

    def rep_start(self, index: int) -> int:
        """Index of the brace step of the rep that step `index` belongs to."""
        key = self.steps[index].rep_key
        while index > 0 and self.steps[index - 1].rep_key == key and key is not None:
            index -= 1
        return index

    def previous_rep_start(self, index: int) -> int | None:
        """Brace step of the last rep before step `index`, if there is one."""
        for i in range(index - 1, -1, -1):
            if self.steps[i].phase == "lower":
                return self.rep_start(i)
        return None

    def next_exercise_start(self, index: int) -> int | None:
        current = self.steps[index].exercise_index
        for i in range(index + 1, len(self.steps)):
            if self.steps[i].exercise_index != current and self.steps[i].kind == "phase":
                return i
        return None

    def resume_start(self, completed: set[str], last_completed: str | None) -> int:
        """Where `coach resume` restarts: the setup of the side/set holding the first rep
        after the last completed one. Returns len(steps) when nothing is left."""
        if last_completed is None:
            return 0
        lower_of_last = next(
            (s.index for s in self.steps if s.completes and s.rep_key == last_completed),
            None,
        )
        if lower_of_last is None:  # the script changed since: start over
            return 0
        for step in self.steps[lower_of_last + 1 :]:
            if step.kind == "phase" and step.phase == "brace":
                return self._group_setup(step.index)
            if step.work is not None and step.kind == "rest":  # the rest before an interval
                return step.index
            if step.work is not None:  # a hold, or work with no rest before it: from setup
                return self._group_setup(step.index)
        return len(self.steps)

    def _group_setup(self, index: int) -> int:
        """The setup step of the side/set that step `index` is in."""
        for i in range(index, -1, -1):
            if self.steps[i].phase == "setup":
                return i
        return 0

    def resumed(self, completed: set[str], last_completed: str | None) -> Plan:
        """The rest of this plan for `coach resume`: from the setup of the interrupted
        side/set on, leaving out the reps of that side/set that were already done.
        The intro is not said again."""
        start = self.resume_start(completed, last_completed)
        kept: list[Step] = []
        reached_new_rep = False
        for step in self.steps[start:]:
            if step.rep_key is not None and not reached_new_rep:
                if step.rep_key in completed:
                    continue
                reached_new_rep = True
            if not reached_new_rep and kept and step.work is not None and step.kind == "rest":
                continue  # the rest after an interval already done
            kept.append(replace(step, index=len(kept)))
        return Plan(self.workout, tuple(kept), (), self.outro)


# -- expansion -----------------------------------------------------------------


class _CuePicker:
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
            i for i in items if i.conditional and _matches(i, exercise, set_number, side, rep)
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


def _selected(selectors: tuple[int | str, ...], value: int | None, last: int) -> bool:
    if value is None:
        return False
    for s in selectors:
        if s == value or (s == "first" and value == 1) or (s == "last" and value == last):
            return True
    return False


def _matches(
    item: CueItem, ex: Exercise, set_number: int, side: str | None, rep: int | None
) -> bool:
    if item.reps is not None and not _selected(item.reps, rep, ex.reps):
        return False
    if item.sets is not None and not _selected(item.sets, set_number, ex.sets):
        return False
    if item.sides is not None and side not in item.sides:
        return False
    if item.every is not None:
        # Rep cues count reps; set-level cues (setup, rest, …) count sets.
        counted = rep if rep is not None else set_number
        if counted % item.every != 0:
            return False
    return True


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _other_side(ex: Exercise, side: str | None) -> str:
    if side is None:
        return ""
    return ex.sides[(ex.sides.index(side) + 1) % len(ex.sides)]


def _describe_next(workout: Workout, exercise_index: int, set_number: int) -> str:
    ex = workout.exercises[exercise_index]
    if set_number < ex.sets:
        text = f"set {set_number + 1} of {ex.sets}"
        return f"{text}, {ex.sides[0]} side" if ex.sides else text
    if exercise_index + 1 < len(workout.exercises):
        return workout.exercises[exercise_index + 1].name
    return "the end of the workout"


class _Expander(WorkSteps):
    def __init__(self, workout: Workout, calls: TimeCalls | None = None) -> None:
        self.workout = workout
        self.calls = workout.calls or calls or TimeCalls()
        self.picker = _CuePicker()
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
            "seconds": _seconds(ex.hold) if ex.kind == "timed" else "",
            "workout": self.workout.name,
            "exercise": ex.name,
            "side": side or "",
            "other_side": _other_side(ex, side),
            "set": set_number,
            "sets": ex.sets,
            "rep": rep if rep is not None else "",
            "reps": ex.reps,
            "reps_left": ex.reps - rep if rep is not None else "",
            "next": _describe_next(self.workout, exercise_index, set_number),
            "rest": _seconds(ex.rest),
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
                kind="countdown", phase=None, rep=None, duration=1.0,
                tones=("countdown",), count=beat, **where,
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
        self, exercise_index: int, ex: Exercise, set_number: int, marks: tuple[Mark, ...] = ()
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
            duration=ex.rest,
            cues=self._say(["rest"], exercise_index, ex, set_number, last_side, None),
            marks=marks,
        )


def expand(workout: Workout, calls: TimeCalls | None = None) -> Plan:
    """The whole session of `workout`, step by step; `calls`: the configured time calls,
    for a script that doesn't set its own."""
    return _Expander(workout, calls).run()

