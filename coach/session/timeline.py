"""The timeline of a session, as JSON lines or as a readable log.

Actions may be scheduled a little ahead (a cue queued behind another one), so
the writers hold them until the session clock passes them and print them in
time order. A cut drops what was held for its moment or later: it was never said.
"""

from __future__ import annotations

import heapq
import itertools
import json
from typing import Any, TextIO

from coach.base.printable import printable
from coach.session.events import (
    Action,
    CircuitRound,
    CommandHeard,
    Cut,
    Finished,
    PhaseStarted,
    RestStarted,
    RoundCounted,
    Say,
    TimeCall,
    Tone,
    ValueLogged,
    WorkCompleted,
    WorkStarted,
)


class _Ordered:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._pending: list[tuple[float, int, Action]] = []
        self._order = itertools.count()

    def emit(self, action: Action, now: float) -> None:
        if isinstance(action, Cut):
            kept = [p for p in self._pending if not _cut_off(p[2], action.t)]
            if len(kept) < len(self._pending):
                heapq.heapify(kept)
                self._pending = kept
        heapq.heappush(self._pending, (action.t, next(self._order), action))
        self._flush(now)

    def due(self) -> float | None:
        return self._pending[0][0] if self._pending else None

    def catch_up(self, now: float) -> None:
        self._flush(now)

    def close(self) -> None:
        self._flush(float("inf"))

    def _flush(self, until: float) -> None:
        while self._pending and self._pending[0][0] <= until:
            line = self.format(heapq.heappop(self._pending)[2])
            if line is not None:
                print(line, file=self.out, flush=True)

    def format(self, action: Action) -> str | None:
        raise NotImplementedError


def _cut_off(action: Action, at: float) -> bool:
    """Whether a cut at `at` means `action` never happens (a step it delayed starts again)."""
    started = (Say, Tone, PhaseStarted, RestStarted, WorkStarted, CircuitRound, TimeCall)
    return isinstance(action, started) and action.t >= at


class JsonTimeline(_Ordered):
    """`--json`: one object per line, a contract scripts rely on (docs/architecture.md)."""

    def format(self, action: Action) -> str | None:
        body: dict[str, Any] | None = action.event()
        return None if body is None else json.dumps(body, ensure_ascii=False)


def clock_text(seconds: float) -> str:
    # Rounded to the tenth before the minutes are split off, so 59.96 is 1:00.0, not 0:60.0.
    minutes, tenths = divmod(round(max(0.0, seconds) * 10), 600)
    return f"{minutes:2d}:{tenths / 10:04.1f}"


class TextTimeline(_Ordered):
    """A log a person reads: where we are, what the coach says, what was heard."""

    def format(self, action: Action) -> str | None:
        line = self._line(action)
        return None if line is None else printable(line)

    def _line(self, action: Action) -> str | None:
        stamp = clock_text(action.t)
        if isinstance(action, PhaseStarted):
            s = action.step
            where = s.exercise + (f" · {s.side}" if s.side else "")
            rep = f" · rep {s.rep}/{s.reps}" if s.rep is not None else ""
            timing = "waits for next" if s.duration is None else f"{s.duration:g}s"
            return f"{stamp}  ▶ {where} · set {s.set}/{s.sets}{rep} · {s.phase} ({timing})"
        if isinstance(action, Say):
            return f"{stamp}    “{action.text}”"
        if isinstance(action, Tone):
            return f"{stamp}    ♪ {action.kind}"
        if isinstance(action, Cut):
            return f"{stamp}    ✂ cut"
        if isinstance(action, RestStarted):
            if action.step.work == "interval":
                return f"{stamp}  ▶ rest {action.seconds:g}s · round {action.step.round}"
            return f"{stamp}  ▶ rest {action.seconds:g}s"
        work = _work_line(action)
        if work is not None:
            return f"{stamp}  {work}"
        if isinstance(action, CommandHeard):
            note = "" if action.accepted else " (ignored)"
            note = " (say it again to stop)" if action.confirm else note
            return f"{stamp}  ⌘ {action.command.name}{note}"
        if isinstance(action, Finished) and action.planned_reps == 0:  # holds and intervals
            return f"{stamp}  ■ {action.status}"
        if isinstance(action, Finished):
            return (
                f"{stamp}  ■ {action.status}: {action.completed_reps} of "
                f"{action.planned_reps} reps"
            )
        return None


def _work_line(action: Action) -> str | None:
    """Holds, intervals, rounds and time calls in the readable log."""
    if isinstance(action, WorkStarted):
        s = action.step
        if s.work == "interval":
            name = "" if s.name == s.exercise else f" · {s.name}"
            return f"▶ {s.exercise}{name} · round {s.round}/{s.rounds} · work {s.duration:g}s"
        if s.work == "emom":
            return f"▶ {s.exercise} · minute {s.round}/{s.rounds}"
        if s.work == "amrap":
            return f"▶ {s.exercise} · AMRAP {s.duration:g}s"
        side = f" · {s.side}" if s.side else ""
        return f"▶ {s.exercise}{side} · set {s.set}/{s.sets} · hold {s.duration:g}s"
    if isinstance(action, WorkCompleted):
        if action.step.work == "hold":
            return f"  ✓ held {action.seconds:g}s"
        if action.step.work == "amrap":
            return f"  ✓ {action.rounds} round{'' if action.rounds == 1 else 's'}"
        return None
    if isinstance(action, RoundCounted):
        return f"  ✓ round {action.round}"
    if isinstance(action, ValueLogged):
        v = action.value
        if v.value is None:
            return f"  ✎ set {action.step.set}: not logged"
        return f"  ✎ set {action.step.set} {v.kind} {v.value:g}" + (f" {v.unit}" if v.unit else "")
    if isinstance(action, CircuitRound):
        return f"● {action.name} · round {action.round}/{action.rounds}"
    if isinstance(action, TimeCall):
        return f"  ⏱ {action.left:g}s left ({action.call})"
    return None
