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

# -- events (into the session) --------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A command from the athlete; `source` is voice, keyboard or script."""

    name: str
    source: str = "script"
    text: str = ""


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
        return {"t": _t(self.t), "event": "rest", "seconds": self.seconds}


@dataclass(frozen=True)
class CommandHeard:
    t: float
    command: Command
    accepted: bool  # False: it made no sense in this state and was ignored

    def event(self) -> dict[str, Any]:
        body: dict[str, Any] = {"t": _t(self.t), "event": "command", "command": self.command.name}
        if not self.accepted:
            body["ignored"] = True
        return body


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
    PhaseStarted | Say | Tone | Cut | RestStarted | CommandHeard | RepCompleted | Finished
)
