"""What the page shows of the session, pushed as it changes, and the page's way in.

The session's runner calls `LiveOutput.emit` on its own thread, right after the
session answered an event: the snapshot is read there (so it never races the
session) and handed to the web server's event loop, which fans it out to every open
page. Commands from the page go onto the session's own event queue, beside the
keys and the voice; start and resume requests go onto the speaker's idle queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from typing import Any

from coach.app.display import describe_step
from coach.session.clock import Clock
from coach.session.events import (
    Action,
    Command,
    CommandHeard,
    Event,
    Say,
)
from coach.session.machine import Session
from coach.words.vocabulary import COMMANDS

_LOGGER = logging.getLogger(__name__)

IDLE, RUNNING, PAUSED, DONE = "idle", "running", "paused", "done"
# A page that stops reading keeps only this many updates waiting: the newest win.
_BACKLOG = 16


class Live:
    """The state of the moment, the pages listening, and the queues to post to."""

    def __init__(self, idle_events: queue.Queue[Event] | None, speed: float = 1.0) -> None:
        # None: a page for one session (`coach run --web`), which can't start another.
        self.idle_events = idle_events
        self.speed = speed
        self._lock = threading.Lock()
        self._session_events: queue.Queue[Event] | None = None
        self._starting = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pages: set[asyncio.Queue[dict[str, Any]]] = set()
        self._seq = 0
        self._script = ""
        self.state: dict[str, Any] = self._stamp({"state": IDLE, "workout": None,
                                                  "exercise": None, "set": None, "rep": None})

    # -- the web server's side --------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def listen(self) -> asyncio.Queue[dict[str, Any]]:
        page: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_BACKLOG)
        self._pages.add(page)
        return page

    def leave(self, page: asyncio.Queue[dict[str, Any]]) -> None:
        self._pages.discard(page)

    def request(self, request: str) -> bool:
        """Ask the idle speaker to start (or resume); False while a session is on."""
        with self._lock:
            if self.idle_events is None or self._starting or self._session_events is not None:
                return False
            self._starting = True
        self.idle_events.put(Command(request, source="web", text=request))
        return True

    def command(self, name: str) -> bool:
        """A voice command's name from the page; False when no session takes it."""
        if name not in COMMANDS:
            raise ValueError(name)
        with self._lock:
            events = self._session_events
        if events is None or self.state["state"] == DONE:  # ended, its queue not yet let go
            return False
        events.put(Command(name, source="web", text=name))
        return True

    # -- the speaker's side -------------------------------------------------------------

    def request_done(self) -> None:
        """The idle speaker took the request (whether or not a session came of it)."""
        with self._lock:
            self._starting = False

    def session_begins(self, events: queue.Queue[Event], script: str) -> None:
        with self._lock:
            self._session_events = events
            self._starting = False
        self._script = script

    def session_ends(self) -> None:
        with self._lock:
            self._session_events = None

    def observe(self, session: Session, clock: Clock) -> LiveOutput:
        return LiveOutput(self, session, clock, self._script)

    # -- publishing -----------------------------------------------------------------------

    def _stamp(self, state: dict[str, Any]) -> dict[str, Any]:
        self._seq += 1
        # `emitted`: wall time of the session's event, for the page's latency figure.
        return {**state, "seq": self._seq, "emitted": time.time(), "speed": self.speed}

    def publish(self, state: dict[str, Any]) -> None:
        stamped = self._stamp(state)
        self.state = stamped
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # RuntimeError: the loop closed in between, so nobody is listening.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._fan_out, stamped)

    def _fan_out(self, state: dict[str, Any]) -> None:
        for page in list(self._pages):
            if page.full():
                page.get_nowait()  # a slow page skips old updates, never stalls a fast one
            page.put_nowait(state)


class LiveOutput:
    """One session's state, read after each of its answers and published."""

    def __init__(self, live: Live, session: Session, clock: Clock, script: str) -> None:
        self.live = live
        self.session = session
        self.clock = clock
        self.script = script
        self.said = ""
        self.heard: dict[str, Any] | None = None

    def emit(self, action: Action, now: float) -> None:
        if isinstance(action, Say):
            self.said = action.text
        elif isinstance(action, CommandHeard):
            c = action.command
            self.heard = {"command": c.name, "source": c.source, "accepted": action.accepted}
        self.live.publish(self.snapshot(now))

    def snapshot(self, now: float) -> dict[str, Any]:
        s = self.session
        state = s.state
        if s.index < 0 or not s.plan.steps:
            return {"state": RUNNING, "workout": s.plan.workout, "script": self.script,
                    "exercise": None, "set": None, "rep": None}  # fmt: skip
        step = s.step
        end = s.step_end
        # Past the countdown's beats: "next" is what they count down to.
        following = next((later for later in s.plan.steps[s.index + 1 :]
                          if not (step.kind == "countdown" == later.kind)), None)  # fmt: skip
        return {
            "state": DONE if s.done else PAUSED if state == "paused" else RUNNING,
            "workout": s.plan.workout,
            "script": self.script,
            "exercise": step.exercise,
            "side": step.side,
            "set": step.set,
            "sets": step.sets,
            "rep": step.rep,
            "reps": step.reps,
            "phase": s.paused_in if state == "paused" else state,
            "said": self.said,
            # Seconds of session time left in a timed phase (the page counts it down).
            "left": None if end is None else max(0.0, end - now),
            "total": step.duration,
            "next": "the end" if following is None else describe_step(following),
            "completed_reps": s.completed_reps,
            "planned_reps": s.planned_reps,
            "heard": self.heard,
            "outcome": s.outcome if s.done else None,
        }

    def close(self) -> None:
        self.live.publish(self.snapshot(self.clock.now()) | {"state": DONE})
