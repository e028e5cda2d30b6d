"""The one consumer: takes events off the queue, feeds the session, hands out actions.

Every source (scripted commands, keyboard, later the microphone) posts to the
same queue; the clock turns the session's deadline into Tick events. Because
only this loop touches the session, no trigger ever races another.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from coach.history import History
from coach.history_journal import BufferedWrites
from coach.session.clock import Clock, earliest
from coach.session.events import (
    Action,
    CommandHeard,
    Event,
    Finished,
    RepCompleted,
    RoundCounted,
    Tick,
    WorkCompleted,
)
from coach.session.machine import Session

_LOGGER = logging.getLogger(__name__)


class Output(Protocol):
    """Somewhere actions go: a timeline printer, the history, the voice."""

    def emit(self, action: Action, now: float) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class HoldsBack(Protocol):
    """An output that keeps actions until their time comes (a timeline printed live).

    An action can be due after the event that caused it: a phase announced while
    the coach is still speaking starts when the speech ends. The runner wakes up
    for it, or a session waiting for "ready" would never show its own setup.
    """

    def due(self) -> float | None:
        """When the earliest action held back is due; None when none is."""
        ...

    def catch_up(self, now: float) -> None:
        """Let out every action due by `now`."""
        ...


class HistoryRecorder:
    """Writes completed reps, heard commands and the outcome to the history; a write
    that fails is held and retried (see coach.history_journal), never fatal."""

    def __init__(
        self, history: History, session_id: int, warn: Callable[[str], None] = _LOGGER.warning
    ) -> None:
        self.history = history
        self.session_id = session_id
        self.writes = BufferedWrites(history, warn)

    def emit(self, action: Action, now: float) -> None:
        if isinstance(action, RepCompleted):
            s = action.step
            assert s.rep is not None and s.rep_key is not None
            self.writes.write(
                "record_rep", self.session_id, s.rep_key, s.exercise, s.side, s.set, s.rep
            )
        elif isinstance(action, WorkCompleted):
            s = action.step
            assert s.unit is not None and s.work is not None
            self.writes.write(
                "record_work", self.session_id, s.unit, s.exercise, s.side, s.set, s.work,
                action.seconds, action.rounds,
            )  # fmt: skip
        elif isinstance(action, RoundCounted):  # saved at once, like a rep
            s = action.step
            assert s.unit is not None
            self.writes.write(
                "record_work", self.session_id, f"{s.unit}/round{action.round}", s.exercise,
                s.side, s.set, "round", 0.0, 1,
            )  # fmt: skip
        elif isinstance(action, CommandHeard):
            self.writes.write(
                "record_command",
                self.session_id, action.t, action.command.name, action.command.source,
            )
        elif isinstance(action, Finished):
            self.writes.write("finish_session", self.session_id, action.status)

    def close(self) -> None:
        self.writes.close()


def run_session(
    session: Session,
    clock: Clock,
    outputs: Sequence[Output],
    events: queue.Queue[Event] | None = None,
) -> Finished:
    """Drive `session` to its end; returns how it finished."""
    events = events if events is not None else queue.Queue()
    finished: Finished | None = None

    def dispatch(actions: list[Action]) -> None:
        nonlocal finished
        now = clock.now()
        for action in actions:
            # Outputs are called in order, so a rep is saved before the next
            # step's cues reach the voice.
            for output in outputs:
                output.emit(action, now)
            if isinstance(action, Finished):
                finished = action

    holding = [o for o in outputs if isinstance(o, HoldsBack)]

    try:
        dispatch(session.start(clock.now()))
        while not session.done:
            deadline = session.deadline
            event = clock.wait(events, earliest(deadline, *(h.due() for h in holding)))
            now = clock.now()
            if event is None and (deadline is None or now < deadline):
                for held in holding:  # woken for an output, not for the session
                    held.catch_up(now)
                continue
            dispatch(session.handle(Tick() if event is None else event, now))
    finally:
        for output in outputs:
            output.close()
    assert finished is not None
    return finished
