"""The runner on a clock that follows real time: what it prints, and when."""

from __future__ import annotations

import io
import json
import queue
import threading
import time

from simulate import cues, exercise

from coach.plan import expand
from coach.script.model import Workout
from coach.session.clock import ScaledClock
from coach.session.events import Command, Event
from coach.session.machine import Session
from coach.session.runner import run_session
from coach.session.speech import EstimatedSpeech
from coach.session.timeline import JsonTimeline

# Session seconds per wall-clock second: slow enough that "skip" lands inside the cue
# (~0.4 s of wall time to spare) even on a loaded machine; at 20 it once came late.
SPEED = 4.0


def _printed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_a_phase_due_after_speech_is_printed_while_the_session_waits_for_ready() -> None:
    # "skip" arrives while the coach is still speaking, so the next exercise's
    # manual setup starts when that speech ends: later than the command. The
    # session then waits for "ready" with no deadline, and the setup must still
    # be shown at its time rather than when the next command happens to come.
    workout = Workout(
        name="W",
        exercises=(
            exercise("A", sets=1, reps=2, tempo={"setup": None, "brace": 4.0, "drive": 1.0,
                                                 "hold": 1.0, "lower": 2.0},
                     cues=cues(brace="Brace hard and breathe out slowly now.")),
            exercise("B", sets=1, reps=1, tempo={"setup": None, "brace": 2.0, "drive": 1.0,
                                                 "hold": 1.0, "lower": 2.0}),
        ),
    )
    out = io.StringIO()
    events: queue.Queue[Event] = queue.Queue()
    clock = ScaledClock(SPEED)
    session = Session(expand(workout), EstimatedSpeech())
    events.put(Command("next", source="test"))
    clock.schedule(0.5, Command("skip", source="test"))  # during "Brace hard…"
    runner = threading.Thread(
        target=run_session, args=(session, clock, [JsonTimeline(out)], events), daemon=True
    )
    runner.start()
    try:
        shown = _wait_until(
            lambda: any(e.get("exercise") == "B" and e.get("phase") == "setup"
                        for e in _printed(out)),
            seconds=10.0,
        )
    finally:
        events.put(Command("stop", source="test"))
        runner.join(timeout=5.0)
    skip = next(e for e in _printed(out) if e["event"] == "command")
    setup_b = next(e for e in _printed(out) if e.get("exercise") == "B")
    assert shown, f"B's setup was not printed while the session waited: {_printed(out)}"
    assert setup_b["t"] > skip["t"]  # it really was due later than the command
