"""Make every rendered cue sound alike: no dead air at the ends, equal loudness."""

from __future__ import annotations

import numpy as np

from coach.base.samples import Samples, resample

# Below this (relative to the clip's peak) counts as silence at the edges.
_EDGE_THRESHOLD_DB = -40.0
# Kept around the speech so consonants' onsets and tails aren't clipped.
_EDGE_PAD_SECONDS = 0.015
_PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS


def trim(samples: Samples, rate: int) -> Samples:
    if samples.size == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak == 0.0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (_EDGE_THRESHOLD_DB / 20))
    pad = int(_EDGE_PAD_SECONDS * rate)
    start = max(0, int(loud[0]) - pad)
    end = min(samples.size, int(loud[-1]) + 1 + pad)
    return samples[start:end]


def _active_rms(samples: Samples, rate: int) -> float:
    """RMS over the 20 ms frames that carry speech, so pauses don't dilute it."""
    frame = max(1, int(0.02 * rate))
    usable = samples[: samples.size - samples.size % frame]
    if usable.size == 0:
        return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    energies = np.sqrt(np.mean(usable.reshape(-1, frame) ** 2, axis=1))
    loudest = float(energies.max())
    if loudest == 0.0:
        return 0.0
    active = energies[energies >= loudest * 10 ** (-30 / 20)]
    return float(np.sqrt(np.mean(active**2)))


def normalise(samples: Samples, rate: int, target_dbfs: float, volume: float) -> Samples:
    rms = _active_rms(samples, rate)
    if rms == 0.0:
        return samples
    gain = 10 ** (target_dbfs / 20) / rms
    out = samples * gain
    peak = float(np.max(np.abs(out)))
    if peak > _PEAK_CEILING:  # a limiter would be kinder; a clip is rare at -20 dBFS
        out *= _PEAK_CEILING / peak
    return (out * volume).astype(np.float32)



def prepare(
    samples: Samples, rate: int, target_rate: int, target_dbfs: float, volume: float
) -> Samples:
    trimmed = trim(np.asarray(samples, dtype=np.float32), rate)
    return normalise(resample(trimmed, rate, target_rate), target_rate, target_dbfs, volume)
