"""Barge-in: taking the coach's own voice out of what the microphone hears.

By default the listener is deaf while the coach talks (pipeline.ListenSettings
.mute_tail). In barge-in mode it listens all the time, and each microphone frame
first goes through an acoustic echo canceller that is told what the coach played:

    microphone = athlete + room(coach's sound) + noise
    → SpeexDSP's echo canceller (an adaptive filter that learns the room, plus its
      residual-echo suppressor) given the coach's sound as the reference
    → athlete + what is left of the echo + noise

`PlayedSound` rebuilds the reference on the listener's clock from the clips the
mixer scheduled; `EchoCanceller` runs SpeexDSP's canceller through pyaec (a
wheel that carries its own build of SpeexDSP). bench/echo.py measures both.
"""

from __future__ import annotations

import bisect
import ctypes
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from coach.errors import CoachError

Audio = npt.NDArray[np.float32]

# SpeexDSP works in small blocks: 8 ms at 16 kHz (a listener frame is four of them).
BLOCK = 128
# How long an echo the filter can learn: the room's reverberation plus what the
# estimate of the playback delay gets wrong. 128 ms: on bench/echo.py, 4096 (256 ms)
# cancelled 5 dB less, the longer filter adapting more slowly.
FILTER = 2048


class EchoCanceller:
    """SpeexDSP's echo canceller with its residual-echo and noise suppressor, for
    16-bit mono at `rate`; fed any whole number of BLOCKs at a time."""

    def __init__(self, rate: int) -> None:
        try:
            import pyaec
        except ImportError:
            raise CoachError(
                "barge-in needs the pyaec package (SpeexDSP's echo canceller): "
                "pip install pyaec, or listen without barge-in"
            ) from None
        self._lib = pyaec.lib
        self._handle = self._lib.AecNew(BLOCK, FILTER, rate, True)
        if not self._handle:
            raise CoachError("SpeexDSP's echo canceller would not start")
        self._pointer = ctypes.POINTER(ctypes.c_int16)

    def __call__(self, mic: Audio, played: Audio) -> Audio:
        """`mic` with the echo of `played` (what the coach played, as it reached the
        microphone's time) taken out."""
        if mic.size != played.size or mic.size % BLOCK:
            raise ValueError(f"frames of a multiple of {BLOCK} samples, of equal length")
        near, far = _pcm(mic), _pcm(played)
        out = np.empty_like(near)
        for at in range(0, near.size, BLOCK):
            self._lib.AecCancelEcho(
                self._handle,
                near[at : at + BLOCK].ctypes.data_as(self._pointer),
                far[at : at + BLOCK].ctypes.data_as(self._pointer),
                out[at : at + BLOCK].ctypes.data_as(self._pointer),
                BLOCK,
            )
        return out.astype(np.float32) / 32768.0

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._lib.AecDestroy(handle)


def _pcm(audio: Audio) -> npt.NDArray[np.int16]:
    return np.ascontiguousarray((np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16))


@dataclass
class PlayedSound:
    """The coach's clips on the listener's clock: each at the time its first sample
    reaches the microphone, at the listener's rate."""

    rate: int
    keep: float = 30.0  # seconds of past clips kept
    _starts: list[float] = field(default_factory=list)
    _clips: list[Audio] = field(default_factory=list)

    def add(self, start: float, clip: Audio) -> None:
        at = bisect.bisect(self._starts, start)
        self._starts.insert(at, start)
        self._clips.insert(at, np.asarray(clip, dtype=np.float32))

    def between(self, start: float, samples: int) -> Audio:
        """What the coach played over `samples` samples from `start` (zeros where it
        was silent)."""
        out = np.zeros(samples, dtype=np.float32)
        first = round(start * self.rate)
        for clip_start, clip in zip(self._starts, self._clips, strict=True):
            offset = first - round(clip_start * self.rate)  # of the frame in the clip
            a, b = max(0, offset), min(clip.size, offset + samples)
            if a < b:
                out[a - offset : b - offset] += clip[a:b]
        self._forget(start - self.keep)
        return out

    def _forget(self, before: float) -> None:
        while self._starts and self._starts[0] + self._clips[0].size / self.rate < before:
            del self._starts[0], self._clips[0]
