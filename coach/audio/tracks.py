"""The athlete's music files, read block by block: mono, at the output rate, at one
loudness.

A track is never held whole: an hour-long mix is decoded a fraction of a second at a
time as the bed needs it, so memory doesn't grow with the music's length and the
first block is ready at once. The loudness is set from the track's first seconds and
follows the mean of what has been read since, gliding, so a quiet intro doesn't make
the rest loud for long and no block steps in level.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile

from coach.base.errors import CoachError
from coach.base.samples import Samples, StreamResampler

SUFFIXES = (".mp3", ".ogg", ".oga", ".flac", ".wav")
# Source frames decoded at a time: a third of a second at 44.1 kHz.
BLOCK_FRAMES = 16384
# The loudness is first taken over this much of a track: less would judge a song by
# its intro.
_MEASURE_SECONDS = 10.0
# Each track fades in and out this fast: one that starts or stops mid-wave would click.
_EDGE_FADE = 0.01
_KINDS = "an MP3, OGG, FLAC or WAV file"


def music_files(path: Path) -> list[Path]:
    """The playable files `path` names: itself, or the music files in the folder;
    raises CoachError when there is nothing to play there."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise CoachError(f"--music: no such file or folder: '{path}'") from None
    except OSError as exc:
        raise CoachError(f"--music: can't read '{path}': {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not files:
            raise CoachError(f"--music: no {', '.join(SUFFIXES)} files in '{path}'")
        return files
    if not stat.S_ISREG(mode):  # a pipe or a device would be waited on for ever
        raise CoachError(f"--music: '{path}' is not a file or a folder; give {_KINDS} or a folder")
    return [path]


def raised_cosine(x: np.ndarray) -> np.ndarray:
    """0 → 1 along x in [0, 1], with no corner at either end."""
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0)), dtype=np.float64)


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """mpg123, inside libsndfile, prints its notes on a file that isn't MP3 straight to
    the process's stderr; the coach says what is wrong in one line of its own."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        sys.stderr.flush()
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _open(path: Path) -> soundfile.SoundFile:
    skipping = f"skipping music '{path.name}'"
    try:
        if path.stat().st_size == 0:
            raise CoachError(f"{skipping}: the file is empty")
        with _quiet_stderr():
            return soundfile.SoundFile(str(path))
    except soundfile.LibsndfileError as exc:
        reason = exc.error_string.rstrip(".")
        if "possibly a pipe" in reason:  # libsndfile's words for data it can't make out
            reason = "its data is not sound"
        raise CoachError(f"{skipping}: can't read it as {_KINDS} ({reason})") from None
    except (OSError, RuntimeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CoachError(f"{skipping}: can't read it ({reason})") from None


def _read_frames(file: soundfile.SoundFile, out: np.ndarray) -> int:
    """Up to len(out) frames into `out`, straight from libsndfile: SoundFile.read seeks
    back to where it thinks it is after every read, and libsndfile's seek in an MP3 (or
    an Opus file: libsndfile issue 794) lands elsewhere and garbles what follows."""
    from soundfile import _ffi, _snd

    data = _ffi.cast("float *", out.ctypes.data)
    frames = int(_snd.sf_readf_float(file._file, data, out.shape[0]))
    return frames if _snd.sf_error(file._file) == 0 else -1


class Track:
    """One music file, read a block at a time; `read` raises CoachError when it can't."""

    def __init__(self, path: Path, rate: int, level: float) -> None:
        self.path = path
        self._file = _open(path)
        self._resample = StreamResampler(self._file.samplerate, rate)
        self._buffer = np.zeros((BLOCK_FRAMES, self._file.channels), dtype=np.float32)
        self._target = 10 ** (level / 20)  # the RMS the music is brought to
        self._measure = round(_MEASURE_SECONDS * rate)
        self._squares = 0.0  # of the samples read so far, before the gain
        self._count = 0
        self._gain: float | None = None  # at the end of the last block handed out
        self._edge = max(1, round(_EDGE_FADE * rate))
        self._held = np.zeros(0, dtype=np.float32)  # kept back: the end must fade out
        self._given = 0  # samples handed out
        self._ended = False

    def close(self) -> None:
        self._ended = True
        self._file.close()

    def read(self) -> Samples | None:
        """The next block of the track; None once it has all been read."""
        while not self._ended:
            raw, last = self._decode()
            self._squares += float(np.dot(raw, raw))
            self._count += raw.size
            pending = np.concatenate((self._held, raw))
            measuring = self._gain is None and self._count < self._measure
            if not last and (measuring or pending.size <= self._edge):
                self._held = pending
                continue
            keep = 0 if last else self._edge
            out = pending[: pending.size - keep].astype(np.float64)
            self._held = pending[pending.size - keep :]
            self._level(out)
            self._fade(out, last)
            if last:
                self.close()
                if self._given == 0 and out.size == 0:
                    raise CoachError(f"skipping music '{self.path.name}': it has no sound")
            self._given += out.size
            if out.size:
                np.clip(out, -1.0, 1.0, out=out)
                return out.astype(np.float32)
        return None

    def _decode(self) -> tuple[Samples, bool]:
        """The next source block, mono at the output rate; True with the last one."""
        frames = _read_frames(self._file, self._buffer)
        if frames < 0:
            self.close()
            raise CoachError(f"skipping music '{self.path.name}': it stopped reading midway")
        last = frames < BLOCK_FRAMES
        mono = np.ascontiguousarray(self._buffer[:frames].mean(axis=1), dtype=np.float32)
        return self._resample(mono, last=last), last

    def _level(self, out: np.ndarray) -> None:
        """Bring `out` to the music's level, gliding from the last block's gain."""
        rms = float(np.sqrt(self._squares / self._count)) if self._count else 0.0
        target = self._target / rms if rms > 0 else 1.0
        start = target if self._gain is None else self._gain
        if start == target:
            out *= target
        else:
            out *= np.linspace(start, target, out.size, endpoint=False) if out.size else 1.0
        self._gain = target

    def _fade(self, out: np.ndarray, last: bool) -> None:
        total = self._given + out.size
        edge = min(self._edge, total // 2) if last else self._edge
        if self._given < edge:  # fading in
            n = min(out.size, edge - self._given)
            out[:n] *= raised_cosine((np.arange(n) + self._given) / edge)
        if last and edge > 0:
            n = min(out.size, edge)
            out[out.size - n :] *= raised_cosine(np.arange(n - 1, -1, -1) / edge)
