"""Time sources for the session, injected so tests never sleep.

A clock gives session time in seconds from the start and waits for the next
event on the session's queue or its deadline, whichever comes first. Events can
also be scheduled on the clock itself (the `--commands` of a run): the clock
hands them out at their time, so no timer threads race with the session.
The virtual clock jumps straight to the next moment that matters: a whole
session simulates in milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from typing import Protocol

from coach.session.events import Event


class Clock(Protocol):
    def now(self) -> float: ...

    def schedule(self, at: float, event: Event) -> None:
        """Deliver `event` from `wait` when session time reaches `at`."""
        ...

    def wait(self, events: queue.Queue[Event], deadline: float | None) -> Event | None:
        """The next event, or None once `deadline` has come. None deadline: no limit."""
        ...


class _Schedule:
    """Events waiting for their time, earliest first (ties keep their order)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Event]] = []
        self._order = itertools.count()

    def schedule(self, at: float, event: Event) -> None:
        heapq.heappush(self._heap, (at, next(self._order), event))

    @property
    def scheduled(self) -> bool:
        """Whether any scheduled event is still to come."""
        return bool(self._heap)

    def _next_at(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def _pop(self) -> Event:
        return heapq.heappop(self._heap)[2]


def earliest(*times: float | None) -> float | None:
    """The earliest of these times; None when none is set."""
    known = [t for t in times if t is not None]
    return min(known) if known else None


class VirtualClock(_Schedule):
    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0

    def now(self) -> float:
        return self._now

    def wait(self, events: queue.Queue[Event], deadline: float | None) -> Event | None:
        try:
            return events.get_nowait()
        except queue.Empty:
            pass
        next_at = self._next_at()
        if next_at is not None and (deadline is None or next_at <= deadline):
            self._now = max(self._now, next_at)
            return self._pop()
        if deadline is None:
            raise WaitingForever
        self._now = max(self._now, deadline)
        return None


class WaitingForever(Exception):
    """A simulated session waits for a command that will never come."""


class RealTimeClock(_Schedule):
    """Base of the clocks that follow real time, `speed` times faster."""

    speed = 1.0

    def now(self) -> float:
        raise NotImplementedError

    def wait(self, events: queue.Queue[Event], deadline: float | None) -> Event | None:
        while True:
            now = self.now()
            next_at = self._next_at()
            if next_at is not None and next_at <= now:
                return self._pop()
            if deadline is not None and deadline <= now:
                return None
            limit = earliest(deadline, next_at)
            timeout = None if limit is None else (limit - now) / self.speed
            try:
                return events.get(timeout=timeout)
            except queue.Empty:
                continue


class ScaledClock(RealTimeClock):
    """Wall-clock time sped up `speed` times (1.0 is real time)."""

    def __init__(self, speed: float = 1.0) -> None:
        super().__init__()
        self.speed = speed
        self._start = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._start) * self.speed
