"""Putting a session together: plan, clock, outputs, history, command sources.

`coach run` and `coach resume` differ only in where they start and which
history row they write to; both come through `launch`.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TextIO

from coach.errors import CoachError
from coach.history import History
from coach.keyboard import start_keyboard
from coach.plan import Plan
from coach.session.clock import Clock, ScaledClock, VirtualClock, WaitingForever
from coach.session.events import Command, Event, Finished
from coach.session.machine import Session
from coach.session.runner import HistoryRecorder, Output, run_session
from coach.session.speech import EstimatedSpeech
from coach.session.timeline import JsonTimeline, TextTimeline

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    simulate: bool = False
    json: bool = False
    speed: float = 1.0
    commands: tuple[tuple[float, Command], ...] = ()
    # Manual phases end by themselves this long after the coach stops talking;
    # None waits for "next" for ever.
    auto_next: float | None = None
    keyboard: bool = True


@dataclass(frozen=True)
class HistoryTarget:
    history: History
    session_id: int


class SimulationStalled(CoachError):
    pass


@contextmanager
def _stop_on_signals(events: queue.Queue[Event]) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the session like "stop": progress is saved."""

    def post_stop(signum: int, frame: FrameType | None) -> None:
        events.put(Command("stop", source="signal"))

    previous = {sig: signal.signal(sig, post_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def launch(
    plan: Plan,
    options: RunOptions,
    *,
    record: HistoryTarget | None = None,
    completed: frozenset[str] = frozenset(),
    planned_reps: int | None = None,
    out: TextIO = sys.stdout,
) -> Finished:
    session = Session(
        plan,
        EstimatedSpeech(),
        completed=completed,
        planned_reps=planned_reps,
        manual_timeout=options.auto_next,
    )
    timeline = JsonTimeline(out) if options.json else TextTimeline(out)
    outputs: list[Output] = [timeline]
    if record is not None:
        outputs.insert(0, HistoryRecorder(record.history, record.session_id))
    clock: Clock = VirtualClock() if options.simulate else ScaledClock(options.speed)
    for at, command in options.commands:
        clock.schedule(at, command)
    events: queue.Queue[Event] = queue.Queue()
    if options.simulate:
        try:
            return run_session(session, clock, outputs, events)
        except WaitingForever:
            raise SimulationStalled(
                f"the simulated session waits at {_where(session)} for 'next'; add it to "
                "--commands (e.g. --commands '30:next') or pass --auto-next SECONDS"
            ) from None
    if options.keyboard:
        start_keyboard(events, sys.stdin)
    with _stop_on_signals(events):
        return run_session(session, clock, outputs, events)


def _where(session: Session) -> str:
    step = session.step
    side = f", {step.side} side" if step.side else ""
    return f"the {step.state} of {step.exercise}{side}, set {step.set} (t={session.now:.1f}s)"
