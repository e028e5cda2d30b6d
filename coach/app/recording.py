"""The session's record in the history: what the runner hands out, written to SQLite
(what earlier sessions did is read by coach.history.earlier)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from coach.history.journal import (
    BufferedWrites,
    CommandTaken,
    RepDone,
    RoundsForgotten,
    SessionEnded,
    ValueSaid,
    WorkDone,
)
from coach.history.store import History
from coach.plan import Plan
from coach.session.events import (
    Action,
    CommandHeard,
    Finished,
    RepCompleted,
    RoundCounted,
    ValueLogged,
    WorkCompleted,
    WorkStarted,
)

_LOGGER = logging.getLogger(__name__)


class HistoryRecorder:
    """Writes completed reps, heard commands and the outcome to the history; a write
    that fails is held and retried (see coach.history.journal), never fatal."""

    def __init__(
        self,
        history: History,
        session_id: int,
        warn: Callable[[str], None] = _LOGGER.warning,
        tempo: Mapping[str, float] | None = None,
    ) -> None:
        self.history = history
        self.session_id = session_id
        self.writes = BufferedWrites(history, warn)
        self.tempo = tempo or {}

    def emit(self, action: Action, now: float) -> None:
        # Each write takes its time here, as it happens, however late it gets in.
        sid = self.session_id
        if isinstance(action, RepCompleted):
            s = action.step
            assert s.rep is not None and s.rep_key is not None
            self.writes.write(RepDone(
                sid, s.rep_key, s.exercise, s.side, s.set, s.rep, self.tempo.get(s.rep_key)
            ))  # fmt: skip
        elif isinstance(action, WorkCompleted):
            s = action.step
            assert s.unit is not None and s.work is not None
            self.writes.write(WorkDone(
                sid, s.unit, s.exercise, s.side, s.set, s.work, action.seconds, action.rounds
            ))  # fmt: skip
        elif isinstance(action, WorkStarted) and action.step.work == "amrap":
            # A new attempt: the rounds of one before it (a resume, "back") are dropped.
            assert action.step.unit is not None
            self.writes.write(RoundsForgotten(sid, action.step.unit))
        elif isinstance(action, RoundCounted):  # saved at once, like a rep
            s = action.step
            assert s.unit is not None
            self.writes.write(WorkDone(
                sid, f"{s.unit}/round{action.round}", s.exercise, s.side, s.set, "round", 0.0, 1
            ))  # fmt: skip
        elif isinstance(action, ValueLogged):
            s, v = action.step, action.value
            if v.value is not None:  # "skip": nothing to log (the command itself is kept)
                self.writes.write(
                    ValueSaid(sid, s.set_key, s.exercise, None, s.set, v.kind, v.value, v.unit)
                )
        elif isinstance(action, CommandHeard):
            command = action.command
            self.writes.write(CommandTaken(sid, action.t, command.name, command.source))
        elif isinstance(action, Finished):
            self.writes.write(SessionEnded(sid, action.status))

    def close(self) -> None:
        self.writes.close()


def rep_seconds(plan: Plan) -> dict[str, float]:
    """Each rep's time under tension as the plan times it: its timed phases added up."""
    seconds: dict[str, float] = {}
    for step in plan.steps:
        if step.is_rep_phase and step.duration is not None and step.rep_key is not None:
            seconds[step.rep_key] = seconds.get(step.rep_key, 0.0) + step.duration
    return seconds
