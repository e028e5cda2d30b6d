"""Barge-in: taking the coach's own voice out of what the microphone hears.

Without barge-in the listener is deaf while the coach talks (PipelineSettings
.mute_tail). In barge-in mode it listens all the time, and each microphone frame
first goes through an acoustic echo canceller that is told what the coach played:

    microphone = athlete + room(coach's sound) + noise
    → SpeexDSP's echo canceller (an adaptive filter that learns the room, plus its
      residual-echo suppressor) given the coach's sound as the reference
    → athlete + what is left of the echo + noise

`PlayedSound` rebuilds the reference on the listener's clock from the clips the
mixer scheduled; `EchoCanceller` runs SpeexDSP's canceller through pyaec (a
wheel that carries its own build of SpeexDSP), or where pyaec has no wheel (Linux
arm64) through the system's libspeexdsp (coach.listen.echo.speexdsp). bench/echo.py
measures both.
"""

from __future__ import annotations

import bisect
import collections
import ctypes
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.base.errors import CoachError
from coach.base.samples import Samples

# SpeexDSP works in small blocks: 8 ms at 16 kHz (a listener frame is four of them).
BLOCK = 128
# How long an echo the filter can learn: the room's reverberation plus what the
# estimate of the playback delay gets wrong. 128 ms: a longer filter adapts more
# slowly and cancels less (bench/echo.py; bench/README.md).
FILTER = 2048
# The canceller is trusted while the best of the last PROOF_KEPT blocks of PROOF_BLOCK
# samples (at 16 kHz, half a second) in which the coach played brought its voice down
# by PROOF_DB: a room still being learnt lets command words in the cues through as
# commands (bench/README.md). Four seconds of the coach's talk: over fewer, an athlete
# talking over a run of short cues and beeps made a learnt room look unlearnt.
PROOF_DB = 25.0
PROOF_BLOCK = 8000
PROOF_KEPT = 8
# A frame the canceller took this much off while the coach played held nothing but
# the coach: it is silenced. Over the coach, the athlete's voice stays in the frame,
# so less comes off (bench/README.md).
GATE_DB = 25.0


class EchoCanceller:
    """SpeexDSP's echo canceller with its residual-echo and noise suppressor, for
    16-bit mono at `rate`; fed any whole number of BLOCKs at a time."""

    def __init__(self, rate: int) -> None:
        try:
            import pyaec

            self._lib: Any = pyaec.lib
        except ImportError:
            # No pyaec wheel here (Linux arm64): the system's SpeexDSP, if installed.
            from coach.listen.echo.speexdsp import library

            self._lib = library()
            if self._lib is None:
                raise CoachError(
                    "barge-in needs SpeexDSP's echo canceller: pip install pyaec, or "
                    "apt-get install libspeexdsp1, or listen without barge-in"
                ) from None
        self._handle = self._lib.AecNew(BLOCK, FILTER, rate, True)
        if not self._handle:
            raise CoachError("SpeexDSP's echo canceller would not start")
        self._pointer = ctypes.POINTER(ctypes.c_int16)
        # How far the coach's voice comes down (ERLE, dB), in blocks of PROOF_BLOCK
        # samples in which it played: the listener hears over the coach only while the
        # canceller is doing its job (it learns a room, or a moved echo, in a second or
        # two). The best of the last few blocks, since the athlete talking over the
        # coach makes a block look bad.
        self._proof: collections.deque[float] = collections.deque(maxlen=PROOF_KEPT)
        self._block = _Block()  # the block being summed

    def __call__(self, mic: Samples, played: Samples) -> Samples:
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
        cleaned = out.astype(np.float32) / 32768.0
        if float(np.max(np.abs(played))) > 1e-3:
            removed = self._measure(mic, cleaned)
            if removed >= GATE_DB:
                # Only the coach was there: what is left is its echo, however faint,
                # and a speech model hears a faint "Next!" as well as a loud one.
                cleaned[:] = 0.0
        return cleaned

    def moved(self) -> None:
        """The reference was moved (EchoDelay): the filter learns anew, unproven."""
        self._proof.clear()
        self._block = _Block()

    @property
    def working(self) -> bool:
        """Whether the coach's voice came down by PROOF_DB lately."""
        return bool(self._proof) and max(self._proof) >= PROOF_DB

    def _measure(self, mic: Samples, cleaned: Samples) -> float:
        """Counts the frame towards the proof; returns the dB it took off the frame."""
        before = float(np.sum(mic.astype(np.float64) ** 2))
        after = float(np.sum(cleaned.astype(np.float64) ** 2))
        block = self._block
        block.mic += before
        block.cleaned += after
        block.samples += mic.size
        if block.samples >= PROOF_BLOCK:
            self._proof.append(_db_removed(block.mic, block.cleaned))
            self._block = _Block()
        return _db_removed(before, after)

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._lib.AecDestroy(handle)


def _pcm(audio: Samples) -> npt.NDArray[np.int16]:
    return np.ascontiguousarray((np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16))


@dataclass
class _Block:
    """Energies summed over a block of frames the coach played in."""

    mic: float = 0.0  # what the microphone heard
    cleaned: float = 0.0  # what the canceller left
    samples: int = 0


def _db_removed(before: float, after: float) -> float:
    return float(10 * np.log10((before + 1e-12) / (after + 1e-12)))


@dataclass
class PlayedSound:
    """The coach's clips on the listener's clock: each at the time its first sample
    reaches the microphone, at the listener's rate."""

    rate: int
    keep: float = 30.0  # seconds of past clips kept
    _starts: list[float] = field(default_factory=list)
    _clips: list[Samples] = field(default_factory=list)

    def add(self, start: float, clip: Samples) -> None:
        at = bisect.bisect(self._starts, start)
        self._starts.insert(at, start)
        self._clips.insert(at, np.asarray(clip, dtype=np.float32))

    def between(self, start: float, samples: int) -> Samples:
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

    def between_at(self, start: float, samples: int, step: float) -> Samples:
        """Like `between`, but read `step` of a sample on for each sample out (a
        speaker whose clock runs a little fast or slow against the microphone's), at
        fractional places, by windowed-sinc interpolation."""
        if step == 1.0:
            return self.between(start, samples)
        places = start * self.rate + np.arange(samples) * step
        whole = np.floor(places)
        first = int(whole[0]) - _HALF_TAPS + 1
        span = self.between(first / self.rate, int(whole[-1]) - first + _HALF_TAPS + 1)
        # tap k of output i reads span[whole_i - first + k], k = -HALF+1 … HALF
        taps = np.arange(-_HALF_TAPS + 1, _HALF_TAPS + 1)
        at = (whole - first).astype(np.int64)[:, None] + taps
        weights = _sinc_weights(taps[None, :] - (places - whole)[:, None])
        out: Samples = np.sum(span[at] * weights, axis=1).astype(np.float32)
        return out

    def _forget(self, before: float) -> None:
        while self._starts and self._starts[0] + self._clips[0].size / self.rate < before:
            del self._starts[0], self._clips[0]


# Fractional reads take 2 × 16 neighbours, under a Hann window: at 16 kHz the error
# stays 40 dB under the signal up to 6 kHz, far below what the canceller takes off.
_HALF_TAPS = 16


def _sinc_weights(offsets: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    window = 0.5 + 0.5 * np.cos(np.pi * offsets / _HALF_TAPS)
    weights: npt.NDArray[np.float64] = np.sinc(offsets) * window
    return weights


def cancelled(mic: Samples, played: PlayedSound, frame: int = 4 * BLOCK) -> Samples:
    """A whole recording through a new canceller, `frame` samples at a time (a
    listener frame by default): for measuring the canceller on its own."""
    canceller = EchoCanceller(played.rate)
    out = np.zeros_like(mic)
    for at in range(0, mic.size - frame + 1, frame):
        reference = played.between(at / played.rate, frame)
        out[at : at + frame] = canceller(mic[at : at + frame], reference)
    return out


class EchoDelay:
    """Where the coach's sound really is in the microphone, tracked from the signals.

    The session's estimate of the round trip (output latency, the microphone's
    buffering) can be off by tens of milliseconds, and it drifts; the canceller's
    filter can only learn an echo that comes after its reference, and within its
    length. So every second, over the last two, the microphone is cross-correlated
    with what was played (GCC-PHAT: whitened, so the room's colour doesn't smear
    the peak), and the reference is moved to come MARGIN ahead of the echo.

    When the speaker and the microphone are two devices, their clocks differ by tens
    of parts per million, and the echo slides steadily away from its reference (18 ms
    over three minutes at 100 ppm): the canceller, chasing it, takes the coach's voice
    down less and lets its own "Next!" through as a command, as bench/README.md shows
    (bench/echo.py --drift-ppm 100). So the delays found are also fitted with a line
    over the last minute, and once its slope is clear the reference is read at that
    rate (PlayedSound.between_at): the echo stays put.
    """

    WINDOW = 2.0  # seconds of microphone compared
    EVERY = 1.0  # seconds between comparisons
    # Echo delays looked for, relative to where the reference is, in seconds. Not
    # wider: the coach says the same short cues again and again, and over a second
    # or more one "Brace." lines up with the next as well as with itself.
    SEARCH = (-0.25, 0.4)
    MARGIN = 0.02  # how far ahead of the echo the reference is put
    MOVE = 0.015  # smaller changes are left alone: each move makes the filter relearn
    CLEAR = 6.0  # how far the correlation peak must stand over the rest (its median)
    AGREE = 0.005  # seconds two findings may differ and still agree
    # The drift is fitted on the findings of the last DRIFT_SPAN seconds, once there are
    # DRIFT_FINDINGS of them over DRIFT_MIN_SPAN seconds or more (fewer, in a live
    # session, read a drift of 20-30 ppm into echo delays that held still, and the
    # canceller relearnt the room ten seconds in), and followed when it comes to
    # DRIFT_MIN (10 ppm: 2 ms over three minutes, which the filter absorbs).
    # A change of DRIFT_RELEARN or more is a move: the filter, which was chasing the
    # echo, must learn it standing still (bench/README.md).
    DRIFT_SPAN = 60.0
    DRIFT_MIN_SPAN = 30.0
    DRIFT_FINDINGS = 6
    DRIFT_MIN = 10e-6
    DRIFT_RELEARN = 20e-6
    # Drift is a line the findings lie on, within DRIFT_FIT seconds (their median
    # distance from it), no steeper than DRIFT_MAX: sound cards' clocks are at most a
    # few hundred ppm apart. Findings that scatter are not drift: with the echo beyond
    # the search they fall by chance, and a line through them would run the reference
    # away from the echo (bench/README.md).
    DRIFT_FIT = 0.002
    DRIFT_MAX = 1000e-6

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.shift = 0.0  # seconds the reference is moved later (negative: earlier)…
        self.drift = 0.0  # …plus this much more for every second after `_anchor`
        self._anchor = 0.0
        self.moves = 0  # how often the reference jumped (the filter must learn anew)
        self._previous: float | None = None  # the last comparison's finding
        self._mic: collections.deque[tuple[float, Samples]] = collections.deque()
        self._next = self.EVERY
        self._found: collections.deque[tuple[float, float]] = collections.deque()  # (t, delay)

    def shift_at(self, t: float) -> float:
        """Seconds the reference is moved later at microphone time `t`."""
        return self.shift + self.drift * (t - self._anchor)

    def reference(self, played: PlayedSound, start: float, mic: Samples) -> Samples:
        """What the coach played, as it reaches the microphone frame `mic` at `start`."""
        self._mic.append((start, mic))
        while self._mic and self._mic[0][0] < start - self.WINDOW:
            self._mic.popleft()
        if start >= self._next:
            self._next = start + self.EVERY
            self._track(played)
        return self.aligned(played, start, mic.size)

    def aligned(self, played: PlayedSound, start: float, samples: int) -> Samples:
        """What the coach played, lined up with the microphone's `samples` from `start`."""
        # The reference's time runs 1 - drift as fast as the microphone's.
        return played.between_at(start - self.shift_at(start), samples, 1.0 - self.drift)

    def _track(self, played: PlayedSound) -> None:
        first = self._mic[0][0]
        mic = np.concatenate([frame for _, frame in self._mic])
        early, late = self.SEARCH
        # The reference from `late` before the window to `-early` after it, so that
        # every delay searched lines the whole window up with some of it.
        span = round((late - early) * self.rate)
        ref = self.aligned(played, first - late, mic.size + span)
        if float(np.sqrt(np.mean(ref**2))) < 1e-3:
            return  # the coach was silent: nothing to line up
        size = 1 << int(np.ceil(np.log2(ref.size + mic.size)))
        cross = np.fft.rfft(ref, size) * np.conj(np.fft.rfft(mic, size))
        cross /= np.abs(cross) + 1e-12
        corr = np.abs(np.fft.irfft(cross, size))
        # corr[k]: the reference k samples on from each microphone sample, which is
        # where it lines up for an echo `late - k / rate` after the reference.
        scores = corr[: span + 1]
        best = int(np.argmax(scores))
        if scores[best] < self.CLEAR * float(np.median(scores)):
            return
        # The echo lies `late - best/rate` seconds after the reference's present place.
        echo_after = late - best / self.rate
        now = first + mic.size / self.rate
        self._follow_drift(first + mic.size / self.rate / 2, echo_after, now)
        # Moved only when two comparisons in a row agree: speech said again and again
        # can line up by chance once.
        previous, self._previous = self._previous, echo_after
        if previous is None or abs(echo_after - previous) > self.AGREE:
            return
        if abs(echo_after - self.MARGIN) >= self.MOVE:
            self.shift, self._anchor = self.shift_at(now) + echo_after - self.MARGIN, now
            self.moves += 1
            self._previous = None  # measured from the old place: no longer comparable

    def _follow_drift(self, middle: float, echo_after: float, now: float) -> None:
        """Fit the echo's delay over the last minute with a line (Theil-Sen: the
        median of the slopes between findings, so a cue lined up with the next one
        by chance doesn't tilt it), and read the reference at its slope."""
        self._found.append((middle, self.shift_at(middle) + echo_after))
        while self._found[0][0] < middle - self.DRIFT_SPAN:
            self._found.popleft()
        times, delays = (np.array(v) for v in zip(*self._found, strict=True))
        if len(times) < self.DRIFT_FINDINGS or times[-1] - times[0] < self.DRIFT_MIN_SPAN:
            return
        i, j = np.triu_indices(len(times), k=1)
        apart = times[j] - times[i]
        # Findings come in whole samples: pairs 5 s apart or more, so that one sample's
        # difference is a slope of 12.5 ppm at most.
        far = apart >= 5.0
        slopes = (delays[j] - delays[i])[far] / apart[far]
        slope = float(np.median(slopes))
        offset = float(np.median(delays - slope * times))
        off_line = float(np.median(np.abs(delays - offset - slope * times)))
        if abs(slope) > self.DRIFT_MAX or off_line > self.DRIFT_FIT:
            return  # no line: not drift (as it was, so far)
        drift = slope if abs(slope) >= self.DRIFT_MIN else 0.0
        if abs(drift - self.drift) >= self.DRIFT_RELEARN:
            self.moves += 1
        # Re-anchored where the reference is now: the rate changes, the place doesn't.
        self.shift, self._anchor, self.drift = self.shift_at(now), now, drift


def canceller_available() -> bool:
    """Whether barge-in's echo canceller can run here (else listening stays deaf
    while the coach talks, without a word: barge-in is on by default)."""
    try:
        import pyaec  # noqa: F401
    except Exception:  # noqa: BLE001 - missing or broken alike: listen without it
        from coach.listen.echo.speexdsp import library  # the system's SpeexDSP (arm64)

        return library() is not None
    return True
