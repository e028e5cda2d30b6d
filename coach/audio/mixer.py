"""Places clips at exact sample positions on one continuous output signal.

The session schedules a clip for the sample its cue belongs to; the output
callback asks for the next block. Scheduling only appends to a deque (atomic
in CPython), and only the callback touches the clips being played, so the
callback takes no lock and allocates nothing: it zero-fills its preallocated
block and adds the overlapping slice of every active clip.

A cut goes through the same deque, so it ends exactly the clips scheduled
before it: each sounding clip fades out over FADE_SECONDS and ends on the cut's
sample, and clips that would start there or later are dropped.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from coach.base.samples import Samples

if TYPE_CHECKING:
    from coach.audio.music import MusicBed

# Told of every clip scheduled: (start, stop) in samples, and the clip.
ClipWatcher = Callable[[int, int, Samples], None]
# Told of every cut, by the sample it falls on.
CutWatcher = Callable[[int], None]

# Long enough that a cut mid-word doesn't click, short enough to sound immediate.
FADE_SECONDS = 0.005
# How long a clip is kept after it ended, for a watcher that comes late (a minute: far
# beyond any delay from the speaker to the microphone).
SPANS_FORGOTTEN_AFTER = 60


class _Cut:
    """A marker in the incoming deque: end what was scheduled before it at `sample`."""

    __slots__ = ("sample",)

    def __init__(self, sample: int) -> None:
        self.sample = sample


class Mixer:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.position = 0  # the next sample to render; owned by the render side
        self.late_clips = 0  # scheduled after their first sample had been rendered
        self.worst_lateness = 0  # in samples
        self._incoming: collections.deque[tuple[int, Samples, bool] | _Cut] = collections.deque()
        # (start, clip, end): a clip sounds from start until end (its size, or a cut).
        self._active: list[tuple[int, Samples, int]] = []
        self._fade_samples = max(1, round(FADE_SECONDS * rate))
        self._ramp = np.linspace(1.0, 0.0, self._fade_samples, endpoint=False, dtype=np.float32)
        self._scratch = np.zeros(self._fade_samples, dtype=np.float32)
        # What is scheduled to sound, for the listener to ignore (or cancel) the
        # coach's voice: (start, stop, clip).
        self._spans: list[tuple[int, int, Samples]] = []
        self._spans_lock = threading.Lock()
        self._watchers: list[ClipWatcher] = []
        self._cut_watchers: list[CutWatcher] = []
        # Music under the coach, and where the coach's voice is (render side only).
        self.music: MusicBed | None = None
        self._voice: list[tuple[int, int]] = []

    def schedule(self, clip: Samples, start: int, *, voice: bool = False) -> None:
        """Play `clip` from sample `start`; music is turned down under a `voice` clip."""
        if clip.size == 0:
            return
        with self._spans_lock:
            # Forget what ended long ago, so a day-long session stays small.
            horizon = self.position - self.rate * SPANS_FORGOTTEN_AFTER
            if self._spans and self._spans[0][1] < horizon:
                self._spans = [s for s in self._spans if s[1] >= horizon]
            self._spans.append((start, start + clip.size, clip))
            for watcher in self._watchers:
                watcher(start, start + clip.size, clip)
        self._incoming.append((start, clip, voice))

    def cut(self, sample: int) -> None:
        """End everything scheduled so far at `sample`, with a short fade."""
        with self._spans_lock:
            self._spans = [
                (start, min(stop, sample), clip)
                for start, stop, clip in self._spans
                if start < sample
            ]
            for watcher in self._cut_watchers:
                watcher(sample)
        self._incoming.append(_Cut(sample))

    def watch(
        self, watcher: ClipWatcher, on_cut: CutWatcher | None = None
    ) -> Callable[[], None]:
        """Tell `watcher` (start, stop, clip), in samples, of every clip scheduled,
        those already scheduled first, and `on_cut` of every cut; returns the call
        that stops it."""
        with self._spans_lock:
            for start, stop, clip in self._spans:
                watcher(start, stop, clip)
            self._watchers.append(watcher)
            if on_cut is not None:
                self._cut_watchers.append(on_cut)

        def unwatch() -> None:
            with self._spans_lock:
                if watcher in self._watchers:
                    self._watchers.remove(watcher)
                if on_cut in self._cut_watchers:
                    self._cut_watchers.remove(on_cut)

        return unwatch

    def render_into(self, block: np.ndarray) -> None:
        """Fill `block` (1-D float32) with the next len(block) samples."""
        while self._incoming:
            item = self._incoming.popleft()
            if isinstance(item, _Cut):
                self._apply_cut(item.sample)
                continue
            start, clip, voice = item
            if start < self.position:
                # Too late for its slot: play it whole, now, and count it.
                self.late_clips += 1
                self.worst_lateness = max(self.worst_lateness, self.position - start)
                start = self.position
            self._active.append((start, clip, start + clip.size))
            if voice and self.music is not None:
                self._voice.append((start, start + clip.size))
        block.fill(0.0)
        begin, end = self.position, self.position + block.size
        still: list[tuple[int, Samples, int]] = []
        for start, clip, stop in self._active:
            if start < end and stop > begin:
                self._add(block, begin, clip, start, stop, cut=stop < start + clip.size)
            if stop > end:
                still.append((start, clip, stop))
        self._active = still
        if self.music is not None:
            self.music.add_into(block, begin, self._voice)
            if self._voice and self._voice[0][1] + self.rate < begin:  # long over
                self._voice = [v for v in self._voice if v[1] + self.rate >= begin]
        self.position = end

    def _apply_cut(self, sample: int) -> None:
        # A cut that comes after its sample was rendered fades out from here.
        sample = max(sample, self.position + self._fade_samples)
        self._active = [
            (start, clip, min(stop, sample)) for start, clip, stop in self._active if start < sample
        ]
        self._voice = [(start, min(stop, sample)) for start, stop in self._voice if start < sample]

    def _add(
        self, block: np.ndarray, begin: int, clip: Samples, start: int, stop: int, *, cut: bool
    ) -> None:
        """Add the part of `clip` that sounds in `block`, fading out its last samples
        when it was cut."""
        end = begin + block.size
        a, b = max(start, begin), min(stop, end)
        plain_end = b if not cut else min(b, stop - self._fade_samples)
        if a < plain_end:
            block[a - begin : plain_end - begin] += clip[a - start : plain_end - start]
        fade_from = max(a, plain_end)
        if cut and fade_from < b:
            n = b - fade_from
            first = fade_from - (stop - self._fade_samples)
            np.multiply(
                clip[fade_from - start : b - start],
                self._ramp[first : first + n],
                out=self._scratch[:n],
            )
            block[fade_from - begin : b - begin] += self._scratch[:n]

    def busy_until(self) -> int:
        with self._spans_lock:
            return max((stop for _, stop, _ in self._spans), default=0)
