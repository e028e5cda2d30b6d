"""The terminal display a person glances at from a bench.

Big, calm and readable from two metres: where you are (exercise, side, set,
rep), the phase with a countdown bar, what the coach just said, what comes
next, the last command heard, and whether it can be heard and is listening
(a level meter only while it really listens). It reads the session's state
from its own refresh thread and never drives it. Notices written to stderr
while it runs are printed above the panel, not over it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from coach.app.keyboard import key_help
from coach.base.printable import printable
from coach.plan import Step
from coach.session.clock import Clock
from coach.session.events import Action, CommandHeard, Say
from coach.session.machine import Session

PHASE_STYLE = {
    "setup": "bold cyan",
    "countdown": "bold yellow",
    "brace": "bold magenta",
    "drive": "bold green",
    "hold": "bold red",
    "lower": "bold blue",
    "rest": "bold white",
    "paused": "bold yellow",
    "done": "bold green",
}

_METER_WIDTH = 24


@dataclass(frozen=True)
class ListenRow:
    """What the listen row shows: a plain state, and a level only while listening."""

    state: str  # e.g. "listening", "off: no microphone"
    level: float | None = None  # dBFS of the microphone, None when not listening


def describe_step(step: Step) -> str:
    where = step.exercise + (f", {step.side} side" if step.side else "")
    if step.kind == "rest":
        return f"rest {step.duration or 0:g} s"
    if step.phase == "setup":
        return f"{where}: set {step.set} of {step.sets}"
    if step.kind == "countdown":
        return "get ready"
    if step.kind == "work":
        return f"{where}: {step.name or step.work} {step.duration or 0:g} s"
    return f"{step.phase} (rep {step.rep})"


def meter(level: float) -> Text:
    """A level in dBFS (-60 … 0) as a bar."""
    filled = int(round(max(0.0, min(1.0, (level + 60) / 60)) * _METER_WIDTH))
    style = "green" if level < -12 else "yellow" if level < -3 else "red"
    return Text("█" * filled, style=style) + Text("░" * (_METER_WIDTH - filled), style="dim")


class LiveDisplay:
    def __init__(
        self,
        session: Session,
        clock: Clock,
        hearing: Callable[[], ListenRow] | None = None,
        speaker: str | None = None,
        console: Console | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.hearing = hearing or (lambda: ListenRow("off"))
        # Why there is no sound (None: the coach is heard through a speaker).
        self.speaker = speaker
        self.last_said = ""
        self.last_heard: tuple[str, float, bool] | None = None  # command, wall time, accepted
        self._logs = any(step.log for step in session.plan.steps)  # whether values are asked
        self._live = Live(
            get_renderable=self.render,
            console=console or Console(),
            refresh_per_second=8,
            transient=False,
            redirect_stderr=True,
        )
        self._live.start()

    def emit(self, action: Action, now: float) -> None:
        if isinstance(action, Say):
            self.last_said = action.text
        elif isinstance(action, CommandHeard):
            self.last_heard = (action.command.name, time.monotonic(), action.accepted)

    def close(self) -> None:
        self._live.refresh()
        self._live.stop()

    # -- drawing -----------------------------------------------------------------

    def render(self) -> Any:
        s = self.session
        if s.index < 0 or not s.plan.steps:
            return Panel(Text("Starting…"), title="coach")
        step = s.step
        state = s.state
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", style="dim")
        grid.add_column()
        where = step.exercise + (f" · {step.side}" if step.side else "")
        grid.add_row("exercise", Text(printable(where), style="bold"))
        reps = f"rep {step.rep}/{step.reps}" if step.rep is not None else f"{step.reps} reps"
        grid.add_row("set", Text(f"{step.set}/{step.sets}   {reps}", style="bold"))
        grid.add_row("phase", self._phase(state, step))
        said = f"“{printable(self.last_said)}”" if self.last_said else ""
        grid.add_row("coach", Text(said, style="italic"))
        grid.add_row("next", Text(printable(self._next())))
        grid.add_row("heard", self._heard())
        if self.speaker is not None:
            grid.add_row("sound", Text(self.speaker, style="bold yellow"))
        grid.add_row("listen", self._listen())
        done = f"{s.completed_reps}/{s.planned_reps} reps done"
        return Panel(
            Group(grid, Text(key_help(self._logs), style="dim")),
            title=f"coach · {s.plan.workout}",
            subtitle=done,
        )

    def _phase(self, state: str, step: Step) -> Any:
        label = Text(state.upper(), style=PHASE_STYLE.get(state, "bold"))
        deadline = self.session.step_end
        if state == "paused":
            return label + Text("  say “resume”", style="dim")
        if state == "done":
            return label + Text(f"  {self.session.outcome}", style="dim")
        if deadline is None:
            return label + Text("  say “next” or press Enter", style="dim")
        total = step.duration or 0.0
        if step.is_rep_phase:
            total *= self.session.tempo_scale
        remaining = max(0.0, deadline - self.clock.now())
        total = max(total, remaining, 0.001)
        bar = ProgressBar(total=total, completed=total - remaining, width=30)
        return Group(label + Text(f"  {remaining:4.1f} s", style="dim"), bar)

    def _next(self) -> str:
        s = self.session
        if s.done:
            return "nothing: the session has ended"
        following = s.plan.steps[s.index + 1] if s.index + 1 < len(s.plan.steps) else None
        return describe_step(following) if following else "the finish"

    def _listen(self) -> Text:
        hearing = self.hearing()
        if hearing.level is None:
            style = "dim" if hearing.state.startswith("starting") else "bold yellow"
            return Text(hearing.state, style=style)
        return (
            Text(f"{hearing.state}  ", style="bold")
            + meter(hearing.level)
            + Text(f" {hearing.level:4.0f} dB", style="dim")
        )

    def _heard(self) -> Text:
        if self.last_heard is None:
            return Text("—", style="dim")
        command, at, accepted = self.last_heard
        ago = time.monotonic() - at
        note = "" if accepted else " (not logged)" if command == "log" else " (nothing to do now)"
        return Text(f"{command}{note}", style="bold" if ago < 3 else "") + Text(
            f"  {ago:.0f} s ago", style="dim"
        )
