"""The microphone's clock against the session's: where a chunk the microphone gave
falls in session time, and where a clip the coach plays falls on the listener's clock.

The listener counts time in samples fed (its clock starts at the first chunk's session
time, `origin`); the session counts time on its own clock (`messages.Sync` readings
carry it over). The two drift apart (two sound cards), chunks arrive late on a busy
machine, and a microphone that overran loses audio: `offset` is session time minus
the listener's, read from the chunks as they come.
"""

from __future__ import annotations

import collections
import logging

from coach.listen import messages

_LOGGER = logging.getLogger(__name__)

# A microphone that overran lost a buffer's worth at least; the clock drift between two
# sound cards takes many minutes to come to as much (lost()).
LOST_AT_LEAST = 0.08
LOSS_WINDOW = 32  # chunks (about a second) whose earliest arrival places the microphone
# Seconds the microphone's place may move before the clips are moved: more than the
# clock readings scatter (a late output callback holds one back by up to a block).
CLIP_SLACK = 0.06


class MicClock:
    """Session time and the listener's sample-counted time, mapped both ways."""

    def __init__(
        self, sync: messages.Sync, speed: float, delay: float | None, rate: int
    ) -> None:
        self.sync = sync
        self.speed = speed  # session seconds per second
        self.delay = delay  # session time from a clip's scheduling to the microphone
        self.rate = rate  # the microphone's
        self.synced = False  # a clock reading came since this process started
        self.origin: float | None = None  # session time of the first sample
        self.fed = 0  # samples handed to the listener
        # Session time minus the listener's sample-counted time: maps one onto the
        # other and absorbs drift between the two sound cards' clocks.
        self.offset = 0.0
        # Clips are placed with one offset, not each chunk's: the sound cards keep their
        # distance while the arrival times scatter, and each jump would make the
        # canceller relearn the room (reanchored()).
        self.clip_offset: float | None = None
        # The last offsets, and their lowest since the clock was synced (lost()).
        self._recent: collections.deque[float] = collections.deque(maxlen=LOSS_WINDOW)
        self._baseline: float | None = None

    def resync(self, sync: messages.Sync) -> None:
        self.sync = sync
        self.synced = True

    def session_time(self, monotonic: float) -> float:
        return self.sync.session + (monotonic - self.sync.monotonic) * self.speed

    def chunk_arrived(self, arrived: float, samples: int) -> None:
        """A chunk of `samples` arrived at monotonic time `arrived` (not when it is
        taken: chunks wait while the listener loads its models)."""
        started = self.session_time(arrived) - samples / self.rate
        if self.origin is None:
            self.origin = started
        self.offset = started - (self.origin + self.fed / self.rate)
        if self.synced:
            self._recent.append(self.offset)

    def lost(self) -> int:
        """Samples the microphone lost (its buffer overran on a busy machine), counted as
        fed: the caller feeds the listener as much silence, so its clock stays on the
        session's (else everything after is placed late, and the canceller, whose
        reference is the coach's clips on that clock, has the echo to find anew)."""
        if len(self._recent) < LOSS_WINDOW:
            return 0
        # Chunks arrive late, never early: the earliest of the window is the true place.
        low = min(self._recent)
        if self._baseline is None or low < self._baseline:
            self._baseline = low
            return 0
        if low - self._baseline < LOST_AT_LEAST:
            return 0
        lost = round((low - self._baseline) * self.rate)
        _LOGGER.info("the microphone lost %.2f s of audio (a busy machine?)", lost / self.rate)
        self.fed += lost
        self.offset -= lost / self.rate
        self._recent.clear()
        self._recent.append(self.offset)
        return lost

    def reanchored(self) -> bool:
        """Whether the clips must be placed anew: with the offset of the earliest chunk
        of the last second, when it moved by CLIP_SLACK (the first clock readings can be
        far off while the sound output starts, and a clip put by one is no reference
        for the echo the canceller must find)."""
        if not self._recent:
            return False
        anchor = min(self._recent)
        if self.clip_offset is not None and abs(anchor - self.clip_offset) < CLIP_SLACK:
            return False
        _LOGGER.debug("the coach's clips placed with offset %+.3f s", anchor)
        self.clip_offset = anchor
        return True

    def heard_at(self, start: float) -> float:
        """Where a clip scheduled at session time `start` reaches the microphone, on the
        listener's clock."""
        assert self.delay is not None and self.clip_offset is not None
        return start - self.clip_offset + self.delay

    def played_at(self, t: float) -> float:
        """The session time at which what the microphone hears at listener time `t` was
        scheduled (the inverse of heard_at, with the latest offset)."""
        assert self.delay is not None
        return t + self.offset - self.delay

    def in_session(self, t: float) -> float:
        """Listener time `t` in session time."""
        return t + self.offset
