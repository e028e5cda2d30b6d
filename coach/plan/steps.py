"""The plan a session walks: its steps, each with its cues and timing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from coach.words.time_calls import Mark


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
    # A rest in which the set before it is logged: what to ask for (load, rpe, rir, reps).
    log: tuple[str, ...] = ()

    @property
    def set_key(self) -> str:
        """Identifies the set (all its sides) this step belongs to, for logged values."""
        return f"{self.exercise_index}/-/{self.set}"

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

    @cached_property  # asked at every step of a long plan: worked out once
    def rep_keys(self) -> tuple[str, ...]:
        keys = (s.rep_key for s in self.steps if s.phase == "lower")
        return tuple(k for k in keys if k is not None)

    @cached_property
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
