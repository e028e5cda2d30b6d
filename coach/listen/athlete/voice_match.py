"""The listener's ear for the athlete: how far an utterance sounds like the enrolled
voice, weighed together with how sure the recognizer is of the words.

The listener hands it every frame it hears (with its stream time) and asks, for an
utterance it would act on, the voice match of that stretch: the cosine similarity of
its d-vector (coach.listen.athlete.speaker) with the profile's. A command the recognizer is
barely sure of needs a voice that sounds clearly like the athlete's; a command it is
sure of may come in a voice a cold or a loud room has changed a little.
"""

from __future__ import annotations

import collections
import math

import numpy as np

from coach.base.samples import Samples, resample
from coach.listen.athlete import speaker
from coach.listen.athlete.voice_profile import VoiceProfile

# Cosine similarity at which the surest recognition passes, and what is added for one
# at the recognizer's gate: chosen on bench/voice.py's dev split, where it keeps 166 of
# 199 commands heard and cuts false actions from 196 to 29 an hour (bench/README.md).
MATCH_FLOOR = 0.45
MATCH_SPAN = 0.10
# Only the frames this near the utterance's loudest are the speaker's: between its
# syllables a TV or a crowd is all there is (EER over TV 15 dB 24 -> 12 %, bench/README.md).
LOUD_DB = 10.0
KEPT_SECONDS = 6.0  # more than the longest utterance a value may be (VALUE_MAX_FRAMES)


class AthleteVoice:
    """The profile, and the last seconds heard to measure an utterance against it."""

    def __init__(self, profile: VoiceProfile, rate: int, frame: int) -> None:
        self.profile = profile.array()
        self.rate = rate
        self._frame_seconds = frame / rate
        self._heard: collections.deque[tuple[float, Samples]] = collections.deque(
            maxlen=math.ceil(KEPT_SECONDS / self._frame_seconds)
        )

    def hear(self, t0: float, frame: Samples) -> None:
        """A frame the listener heard, starting at stream time `t0`."""
        self._heard.append((t0, frame))

    def match(self, start: float, end: float) -> float:
        """How far the speech between `start` and `end` (stream seconds) sounds like the
        athlete: cosine similarity, 1 the same voice, about 0.25 another's."""
        edge = self._frame_seconds / 2
        said = [f for t0, f in self._heard if start - edge <= t0 < end + edge]
        if not said:
            return 0.0
        audio = np.concatenate(_loudest(said))
        if self.rate != speaker.RATE:
            audio = resample(audio, self.rate, speaker.RATE)
        return speaker.similarity(speaker.embed(audio), self.profile)

    @staticmethod
    def needed(confidence: float, gate: float) -> float:
        """The voice match a recognition of `confidence` needs, `gate` the recognizer's
        own bar: from MATCH_FLOOR + MATCH_SPAN at the gate down to MATCH_FLOOR when sure."""
        margin = min(1.0, max(0.0, (confidence - gate) / max(1e-6, 1.0 - gate)))
        return MATCH_FLOOR + MATCH_SPAN * (1.0 - margin)


def _loudest(frames: list[Samples]) -> list[Samples]:
    energy = np.array([float(np.mean(np.square(f, dtype=np.float64))) for f in frames])
    floor = energy.max() * 10 ** (-LOUD_DB / 10)
    return [f for f, e in zip(frames, energy, strict=True) if e >= floor]
