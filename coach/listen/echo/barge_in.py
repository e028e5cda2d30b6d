"""Barge-in, seen from the listener: the coach's voice taken out of each frame, and
what the canceller leaves of it told from the athlete."""

from __future__ import annotations

import collections
import logging

import numpy as np

from coach.base.samples import Samples
from coach.listen.echo.canceller import EchoCanceller, EchoDelay, PlayedSound
from coach.listen.endpoint.vad import frame_level_db

_LOGGER = logging.getLogger(__name__)

# An utterance whose loudest frame is COACH_RESIDUE_DB or more under the coach's level
# at the microphone (its loudest frames in the last seconds, let down by COACH_DECAY_DB
# a second; COACH_FRAMES kept) is what is left of the coach's voice; a smaller margin
# loses commands said under a loud coach (bench/README.md).
COACH_RESIDUE_DB = 30.0
COACH_DECAY_DB = 10.0
COACH_FRAMES = 312


class CoachEcho:
    """The echo canceller and its delay tracker at `rate`, and the coach's recent level."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.canceller = EchoCanceller(rate)
        self.delay = EchoDelay(rate)
        # The coach's level at the microphone frame by frame, peaks held and let down.
        self._coach_db = -120.0
        self._coach_levels: collections.deque[float] = collections.deque(maxlen=COACH_FRAMES)
        self.last_played = -1e9  # stream time of the last frame the coach sounded in

    def cancel(self, frame: Samples, t0: float, played: PlayedSound) -> tuple[Samples, bool]:
        """`frame` (from stream time `t0`) without the coach's echo, and whether the
        canceller is trusted yet. Called from the first cue on, so that it learns the room."""
        moves = self.delay.moves
        reference = self.delay.reference(played, t0, frame)
        if self.delay.moves != moves:
            _LOGGER.debug(
                "%.2f: the coach's echo moved, %+.3f s, drifting %+.0f ppm",
                t0, self.delay.shift, self.delay.drift * 1e6,
            )
            self.canceller.moved()
        self._coach_db -= COACH_DECAY_DB * frame.size / self.rate
        if float(np.max(np.abs(reference))) > 1e-3:
            self._coach_db = max(self._coach_db, frame_level_db(frame))
            self.last_played = t0
        self._coach_levels.append(self._coach_db)
        return self.canceller(frame, reference), self.canceller.working

    def alone(self, played: PlayedSound, start: float, samples: int) -> Samples:
        """The coach's voice over `samples` from stream time `start`, as the microphone
        would hear it with nobody else in the room (unfiltered by the room)."""
        return self.delay.aligned(played, start, samples)

    def residue(self, peak: float, frames: int) -> bool:
        """Whether an utterance that peaked at `peak` dB over its last `frames` frames is
        only what is left of the coach's voice: in a reverberant room its last words
        outlast the canceller's filter, faint but, turned up for the model, heard as a
        command. An athlete talking over the coach, or after it, is far nearer its level."""
        if not self._coach_levels:
            return False
        frames = min(len(self._coach_levels), frames)
        coach = max(list(self._coach_levels)[-frames:]) if frames > 0 else self._coach_db
        return peak < coach - COACH_RESIDUE_DB
