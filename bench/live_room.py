"""The room of the live benchmark: what the coach's microphone hears, made in real time.

What the coach plays is read from the speaker's monitor (parec); every 20 ms of
the wall clock one block is written into the virtual microphone, a pipe source
that is the server's default source:

    mic = noise floor + the athlete's voice + the coach's voice through the room
          (delayed, reverberated, let down by the echo gain) + a TV, if any

Stream time counts the microphone's samples from the room's start; what was
played is put on it from when it arrived, so one clock holds what was said and
what was played. The microphone is never
digitally silent (the floor is always there), as a real one never is.
"""

from __future__ import annotations

import collections
import math
import os
import subprocess
import threading
import time
from dataclasses import dataclass

import audio_gen as ag
import numpy as np
from pulse import PulseServer

RATE = 16_000
BLOCK = 320  # 20 ms
# What the coach plays comes back as echo this long after it was played (beyond the
# room's own delay): long enough that parec has delivered it.
ECHO_LAG = 0.06
LOSS = 0.03  # seconds of what was played lost, at least, before the line moves
_BYTES = BLOCK * 4


@dataclass(frozen=True)
class RoomSettings:
    floor_db: float = -70.0  # the microphone's noise floor, dBFS
    echo_db: float | None = -6.0  # the coach's voice at the mic against what it played; None: none
    echo_delay: float = 0.055  # seconds from the speaker to the microphone, beyond the buffers
    rt60: float = 0.3  # the room's reverberation
    tv: np.ndarray | None = None  # a TV's sound at the level the mic hears it, looped


class StreamingFir:
    """A long FIR filter applied block by block (overlap-add over FFTs)."""

    def __init__(self, taps: np.ndarray, block: int) -> None:
        self.size = 1 << int(np.ceil(np.log2(block + taps.size - 1)))
        self.spectrum = np.fft.rfft(taps.astype(np.float64), self.size)
        self.tail = np.zeros(self.size - block)
        self.block = block

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y = np.fft.irfft(np.fft.rfft(x.astype(np.float64), self.size) * self.spectrum, self.size)
        y[: self.tail.size] += self.tail
        out, rest = y[: self.block], y[self.block :]
        self.tail = np.concatenate((rest, np.zeros(self.block)))[: self.tail.size]
        return out


class Room:
    """`with Room(pulse_env, settings, rng) as room:` the room runs until the block exits.

    Two threads: one reads what the coach plays (each piece stamped on arrival), one
    writes the microphone block by block on the wall clock. Stream time is the
    writer's: seconds since it started, one sample of the microphone each 1/RATE.
    """

    _KEEP = 64  # pieces of what was played kept for the echo

    def __init__(self, pulse: PulseServer, settings: RoomSettings, rng: np.random.Generator):
        env = pulse.env
        self.settings = settings
        self.rng = rng
        self.index = 0  # samples written to the microphone so far
        self.began = 0.0  # time.monotonic() of stream time 0
        self.mic: list[np.ndarray] = []  # what the microphone got
        self._pieces: list[tuple[float, np.ndarray]] = []  # (arrival, what the coach played)
        self._played_count = 0  # samples of what the coach played read so far
        self._sample0_at = math.inf  # time.monotonic() at which it played the first
        self._lines: collections.deque[float] = collections.deque(maxlen=100)
        self._placed: list[tuple[float, int, np.ndarray]] = []  # (sample 0's time, first, piece)
        self._voice: list[tuple[int, np.ndarray]] = []  # (start sample, clip) to be said
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._echo = None
        if settings.echo_db is not None:
            ir = ag.room_impulse(rng, rt60=settings.rt60)
            delay = np.zeros(int(round(settings.echo_delay * RATE)), np.float32)
            taps = np.concatenate((delay, ir)) * np.float32(10 ** (settings.echo_db / 20))
            self._echo = StreamingFir(taps, BLOCK)
        self._athlete_room = StreamingFir(ag.room_impulse(rng, rt60=0.15, direct=1.0), BLOCK)
        self._reader = subprocess.Popen(
            ["parec", "--raw", "--device=speaker.monitor", "--format=float32le",
             f"--rate={RATE}", "--channels=1", "--latency-msec=10"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        # The microphone is a pipe source: what is written is heard at once. (A null
        # sink's monitor, paced like this, is heard about a second late.)
        fifo = pulse.root / "microphone.fifo"
        pulse.pactl("load-module", "module-pipe-source", f"file={fifo}", "source_name=room",
                    "format=float32le", f"rate={RATE}", "channels=1")
        pulse.pactl("set-default-source", "room")
        self._fifo = os.open(fifo, os.O_RDWR)
        # A pipe source nobody records from isn't read: the pipe fills, and the coach
        # would open its microphone on a second of stale sound. A recorder that throws
        # it away keeps it live, as a microphone is.
        self._drain = subprocess.Popen(
            ["parec", "--raw", "--device=room", "--format=float32le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=20"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._threads = [threading.Thread(target=self._read, name="room-ears", daemon=True),
                         threading.Thread(target=self._write, name="room-mouth", daemon=True)]

    def __enter__(self) -> Room:
        self.began = time.monotonic()
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 10
        while not self._pieces:
            if time.monotonic() > deadline:
                raise RuntimeError("the room got nothing from the speaker's monitor")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._reader.terminate()
        for thread in self._threads:
            thread.join(5)
        for process in (self._reader, self._drain):
            process.kill()
            process.wait(5)
        os.close(self._fifo)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.began

    def say(self, clip: np.ndarray) -> int:
        """Speak `clip` (16 kHz, at the level the mic hears it) from the next block on;
        returns the sample it starts on."""
        with self._lock:
            start = self.index + BLOCK
            self._voice.append((start, clip.astype(np.float32)))
        return start

    def speaking_until(self) -> int:
        with self._lock:
            return max((s + c.size for s, c in self._voice), default=0)

    def _athlete(self, a: int) -> np.ndarray:
        out = np.zeros(BLOCK, np.float32)
        with self._lock:
            for start, clip in self._voice:
                lo, hi = max(a, start), min(a + BLOCK, start + clip.size)
                if lo < hi:
                    out[lo - a : hi - a] += clip[lo - start : hi - start]
            self._voice = [(s, c) for s, c in self._voice if s + c.size > a]
        return out

    def _read(self) -> None:
        assert self._reader.stdout is not None
        fd = self._reader.stdout.fileno()
        carry = b""
        while not self._stop.is_set():
            data = os.read(fd, 8192)
            if not data:
                return
            data, carry = carry + data, b""
            whole = len(data) // 4 * 4
            data, carry = data[:whole], data[whole:]
            piece = np.frombuffer(data, dtype="<f4").copy()
            now = time.monotonic()
            with self._lock:
                self._played_count += piece.size
                self._pieces.append((now, piece))
                # A piece arrives a little after its last sample was played, never before:
                # the earliest arrival places sample 0. But parec loses what it can't take
                # in time on a loaded machine, and after a loss every piece is later than
                # the count says: once a whole second is, the line moves to it.
                self._lines.append(now - self._played_count / RATE)
                recent = min(self._lines)
                if recent < self._sample0_at or (
                        len(self._lines) == self._lines.maxlen
                        and recent - self._sample0_at > LOSS):
                    self._sample0_at = recent
                self._placed.append((self._sample0_at, self._played_count - piece.size, piece))

    def _played_block(self, a: int) -> np.ndarray:
        """What the coach played ECHO_LAG before microphone block `a`, for the echo: on
        the sample clock, so the echo's delay holds still as a room's does."""
        with self._lock:
            if self._sample0_at == math.inf:
                return np.zeros(BLOCK, np.float32)
            first = int(round((self.began + a / RATE - ECHO_LAG - self._sample0_at) * RATE))
            out = np.zeros(BLOCK, np.float32)
            end = self._played_count
            start = end - sum(p.size for _, p in self._pieces[-self._KEEP :])
            recent = np.concatenate([p for _, p in self._pieces[-self._KEEP :]]) \
                if self._pieces else np.zeros(0, np.float32)
        lo, hi = max(first, start), min(first + BLOCK, end)
        if lo < hi:
            out[lo - first : hi - first] = recent[lo - start : hi - start]
        return out

    def _write(self) -> None:
        floor = ag.noise_floor(10 * RATE, self.rng) * np.float32(
            10 ** (self.settings.floor_db / 20))
        tv = self.settings.tv
        while not self._stop.is_set():
            a = self.index
            time.sleep(max(0.0, self.began + a / RATE - time.monotonic()))
            mic = floor[np.arange(a, a + BLOCK) % floor.size].copy()
            mic += self._athlete_room(self._athlete(a)).astype(np.float32)
            played = self._played_block(a)
            if self._echo is not None:
                mic += self._echo(played).astype(np.float32)
            if tv is not None:
                mic += tv[np.arange(a, a + BLOCK) % tv.size]
            mic = np.clip(mic, -1.0, 1.0).astype("<f4")
            try:
                os.write(self._fifo, mic.tobytes())
            except OSError:
                return
            self.mic.append(mic)
            self.index = a + BLOCK

    def recordings(self) -> tuple[np.ndarray, np.ndarray]:
        """What the coach played and what the microphone got, both on stream time (each
        piece placed as the echo placed it)."""
        mic = np.concatenate(self.mic) if self.mic else np.zeros(0, np.float32)
        monitor = np.zeros(mic.size, np.float32)
        for sample0, first, piece in self._placed:
            first += int(round((sample0 - self.began) * RATE))
            a, b = max(0, first), min(mic.size, first + piece.size)
            if a < b:
                monitor[a:b] = piece[a - first : b - first]
        return monitor, mic
