"""Reading a recording as the listener hears it: mono float32."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from coach.base.errors import CoachError
from coach.base.samples import Samples


def read_mono(path: str | Path) -> tuple[Samples, int]:
    """The file's audio (WAV/FLAC/OGG/…, any channels) as mono float32, and its rate."""
    blocks, rate = mono_blocks(path, block_seconds=60.0)
    return np.concatenate(list(blocks)), rate


def mono_blocks(path: str | Path, block_seconds: float = 1.0) -> tuple[Iterator[Samples], int]:
    """The file's audio as mono float32 blocks of about `block_seconds`, and its rate:
    a long recording is never all in memory at once. A missing, unreadable or empty
    file fails here, before the first block."""
    import soundfile

    errors = (soundfile.LibsndfileError, RuntimeError, ValueError, EOFError)
    p = Path(path)
    if p.is_dir():
        raise CoachError(f"{p}: a folder, not an audio file (give one recording)")
    if not p.is_file():
        raise CoachError(f"{p}: no such audio file")
    try:
        source = soundfile.SoundFile(str(p))
    except errors as exc:
        raise _unreadable(p, exc) from None
    if source.frames == 0:
        source.close()
        raise CoachError(f"{p}: the recording is empty")
    size = max(1, int(block_seconds * source.samplerate))

    def blocks() -> Iterator[Samples]:
        with source:
            try:
                for data in source.blocks(blocksize=size, dtype="float32", always_2d=True):
                    yield np.ascontiguousarray(data.mean(axis=1, dtype=np.float32))
            except errors as exc:  # damaged further in
                raise _unreadable(p, exc) from None

    return blocks(), int(source.samplerate)


def _unreadable(path: Path, error: Exception) -> CoachError:
    reason = str(error).strip().splitlines()[-1] if str(error).strip() else "unreadable"
    return CoachError(f"{path}: not a readable audio file ({reason})")

