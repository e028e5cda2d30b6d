"""Reading a recording as the listener hears it: mono float32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from coach.errors import CoachError
from coach.listen.resample import resample

Audio = npt.NDArray[np.float32]


def read_mono(path: str | Path) -> tuple[Audio, int]:
    """The file's audio (WAV/FLAC/OGG/…, any channels) as mono float32, and its rate."""
    import soundfile

    p = Path(path)
    if not p.is_file():
        raise CoachError(f"{p}: no such audio file")
    try:
        data, rate = soundfile.read(str(p), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError, EOFError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
        raise CoachError(f"{p}: not a readable audio file ({reason})") from None
    if data.shape[0] == 0:
        raise CoachError(f"{p}: the recording is empty")
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def read_audio(path: str | Path, rate: int) -> Audio:
    """The file's audio as mono float32 at `rate`."""
    audio, file_rate = read_mono(path)
    return resample(audio, file_rate, rate)
