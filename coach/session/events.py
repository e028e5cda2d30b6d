"""What flows into the session (events) and what comes out of it (actions).

Every source — microphone, keyboard, scripted commands, the clock — posts an
event to one queue; the session answers each with a list of actions that the
runner hands to the outputs (timeline, voice, history). Each action knows its
timeline form (`event()`), the JSON lines of `coach run --simulate --json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.plan import Step
from coach.words.log_values import LoggedValue

# -- events (into the session) --------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A command from the athlete; `source` is voice, keyboard or script."""

    name: str
    source: str = "script"
    text: str = ""
    value: LoggedValue | None = None  # what LOG logs ("eighty kilos"); None otherwise


@dataclass(frozen=True)
class Tick:
    """The clock reached the session's deadline."""


Event = Command | Tick


# -- actions (out of the session) -----------------------------------------------


def _t(seconds: float) -> float:
    # Microseconds: enough to recover the exact output sample of every cue.
    return round(seconds, 6)


@dataclass(frozen=True)
class PhaseStarted:
    t: float
    step: Step

    def event(self) -> dict[str, Any]:
        s = self.step
        return {
            "t": _t(self.t),
            "event": "phase",
            "exercise": s.exercise,
            "side": s.side,
            "set": s.set,
            "rep": s.rep,
            "phase": s.phase,
        }


@dataclass(frozen=True)
class Say:
    t: float
    text: str
    duration: float

    def event(self) -> dict[str, Any]:
        return {"t": _t(self.t), "event": "say", "text": self.text, "duration": _t(self.duration)}


@dataclass(frozen=True)
class Tone:
    t: float
    kind: str  # countdown | go | finish

    def event(self) -> dict[str, Any]:
        return {"t": _t(self.t), "event": "tone", "kind": self.kind}


@dataclass(frozen=True)
class Cut:
    """The coach stops talking at `t`: whatever it was saying, or had queued, ends there."""

    t: float

    def event(self) -> dict[str, Any]:
        return {"t": _t(self.t), "event": "cut"}


@dataclass(frozen=True)
class RestStarted:
    t: float
    seconds: float
    step: Step

    def event(self) -> dict[str, Any]:
        if self.step.work == "interval":  # the rest between two intervals
            return _interval(self.t, self.step, "rest")
        return {"t": _t(self.t), "event": "rest", "seconds": self.seconds}


def _interval(t: float, s: Step, part: str) -> dict[str, Any]:
    return {
        "t": _t(t), "event": "interval", "exercise": s.exercise, "name": s.name,
        "part": part, "round": s.round, "rounds": s.rounds, "seconds": s.duration,
    }  # fmt: skip


@dataclass(frozen=True)
class WorkStarted:
    """A hold, an interval, an EMOM minute or an AMRAP begins."""

    t: float
    step: Step

    def event(self) -> dict[str, Any]:
        s = self.step
        if s.work == "interval":
            return _interval(self.t, s, "work")
        if s.work == "emom":
            return {
                "t": _t(self.t), "event": "emom", "exercise": s.exercise,
                "minute": s.round, "minutes": s.rounds,
            }  # fmt: skip
        if s.work == "amrap":
            return {
                "t": _t(self.t), "event": "amrap", "exercise": s.exercise, "seconds": s.duration
            }  # fmt: skip
        return {
            "t": _t(self.t), "event": "hold", "exercise": s.exercise, "side": s.side,
            "set": s.set, "seconds": s.duration,
        }  # fmt: skip


@dataclass(frozen=True)
class WorkCompleted:
    """A hold, interval, minute or AMRAP ended: saved before the next step starts."""

    t: float
    step: Step
    seconds: float  # how long it was held or worked
    rounds: int | None = None  # AMRAP rounds

    def event(self) -> dict[str, Any] | None:
        s = self.step
        if s.work == "hold":
            return {
                "t": _t(self.t), "event": "held", "exercise": s.exercise, "side": s.side,
                "set": s.set, "seconds": _t(self.seconds),
            }  # fmt: skip
        if s.work == "amrap":
            return {
                "t": _t(self.t), "event": "rounds", "exercise": s.exercise, "rounds": self.rounds
            }  # fmt: skip
        return None  # an interval or a minute: history only


@dataclass(frozen=True)
class RoundCounted:
    """The athlete said "done" in an AMRAP: one more round."""

    t: float
    step: Step
    round: int

    def event(self) -> dict[str, Any]:
        return {
            "t": _t(self.t), "event": "round", "exercise": self.step.exercise, "round": self.round
        }  # fmt: skip


@dataclass(frozen=True)
class CircuitRound:
    t: float
    name: str
    round: int
    rounds: int

    def event(self) -> dict[str, Any]:
        return {
            "t": _t(self.t), "event": "circuit", "name": self.name,
            "round": self.round, "rounds": self.rounds,
        }  # fmt: skip


@dataclass(frozen=True)
class TimeCall:
    """ "Halfway", "ten seconds", 3-2-1: said (or beeped) `left` seconds before the end."""

    t: float
    left: float
    call: str  # halfway | left | count

    def event(self) -> dict[str, Any]:
        return {"t": _t(self.t), "event": "time_call", "left": self.left, "call": self.call}


@dataclass(frozen=True)
class CommandHeard:
    t: float
    command: Command
    accepted: bool  # False: it made no sense in this state and was ignored
    confirm: bool = False  # True: a "stop" by voice the coach asked to hear again

    def event(self) -> dict[str, Any]:
        body: dict[str, Any] = {"t": _t(self.t), "event": "command", "command": self.command.name}
        if not self.accepted:
            body["ignored"] = True
        if self.confirm:
            body["confirm"] = True
        return body


@dataclass(frozen=True)
class ValueLogged:
    """A value logged for the set before a rest (or "skip": that set is not logged).
    Saved before the next step starts; said again, the later value wins."""

    t: float
    step: Step  # the rest the set is logged in
    value: LoggedValue

    def event(self) -> dict[str, Any]:
        s = self.step
        return {
            "t": _t(self.t), "event": "logged", "exercise": s.exercise,
            # The whole set, all its sides: null like a bilateral exercise's side.
            "side": None, "set": s.set, "kind": self.value.kind,
            "value": self.value.value, "unit": self.value.unit,
        }  # fmt: skip


@dataclass(frozen=True)
class ListenForValues:
    """The listener should hear the values of `kind` as well as the commands (the kind
    asked for), or (None) the commands alone."""

    t: float
    kind: str | None

    def event(self) -> None:
        return None  # for the app's listener; not part of the timeline contract


@dataclass(frozen=True)
class RepCompleted:
    t: float
    step: Step  # the rep's lower phase

    def event(self) -> None:
        return None  # history only; not part of the timeline contract


@dataclass(frozen=True)
class Finished:
    t: float
    completed_reps: int
    planned_reps: int
    status: str  # completed | stopped

    def event(self) -> dict[str, Any]:
        return {
            "t": _t(self.t),
            "event": "done",
            "completed_reps": self.completed_reps,
            "planned_reps": self.planned_reps,
        }


Action = (
    PhaseStarted
    | Say
    | Tone
    | Cut
    | RestStarted
    | CommandHeard
    | RepCompleted
    | Finished
    | WorkStarted
    | WorkCompleted
    | RoundCounted
    | CircuitRound
    | TimeCall
    | ValueLogged
    | ListenForValues
)
