"""Finding a session's cues in what was played: the clips of a timeline, put back
where the schedule says, and searched for in a recording.

Shared by the audio tests and bench/voice_timing.py. A cue's clip comes from
the run's own cue cache (pyttsx3 renders differ by a few samples from one run to
the next, so a fresh render would not match), a tone from audio_assets/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.app.speaker import sample_at
from coach.audio.tones import tone
from coach.config import load_settings
from coach.voice.voice import Voice

CUE_EVENTS = ("say", "tone")


@dataclass(frozen=True)
class Cue:
    t: float
    label: str  # "say: Brace." / "tone: go"
    clip: np.ndarray

    def start(self, rate: int) -> int:
        return sample_at(self.t, rate)


@dataclass(frozen=True)
class Group:
    """Cues that start on the same sample sound together: searched for as one."""

    start: int
    labels: tuple[str, ...]
    template: np.ndarray


def json_events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def timeline_cues(
    events: Iterable[Mapping[str, Any]], rate: int, overrides: Mapping[str, object] | None = None
) -> list[Cue]:
    """Every say and tone of a timeline with the samples that were played for it.

    COACH_HOME must point where the run kept its cache; a say whose clip isn't
    cached is an error (it can't have been played from there). The run is taken
    to have had no COACH_* settings in its environment (the tests strip them).
    """
    voice = Voice.from_settings(load_settings(overrides, environ={}))
    try:
        cues = []
        for e in events:
            if e["event"] == "say":
                clip = voice.cache.get(e["text"])
                if clip is None:
                    raise AssertionError(f"no cached clip for {e['text']!r}")
                cues.append(Cue(e["t"], f"say: {e['text']}", clip))
            elif e["event"] == "tone":
                cues.append(Cue(e["t"], f"tone: {e['kind']}", tone(e["kind"], rate)))
        return cues
    finally:
        voice.close()


def groups(cues: Sequence[Cue], rate: int) -> list[Group]:
    by_start: dict[int, list[Cue]] = {}
    for cue in cues:
        if cue.clip.size:
            by_start.setdefault(cue.start(rate), []).append(cue)
    out = []
    for start, same in sorted(by_start.items()):
        template = np.zeros(max(c.clip.size for c in same), dtype=np.float64)
        for c in same:
            template[: c.clip.size] += c.clip
        out.append(Group(start, tuple(c.label for c in same), template))
    return out


def render(cues: Sequence[Cue], rate: int, length: int, offset: int = 0) -> np.ndarray:
    """What a mixer fed these cues plays, as `length` samples (cue at t → sample_at(t)+offset)."""
    out = np.zeros(length, dtype=np.float32)
    for cue in cues:
        a = cue.start(rate) + offset
        if a >= length:
            continue
        b = min(length, a + cue.clip.size)
        out[max(a, 0) : b] += cue.clip[max(0, -a) : b - a]
    return out


@dataclass(frozen=True)
class Match:
    found: int  # the sample where the template matches best
    score: float  # normalised cross-correlation there, 1.0 = identical shape


def locate(signal: np.ndarray, template: np.ndarray, near: int, window: int) -> Match:
    """Where `template` best matches `signal`, searching `window` samples either side of `near`."""
    lo = max(0, near - window)
    hi = min(signal.size, near + window + template.size)
    segment = np.asarray(signal[lo:hi], dtype=np.float64)
    n = template.size
    if segment.size < n:
        return Match(near, 0.0)
    size = 1 << int(np.ceil(np.log2(segment.size + n)))
    corr = np.fft.irfft(np.fft.rfft(segment, size) * np.conj(np.fft.rfft(template, size)), size)
    corr = corr[: segment.size - n + 1]
    energy = np.concatenate(([0.0], np.cumsum(segment**2)))
    power = float(np.sum(template**2))
    # Floored, so near-silence (and cumsum rounding there) can't look like a match.
    local = np.maximum(energy[n:] - energy[:-n], 0.1 * power)
    norm = np.sqrt(local * power)
    ncc = corr / norm
    best = int(np.argmax(ncc))
    return Match(lo + best, float(ncc[best]))


def first_sound(signal: np.ndarray, threshold: float = 1e-3) -> int | None:
    loud = np.flatnonzero(np.abs(signal) > threshold)
    return int(loud[0]) if loud.size else None


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


# About 16 s: a timed setup, a 2-beep countdown, one set of two reps.
SHORT_SCRIPT = """\
workout: Short check
intro: "Short check."
outro: "Done."
defaults:
  tempo: {setup: 2, brace: 1, drive: 1, hold: 1, lower: 1}
  countdown: 2
exercises:
  - name: Bridge
    sets: 1
    reps: 2
    cues:
      setup: "Feet flat."
      brace: "Brace."
      drive: "Up!"
      hold: "Squeeze."
      lower: "Down."
"""
