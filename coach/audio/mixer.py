"""Places clips at exact sample positions on one continuous output signal.

The session schedules a clip for the sample its cue belongs to; the output
callback asks for the next block. Scheduling only appends to a deque (atomic
in CPython), and only the callback touches the clips being played, so the
callback takes no lock and allocates nothing: it zero-fills its preallocated
block and adds the overlapping slice of every active clip.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

import numpy as np

from coach.voice.engines import Samples

# Told of every clip scheduled: (start, stop) in samples, and the clip.
ClipWatcher = Callable[[int, int, Samples], None]


class Mixer:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.position = 0  # the next sample to render; owned by the render side
        self.late_clips = 0  # scheduled after their first sample had been rendered
        self.worst_lateness = 0  # in samples
        self._incoming: collections.deque[tuple[int, Samples]] = collections.deque()
        self._active: list[tuple[int, Samples]] = []
        # What is scheduled to sound, for the listener to ignore (or cancel) the
        # coach's voice: (start, stop, clip).
        self._spans: list[tuple[int, int, Samples]] = []
        self._spans_lock = threading.Lock()
        self._watchers: list[ClipWatcher] = []

    def schedule(self, clip: Samples, start: int) -> None:
        if clip.size == 0:
            return
        with self._spans_lock:
            self._spans.append((start, start + clip.size, clip))
            for watcher in self._watchers:
                watcher(start, start + clip.size, clip)
        self._incoming.append((start, clip))

    def watch(self, watcher: ClipWatcher) -> Callable[[], None]:
        """Tell `watcher` (start, stop, clip), in samples, of every clip scheduled,
        those already scheduled first; returns the call that stops it."""
        with self._spans_lock:
            for start, stop, clip in self._spans:
                watcher(start, stop, clip)
            self._watchers.append(watcher)

        def unwatch() -> None:
            with self._spans_lock:
                if watcher in self._watchers:
                    self._watchers.remove(watcher)

        return unwatch

    def render_into(self, block: np.ndarray) -> None:
        """Fill `block` (1-D float32) with the next len(block) samples."""
        while self._incoming:
            start, clip = self._incoming.popleft()
            if start < self.position:
                # Too late for its slot: play it whole, now, and count it.
                self.late_clips += 1
                self.worst_lateness = max(self.worst_lateness, self.position - start)
                start = self.position
            self._active.append((start, clip))
        block.fill(0.0)
        begin, end = self.position, self.position + block.size
        still: list[tuple[int, Samples]] = []
        for start, clip in self._active:
            stop = start + clip.size
            if start < end and stop > begin:
                a, b = max(start, begin), min(stop, end)
                block[a - begin : b - begin] += clip[a - start : b - start]
            if stop > end:
                still.append((start, clip))
        self._active = still
        self.position = end

    def sounding(self, sample: int, tail: int = 0, until: int | None = None) -> bool:
        """Whether anything scheduled sounds at `sample` (up to `until`), or ended
        less than `tail` samples before it."""
        last = sample if until is None else max(sample, until - 1)
        with self._spans_lock:
            # Forget what ended long ago, so a day-long session stays small.
            horizon = self.position - self.rate * 60
            if self._spans and self._spans[0][1] < horizon:
                self._spans = [s for s in self._spans if s[1] >= horizon]
            return any(start <= last and sample < stop + tail for start, stop, _ in self._spans)

    def busy_until(self) -> int:
        with self._spans_lock:
            return max((stop for _, stop, _ in self._spans), default=0)
