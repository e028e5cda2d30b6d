"""The tones in audio_assets/, loaded once and resampled to the output rate."""

from __future__ import annotations

from functools import cache

import numpy as np
import soundfile

from coach.base.errors import CoachError
from coach.base.resources import audio_assets_dir
from coach.base.samples import Samples, resample

TONES = ("countdown", "go", "start", "finish", "tick")


@cache
def tone(kind: str, rate: int) -> Samples:
    path = audio_assets_dir() / f"{kind}.wav"
    try:
        samples, file_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError) as exc:
        raise CoachError(f"can't read the tone {path} ({exc}); reinstall coach") from None
    mono = np.ascontiguousarray(samples.mean(axis=1), dtype=np.float32)
    out = resample(mono, int(file_rate), rate)
    out.setflags(write=False)
    return out
