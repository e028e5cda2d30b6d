"""Voice commands in a live session: microphone → listener → the session's queue.

The listener works on its own thread, off the audio callback. It is told what
the coach is playing, so it never takes the coach's own cues for commands:
the mixer knows every clip's span in session time, and each microphone chunk
is placed in session time from the audio clock, less the time sound takes to
go out through the speaker and come back in through the microphone.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coach.config import Settings
from coach.errors import CoachError
from coach.session.clock import Clock
from coach.session.events import Event
from coach.vocabulary import Vocabulary

if TYPE_CHECKING:
    from coach.listen.audio_input import Chunk
    from coach.listen.pipeline import Listener

_LOGGER = logging.getLogger(__name__)

# Slack around the estimated round trip; the listener adds its own tail.
_ECHO_MARGIN = 0.15
_SILENT_DB = -90.0


@dataclass
class Playback:
    """What the listener needs to know of the output side."""

    sounding: Callable[[float, float], bool]  # (session time from, to) → anything playing?
    delay: float  # seconds from "scheduled at session time t" to "heard at the mic"


class Listening:
    """The microphone listener's thread. `level` is the last chunk's level in dBFS."""

    def __init__(
        self,
        listener: Listener,
        chunks: queue.Queue[Chunk],
        rate: int,
        events: queue.Queue[Event],
        clock: Clock,
        playback: Playback | None,
    ) -> None:
        self.listener = listener
        self.chunks = chunks
        self.rate = rate
        self.events = events
        self.clock = clock
        self.playback = playback
        self.level = _SILENT_DB
        self.heard = 0
        # Session time minus the listener's sample-counted time: maps one onto
        # the other and absorbs drift between the two sound cards' clocks.
        self._offset = 0.0
        self._origin: float | None = None
        self._fed = 0
        self._stop = threading.Event()
        listener.playing_at = self._playing_at
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def _playing_at(self, t: float) -> bool:
        if self.playback is None:
            return False
        at = t + self._offset - self.playback.delay
        return self.playback.sounding(at - _ECHO_MARGIN, at + _ECHO_MARGIN)

    def _run(self) -> None:
        from coach.listen.pipeline import post_commands

        while not self._stop.is_set():
            try:
                chunk, _adc_time = self.chunks.get(timeout=0.2)
            except queue.Empty:
                continue
            started = self.clock.now() - chunk.size / self.rate  # when the chunk began
            if self._origin is None:
                self._origin = started
            self._offset = started - (self._origin + self._fed / self.rate)
            self._fed += chunk.size
            self.level = _level(chunk)
            found = self.listener.feed(chunk, time=self._origin)
            self.heard += len(found)
            post_commands(found, self.events)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def _level(chunk: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) if chunk.size else 0.0
    return 20 * math.log10(rms) if rms > 1e-9 else _SILENT_DB


AudioSource = Callable[[], AbstractContextManager[tuple["queue.Queue[Chunk]", int]]]


@contextmanager
def microphone_source(settings: Settings) -> Iterator[tuple[queue.Queue[Chunk], int]]:
    """The configured microphone: its chunk queue and rate."""
    from coach.audio.output import device_arg
    from coach.listen.audio_input import default_rate, microphone

    device = device_arg(settings.audio.input_device)
    rate = default_rate(device)
    with microphone(device, rate) as chunks:
        yield chunks, rate


@contextmanager
def open_listening(
    settings: Settings,
    events: queue.Queue[Event],
    clock: Clock,
    playback: Playback | None,
    note: Callable[[str], None],
    *,
    vocabulary: Vocabulary | None = None,
    source: AudioSource | None = None,
) -> Iterator[Listening | None]:
    """Listen for commands until the block exits; None (and a note) without a microphone.

    `vocabulary` defaults to the session commands; `source` to the microphone.
    """
    from coach.listen.pipeline import Listener, ListenSettings
    from coach.listen.recognizer import make_recognizer

    vocabulary = vocabulary or settings.vocabulary()
    with ExitStack() as stack:
        try:
            recognizer = make_recognizer(
                settings.listen.backend, vocabulary, settings.listen.vosk_model
            )
            opened = source() if source is not None else microphone_source(settings)
            chunks, rate = stack.enter_context(opened)
        except (CoachError, OSError) as exc:
            note(f"no voice commands ({exc}); the keys still work")
            yield None
            return
        listener = Listener(
            recognizer, vocabulary, rate, ListenSettings(mute_tail=settings.listen.mute_tail)
        )
        listening = Listening(listener, chunks, rate, events, clock, playback)
        try:
            yield listening
        finally:
            listening.stop()


def file_source(path: str, speed: float = 1.0, loop: bool = True) -> AudioSource:
    """A recording standing in for the microphone, paced at `speed` times real time
    (for tests and soak runs of `coach serve`)."""

    @contextmanager
    def opened() -> Iterator[tuple[queue.Queue[Chunk], int]]:
        from coach.listen.files import read_mono

        audio, rate = read_mono(path)
        chunks: queue.Queue[Chunk] = queue.Queue(maxsize=200)
        stop = threading.Event()
        step = int(rate * 0.03)

        def pump() -> None:
            began, sent = time.monotonic(), 0
            while not stop.is_set():
                for at in range(0, audio.size - step + 1, step):
                    if stop.is_set():
                        return
                    due = began + sent / rate / speed
                    stop.wait(max(0.0, due - time.monotonic()))
                    chunks.put((audio[at : at + step].copy(), 0.0))
                    sent += step
                if not loop:
                    return

        thread = threading.Thread(target=pump, name="file-source", daemon=True)
        thread.start()
        try:
            yield chunks, rate
        finally:
            stop.set()
            thread.join(timeout=2)

    return opened
