"""How a session is run (the flags of `run`, `resume`, `serve` and `export`), and notices."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line starts without the session's modules
    from coach.session.events import Command

# In a simulation nobody says "next": a manual phase ends this long after the cue.
SIMULATED_READY_SECONDS = 3.0


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
    no_audio: bool = False
    output_wav: Path | None = None
    plain: bool = False  # log-style lines instead of the live terminal display
    listen: bool = True  # voice commands from the microphone (live runs only)

    @property
    def practice(self) -> bool:
        """Sped up or silent: nobody trained along in real time, so stats leave it out."""
        return self.no_audio or self.speed != 1.0


def note(message: str) -> None:
    """A one-line notice for the person at the terminal (stdout may be a timeline)."""
    print(f"coach: {message}", file=sys.stderr, flush=True)
