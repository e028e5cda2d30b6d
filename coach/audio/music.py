"""The athlete's own music under the coach, in the one output stream.

Tracks (MP3, OGG, FLAC, WAV; a file or a folder, in order or shuffled, round
and round) are decoded a block at a time on a loader thread, a few seconds
ahead of the output (coach.audio.tracks), so the audio callback only copies
samples and memory doesn't grow with the music's length. The mixer tells
the bed where the coach's voice is; the music is turned down under it by a
set amount, with raised-cosine ramps that finish before the voice starts
(when it was scheduled ahead, as in an export) and begin again after it ends.
A pause of the session fades the music out and holds its place.
"""

from __future__ import annotations

import collections
import logging
import random
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from coach.audio.tracks import Track, music_files, raised_cosine
from coach.base.errors import CoachError
from coach.base.samples import Samples
from coach.config import MusicSettings

_LOGGER = logging.getLogger(__name__)

# Blocks decoded ahead of the output, some six seconds: a slow disk or a busy
# processor never leaves the callback without music.
_AHEAD = 16
# A pause fades the music this fast: quick enough to feel immediate, slow enough not to click.
_PAUSE_FADE = 0.05


class MusicBed:
    """Plays `files` under the coach. `add_into` is called from the audio callback."""

    def __init__(
        self,
        files: Sequence[Path],
        rate: int,
        *,
        level: float = -20.0,
        duck: float = 15.0,
        ramp: float = 0.25,
        shuffle: bool = False,
        warn: Callable[[str], None] = _LOGGER.warning,
        seed: int | None = None,
    ) -> None:
        self.rate = rate
        self.level = level
        self.duck = duck
        self.ramp = max(1, round(ramp * rate))
        self.warn = warn
        self._order = list(files)
        self._shuffle = shuffle
        self._random = random.Random(seed)
        if shuffle:
            self._random.shuffle(self._order)
        self._ready: collections.deque[Samples] = collections.deque()  # decoded blocks
        self._block: Samples | None = None  # the one playing
        self._offset = 0  # into it
        self._reader: Track | None = None  # the track being decoded (loader side only)
        self._next_file = 0
        self._bad: set[Path] = set()
        self._wanted = threading.Event()
        self._closed = False
        self._paused_at: int | None = None  # the output sample the pause began
        self._resumed_at: int | None = None
        self._pauses: collections.deque[tuple[int, bool]] = collections.deque()
        self._scratch = np.zeros(0, dtype=np.float32)
        self._base = self._depth = self._a = self._b = np.zeros(0, dtype=np.float64)
        # How far down the music was at the last sample; None before the first.
        self._last_depth: float | None = None
        self._glide = 0.0  # left to glide away, from _glide_from on
        self._glide_from = 0
        self._thread: threading.Thread | None = None

    # -- the loader ----------------------------------------------------------------

    def start(self) -> None:
        """Decode ahead on a thread (live); an export calls `fill` itself."""
        self.fill()
        self._thread = threading.Thread(target=self._load, name="music", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closed = True
        self._wanted.set()

    def _load(self) -> None:
        while not self._closed:
            self._wanted.wait()
            self._wanted.clear()
            self.fill()
        if self._reader is not None:
            self._reader.close()

    def fill(self) -> None:
        """Decode blocks until _AHEAD are waiting (or no track can be read)."""
        while len(self._ready) < _AHEAD and not self._closed:
            block = self._next_block()
            if block is None:
                return
            self._ready.append(block)

    def _next_block(self) -> Samples | None:
        """The next block of the playlist, going on to the next track as one ends and
        skipping a file that can't be read; None when none can."""
        while not self._closed:
            if self._reader is None:
                self._reader = self._open_next()
                if self._reader is None:
                    return None
            try:
                block = self._reader.read()
            except CoachError as exc:
                self._skip(self._reader.path, str(exc))
                self._reader = None
                continue
            if block is None:
                self._reader = None
                continue
            return block
        return None

    def _open_next(self) -> Track | None:
        while len(self._bad) < len(self._order):
            path = self._order[self._next_file]
            self._next_file += 1
            if self._next_file == len(self._order):
                self._next_file = 0
                if self._shuffle:
                    self._random.shuffle(self._order)
            if path in self._bad:
                continue
            try:
                return Track(path, self.rate, self.level)
            except CoachError as exc:
                self._skip(path, str(exc))
        return None

    def _skip(self, path: Path, message: str) -> None:
        self._bad.add(path)
        without = "the session goes on without music"
        if len(self._order) == 1:  # one line says it all
            self.warn(f"{message}; {without}")
            return
        self.warn(message)
        if len(self._bad) >= len(self._order):
            self.warn(f"no music file could be read; {without}")

    @property
    def buffered(self) -> int:
        """Samples decoded and waiting to be played."""
        ready = sum(block.size for block in list(self._ready))
        playing = self._block
        return ready + (0 if playing is None else max(0, playing.size - self._offset))

    # -- pause and resume ------------------------------------------------------------

    def pause(self, sample: int, paused: bool) -> None:
        """The session paused (or resumed) at output `sample`."""
        self._pauses.append((sample, paused))

    # -- the audio callback side -------------------------------------------------------

    def add_into(self, block: np.ndarray, begin: int, voice: Sequence[tuple[int, int]]) -> None:
        """Add the music for samples [begin, begin + len(block)), ducked under `voice`
        (start, stop) spans. Allocates only when the block grows, or in a pause's fade."""
        n = block.size
        if self._scratch.size < n:
            self._scratch = np.zeros(n, dtype=np.float32)
        music = self._scratch[:n]
        gain = self._pause_gain(begin, n)
        if gain is None:
            return
        lo, hi = self._sounding(begin, n)
        if lo > 0 or hi < n:  # fading out or in: only the sounding part moves the music on
            music.fill(0.0)
        if hi <= lo or not self._take(music[lo:hi]):
            return
        envelope = self.envelope(begin, n, voice)
        if envelope is not None:
            np.multiply(music, envelope, out=music, casting="same_kind")
        if gain is not True:  # fading for a pause: rare, and brief
            music *= gain
        block += music

    def _sounding(self, begin: int, n: int) -> tuple[int, int]:
        """The part of the block [begin, begin + n) the music sounds in, around a pause."""
        if self._paused_at is None:
            return 0, n
        fade = max(1, round(_PAUSE_FADE * self.rate))
        if self._resumed_at is None:
            return 0, max(0, min(n, self._paused_at + fade - begin))
        return max(0, min(n, self._resumed_at - begin)), n

    def _take(self, out: np.ndarray) -> bool:
        """The next samples of the playlist into `out`; False when there are none."""
        filled = 0
        while filled < out.size:
            if self._block is None or self._offset >= self._block.size:
                if not self._ready:
                    self._wanted.set()
                    out[filled:] = 0.0
                    return filled > 0
                self._block = self._ready.popleft()
                self._offset = 0
                self._wanted.set()
            take = min(out.size - filled, self._block.size - self._offset)
            out[filled : filled + take] = self._block[self._offset : self._offset + take]
            self._offset += take
            filled += take
        return True

    def _pause_gain(self, begin: int, n: int) -> np.ndarray | bool | None:
        """True: play as is; None: silent and holding its place; else a fade per sample."""
        end = begin + n
        while self._pauses and self._pauses[0][0] < end:
            sample, paused = self._pauses.popleft()
            if paused and self._paused_at is None:
                self._paused_at, self._resumed_at = sample, None
            elif not paused and self._paused_at is not None:
                self._resumed_at = max(sample, self._paused_at)
        if self._paused_at is None:
            return True
        fade = max(1, round(_PAUSE_FADE * self.rate))
        positions = np.arange(begin, end, dtype=np.float64)
        if self._resumed_at is None:
            if begin >= self._paused_at + fade:
                return None
            return (1.0 - raised_cosine((positions - self._paused_at) / fade)).astype(np.float32)
        if begin >= self._resumed_at + fade:
            self._paused_at = self._resumed_at = None
            return True
        if end <= self._resumed_at:
            return None
        return raised_cosine((positions - self._resumed_at) / fade).astype(np.float32)

    def envelope(self, begin: int, n: int, voice: Sequence[tuple[int, int]]) -> np.ndarray | None:
        """The music's gain for samples [begin, begin + n): down by `duck` dB under the
        voice, ramping over `ramp` samples before each span and after it; None when it is
        1 throughout. Computed in buffers kept from block to block."""
        near = [
            (start, stop) for start, stop in voice
            if stop + self.ramp > begin and start - self.ramp < begin + n
        ]  # fmt: skip
        gliding = self._glide != 0.0 and begin < self._glide_from + self.ramp
        if not near and not gliding:
            self._last_depth = 0.0
            return None
        if self._depth.size < n:
            self._base = np.arange(n, dtype=np.float64)
            self._depth, self._a, self._b = (np.zeros(n) for _ in range(3))
        position, depth, a, b = self._base[:n], self._depth[:n], self._a[:n], self._b[:n]
        depth.fill(0.0)
        for start, stop in near:
            np.add(position, begin - (start - self.ramp), out=a)  # ramps down before the voice
            np.subtract(stop + self.ramp - begin, position, out=b)  # and up after it
            np.minimum(a, b, out=a)
            self._rise(a)
            np.maximum(depth, a, out=depth)
        self._smooth(begin, depth, gliding)
        depth *= -self.duck * np.log(10.0) / 20.0
        np.exp(depth, out=depth)
        return depth

    def _rise(self, a: np.ndarray) -> None:
        """In place: samples into a ramp → 0..1 on a raised cosine (no corner at either end)."""
        a /= self.ramp
        np.clip(a, 0.0, 1.0, out=a)
        a *= np.pi
        np.cos(a, out=a)
        a *= -0.5
        a += 0.5

    def _smooth(self, begin: int, depth: np.ndarray, gliding: bool) -> None:
        """A voice that reaches the mixer after its ramp should have begun (live, a cue
        scheduled for now) would make the gain jump: glide there from where it was."""
        a = self._a[: depth.size]
        first = depth[0]
        if gliding:
            first += self._glide * (1.0 - self._rise_at(begin - self._glide_from))
        last = first if self._last_depth is None else self._last_depth  # nothing to jump from
        if abs(first - last) > 2.0 / self.ramp:  # steeper than any ramp
            self._glide, self._glide_from, gliding = last - depth[0], begin, True
        if gliding:
            np.add(self._base[: depth.size], begin - self._glide_from, out=a)
            self._rise(a)  # 0 → 1 over the ramp; the glide fades as 1 - that
            a -= 1.0
            a *= -self._glide
            depth += a
            if begin + depth.size >= self._glide_from + self.ramp:
                self._glide = 0.0
        self._last_depth = float(depth[-1])

    def _rise_at(self, samples: int) -> float:
        x = min(1.0, max(0.0, samples / self.ramp))
        return 0.5 - 0.5 * float(np.cos(np.pi * x))


def open_music(
    path: str | Path,
    rate: int,
    *,
    level: float,
    duck: float,
    ramp: float,
    shuffle: bool,
    warn: Callable[[str], None],
) -> MusicBed:
    """The bed for `path` (a file or a folder); raises CoachError when there is nothing
    to play there at all."""
    files = music_files(Path(path).expanduser())
    return MusicBed(
        files, rate, level=level, duck=duck, ramp=ramp, shuffle=shuffle, warn=warn
    )


def music_for(
    settings: MusicSettings, rate: int, warn: Callable[[str], None], *, live: bool = True
) -> MusicBed | None:
    """The configured music (`music.path`, or `--music`), ready to play; None for none."""
    if not settings.path:
        return None
    bed = open_music(
        settings.path,
        rate,
        level=settings.level,
        duck=settings.duck,
        ramp=settings.ramp,
        shuffle=settings.shuffle,
        warn=warn,
    )
    if live:
        bed.start()
    else:
        bed.fill()
    return bed
