"""Voice commands in a live session: microphone → listener → the session's queue.

The microphone and the listener (voice detection, recognizer) work in a process
of their own: in the session's process they would take the interpreter lock
from the sound output's callback often enough to make it miss blocks. What the
session's process keeps is a thread that posts what was heard on the session's
queue, and the calls that tell the listener what the coach plays.

The listener never takes the coach's own cues for commands: the mixer tells it
the span in session time of every clip it schedules, and each microphone chunk
is placed in session time (from the session clock, which the listener learns
against the system-wide monotonic clock), less the time sound takes to go out
through the speaker and come back in through the microphone. By default it is
deaf over those spans; with barge-in it is sent the clips too, placed on its own
clock the same way, and an echo canceller takes them out (coach.listen.echo).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coach.config import Settings
from coach.errors import CoachError
from coach.listen.echo import PlayedSound
from coach.session.clock import Clock
from coach.session.events import Event
from coach.vocabulary import Vocabulary

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from coach.listen.audio_input import Chunk
    from coach.listen.pipeline import Listener

_LOGGER = logging.getLogger(__name__)

# Slack around the estimated round trip; the listener adds its own tail.
_ECHO_MARGIN = 0.15
_SILENT_DB = -90.0
_SYNC_EVERY = 0.5  # seconds between clock readings sent to the listener
_LEVEL_EVERY = 0.1  # seconds between level readings sent back
_SPANS_KEPT = 30.0  # session seconds of past clips the listener remembers

# What the coach plays, as (start, stop) in session seconds and the clip, for a watcher.
SpanWatcher = Callable[[float, float, np.ndarray], None]
# Where the coach's speech was cut short, in session seconds.
CutWatcher = Callable[[float], None]


@dataclass
class Playback:
    """What the listener needs to know of the output side."""

    # Subscribes watchers to the span of every clip scheduled (those already
    # scheduled first) and to every cut; returns the call that unsubscribes them.
    watch: Callable[[SpanWatcher, CutWatcher], Callable[[], None]]
    delay: float  # seconds from "scheduled at session time t" to "heard at the mic"
    rate: int  # the clips' sample rate


@dataclass(frozen=True)
class MicSource:
    """The microphone (None: the default input device)."""

    device: int | str | None = None


@dataclass(frozen=True)
class FileSource:
    """A recording standing in for the microphone, paced at `speed` times real time."""

    path: str
    speed: float = 1.0
    loop: bool = True


AudioSource = MicSource | FileSource


def microphone_source(settings: Settings) -> MicSource:
    """The configured microphone."""
    from coach.audio.output import device_arg

    return MicSource(device_arg(settings.audio.input_device))


def file_source(path: str, speed: float = 1.0, loop: bool = True) -> AudioSource:
    """A recording standing in for the microphone (for tests and soak runs of `coach serve`)."""
    return FileSource(str(path), speed, loop)


def canceller_available() -> bool:
    """Whether barge-in's echo canceller can run here (else listening stays deaf
    while the coach talks, without a word: barge-in is on by default)."""
    try:
        import pyaec  # noqa: F401
    except Exception:  # noqa: BLE001 - missing or broken alike: listen without it
        from coach.listen.speexdsp import library  # the system's SpeexDSP (arm64)

        return library() is not None
    return True


# -- the session's side -------------------------------------------------------------


class Listening:
    """The listener's process, seen from the session. `level` is the last chunk's
    level in dBFS; `heard`, how many commands it recognized."""

    def __init__(
        self,
        process: BaseProcess,
        inbox: multiprocessing.Queue[Any],
        outbox: multiprocessing.Queue[Any],
        events: queue.Queue[Event],
        clock: Clock,
        note: Callable[[str], None],
        barge_in: bool = False,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.process = process
        self.note = note
        self.barge_in = barge_in
        self.on_failure = on_failure
        self.failed = False  # the listener could not start (no microphone, no model)
        self.failure = ""  # why, in a few words
        self.ready = False  # the listener hears the microphone
        self.inbox = inbox
        self.outbox = outbox
        self.events = events
        self.clock = clock
        self.level = _SILENT_DB
        self.heard = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def sync(self) -> None:
        """Tell the listener where session time is on the monotonic clock."""
        self.inbox.put(_reading(self.clock))

    def _run(self) -> None:
        from coach.listen.pipeline import post_commands

        next_sync = time.monotonic() + _SYNC_EVERY
        while not self._stop.is_set():
            if time.monotonic() >= next_sync:
                self.sync()
                next_sync += _SYNC_EVERY
            try:
                message = self.outbox.get(timeout=0.1)
            except queue.Empty:
                if not self.process.is_alive():
                    _LOGGER.warning("the listener stopped (exit code %s)", self.process.exitcode)
                    self.level = _SILENT_DB
                    self.failed, self.failure = True, "the listener stopped"
                    return
                continue
            except (EOFError, OSError, ValueError):
                return
            if message[0] == "failed":
                # Told as it happens: the session doesn't wait for the listener
                # to load its models before the first cue.
                self.failed, self.failure = True, message[1]
                if self.on_failure is not None:
                    self.on_failure(message[1])
                else:
                    self.note(f"no voice commands ({message[1]}); the keys still work")
                return
            if message[0] == "ready":
                self.ready = True
            if message[0] == "note":  # slow first-time work, such as a model's preparation
                self.note(message[1])
            elif message[0] == "level":
                self.level = message[1]
            elif message[0] == "heard":
                self.heard += 1
                post_commands([message[1]], self.events)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        _end(self.process, self.inbox)


def _reading(clock: Clock) -> tuple[str, float, float]:
    return ("sync", time.monotonic(), clock.now())


def _end(process: BaseProcess, inbox: multiprocessing.Queue[Any]) -> None:
    """Stop the listener's process: ask, then insist."""
    with suppress(OSError, ValueError):
        inbox.put(("stop",))
    process.join(timeout=3)
    if process.is_alive():
        process.terminate()
        process.join(timeout=2)
    if process.is_alive():
        process.kill()
        process.join(timeout=2)
    inbox.close()
    inbox.cancel_join_thread()  # what it still holds is for nobody now


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
    on_failure: Callable[[str], None] | None = None,
) -> Iterator[Listening | None]:
    """Listen for commands until the block exits. The listener starts in the
    background; if it can't (no microphone, no model) `note` says so once and
    `Listening.failed` turns true.

    `vocabulary` defaults to the session commands; `source` to the microphone;
    `on_failure`, when given, is told why instead of `note`.
    """
    vocabulary = vocabulary or settings.vocabulary()
    time_now, session_now = _reading(clock)[1:]
    job = _Job(
        backend=settings.listen.backend,
        vosk_model=settings.listen.vosk_model,
        vocabulary=Vocabulary(vocabulary.language, dict(vocabulary.phrases)),
        mute_tail=settings.listen.mute_tail,
        verify=settings.listen.verify,
        denoise=settings.listen.denoise,
        barge_in=settings.listen.barge_in and playback is not None and canceller_available(),
        source=source if source is not None else microphone_source(settings),
        delay=playback.delay if playback is not None else None,
        speed=float(getattr(clock, "speed", 1.0)),
        sync=(time_now, session_now),
        parent=os.getpid(),
    )
    context = multiprocessing.get_context("spawn")
    inbox: multiprocessing.Queue[Any] = context.Queue()
    outbox: multiprocessing.Queue[Any] = context.Queue()
    process = context.Process(
        target=_child, args=(job, inbox, outbox), name="coach-listener", daemon=True
    )
    with ExitStack() as stack:
        process.start()
        stack.callback(_end, process, inbox)
        if playback is not None:

            def span(start: float, stop: float, clip: np.ndarray) -> None:
                inbox.put(("span", start, stop))
                if job.barge_in:  # the canceller needs what was played, not only when
                    inbox.put(("clip", start, clip, playback.rate))

            def cut(at: float) -> None:
                inbox.put(("cut", at))

            stack.callback(playback.watch(span, cut))
        listening = Listening(
            process, inbox, outbox, events, clock, note, job.barge_in, on_failure
        )
        stack.callback(listening.stop)
        yield listening


# -- the listener's process ---------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """All the listener's process needs, sent to it at its start."""

    backend: str
    vosk_model: str | None
    vocabulary: Vocabulary
    mute_tail: float
    verify: bool
    denoise: bool
    barge_in: bool  # listen over the coach, cancelling its echo
    source: AudioSource
    delay: float | None  # None: the coach plays nothing the mic could hear
    speed: float  # session seconds per second
    sync: tuple[float, float]  # (monotonic time, session time) read together
    parent: int  # the session's process id: the listener ends when it does


def _child(
    job: _Job, inbox: multiprocessing.Queue[Any], outbox: multiprocessing.Queue[Any]
) -> None:
    """The listener's process: open the source, build the listener, listen until told."""
    from coach.listen.pipeline import Listener, ListenSettings
    from coach.listen.recognizer import make_recognizer

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the session to handle
    with ExitStack() as stack:
        try:
            recognizer = make_recognizer(
                job.backend,
                job.vocabulary,
                job.vosk_model,
                note=lambda message: outbox.put(("note", message)),
            )
            chunks, rate = stack.enter_context(_opened(job.source))
            settings = ListenSettings(
                mute_tail=job.mute_tail,
                verify=job.verify,
                denoise=job.denoise,
                barge_in=job.barge_in,
            )
            listener = Listener(recognizer, job.vocabulary, rate, settings)
        except (CoachError, OSError) as exc:
            outbox.put(("failed", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - the session goes on with the keys
            outbox.put(("failed", f"{type(exc).__name__}: {exc}"))
            return
        outbox.put(("ready", rate))
        _Hearing(listener, rate, job, inbox, outbox).run(chunks)


class _Hearing:
    """The listener's loop: chunks in, recognitions and levels out."""

    def __init__(
        self,
        listener: Listener,
        rate: int,
        job: _Job,
        inbox: multiprocessing.Queue[Any],
        outbox: multiprocessing.Queue[Any],
    ) -> None:
        self.listener = listener
        self.rate = rate
        self.job = job
        self.inbox = inbox
        self.outbox = outbox
        self.spans: list[tuple[float, float]] = []
        self.sync = job.sync
        self.stopped = False
        # Session time minus the listener's sample-counted time: maps one onto
        # the other and absorbs drift between the two sound cards' clocks.
        self._offset = 0.0
        # Barge-in places every clip with the offset of one chunk: the two sound
        # cards' sample clocks keep their distance, while the offset read off each
        # chunk's arrival scatters by tens of milliseconds, and each jump made the
        # canceller relearn the room. The listener's EchoDelay finds the true distance.
        # That chunk is one dated with a clock reading the session sent since this
        # process started: the reading it was started with can be more than a second
        # off the next (seen live: 1.3-1.8 s, which put the clips that far from their
        # echo, beyond where EchoDelay looks).
        self._clip_offset: float | None = None
        self._synced = False  # a clock reading came since this process started
        self._origin: float | None = None
        self._fed = 0
        if job.delay is not None:
            listener.playing_at = self._playing_at
        # Barge-in: the clips the coach plays, kept until the first chunk places the
        # listener's clock in session time, then put on that clock.
        self._clips: list[tuple[float, np.ndarray, int]] = []
        # The clips handed to the canceller, by session start: a cut silences their rest.
        self._placed: list[tuple[float, np.ndarray]] = []
        if job.barge_in:
            listener.played = PlayedSound(listener.rate)

    def session_time(self, monotonic: float) -> float:
        at, session = self.sync
        return session + (monotonic - at) * self.job.speed

    def _playing_at(self, t: float) -> bool:
        assert self.job.delay is not None
        at = t + self._offset - self.job.delay
        start, end = at - _ECHO_MARGIN, at + _ECHO_MARGIN
        return any(a <= end and start < b for a, b in self.spans)

    def _place_clips(self) -> None:
        """Put the clips the coach plays on the listener's clock, where the microphone
        hears them (the inverse of _playing_at)."""
        from coach.listen.resample import resample

        played = self.listener.played
        assert self.job.delay is not None and played is not None
        if self._clip_offset is None:
            self._clip_offset = self._offset
        for start, clip, rate in self._clips:
            at = start - self._clip_offset + self.job.delay
            samples = np.array(resample(clip, rate, self.listener.rate), dtype=np.float32)
            played.add(at, samples)
            self._placed.append((start, samples))
        self._clips = []
        horizon = self.session_time(time.monotonic()) - _SPANS_KEPT
        rate = self.listener.rate
        self._placed = [(s, c) for s, c in self._placed if s + c.size / rate > horizon]

    def _cut(self, at: float) -> None:
        """The coach stopped talking at session time `at`: what it didn't say is no echo,
        and the listener isn't deaf over it."""
        self.spans = [(a, min(b, at)) for a, b in self.spans if a < at]
        self._clips = [
            (start, clip[: max(0, round((at - start) * rate))], rate)
            for start, clip, rate in self._clips
            if start < at
        ]
        for start, samples in self._placed:
            samples[max(0, round((at - start) * self.listener.rate)) :] = 0.0

    def _read_inbox(self) -> None:
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            except (EOFError, OSError, ValueError):
                self.stopped = True
                return
            if message[0] == "span":
                self.spans.append((message[1], message[2]))
            elif message[0] == "clip":
                self._clips.append((message[1], message[2], message[3]))
            elif message[0] == "cut":
                self._cut(message[1])
            elif message[0] == "sync":
                self.sync = (message[1], message[2])
                self._synced = True
                horizon = message[2] - _SPANS_KEPT
                if self.spans and self.spans[0][1] < horizon:
                    self.spans = [s for s in self.spans if s[1] >= horizon]
            elif message[0] == "stop":
                self.stopped = True

    def run(self, chunks: queue.Queue[Chunk]) -> None:
        next_level = next_check = 0.0
        while True:
            self._read_inbox()
            now = time.monotonic()
            if now >= next_check:
                next_check = now + 0.5
                if os.getppid() != self.job.parent:
                    return  # the session is gone
            if self.stopped:
                return
            try:
                chunk, _adc_time, arrived = chunks.get(timeout=0.1)
            except queue.Empty:
                continue
            self._read_inbox()  # the spans that came with it, before it is judged
            # When the chunk began, in session time: from when it arrived, not when it
            # is taken, since the chunks wait while the listener loads its models.
            started = self.session_time(arrived) - chunk.size / self.rate
            if self._origin is None:
                self._origin = started
            self._offset = started - (self._origin + self._fed / self.rate)
            self._fed += chunk.size
            if self._clips and self._synced:
                self._place_clips()
            found = self.listener.feed(chunk, time=self._origin)
            for recognition in found:
                self.outbox.put(("heard", recognition))
            if now >= next_level:
                next_level = now + _LEVEL_EVERY
                self.outbox.put(("level", _level(chunk)))


def _level(chunk: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) if chunk.size else 0.0
    return 20 * math.log10(rms) if rms > 1e-9 else _SILENT_DB


@contextmanager
def _opened(source: AudioSource) -> Iterator[tuple[queue.Queue[Chunk], int]]:
    """The source's chunk queue and rate, until the block exits."""
    if isinstance(source, FileSource):
        with _file_chunks(source) as opened:
            yield opened
        return
    from coach.listen.audio_input import default_rate, microphone

    rate = default_rate(source.device)
    with microphone(source.device, rate) as chunks:
        yield chunks, rate


@contextmanager
def _file_chunks(source: FileSource) -> Iterator[tuple[queue.Queue[Chunk], int]]:
    from coach.listen.files import read_mono

    audio, rate = read_mono(source.path)
    chunks: queue.Queue[Chunk] = queue.Queue(maxsize=200)
    stop = threading.Event()
    step = int(rate * 0.03)

    def pump() -> None:
        began, sent = time.monotonic(), 0
        while not stop.is_set():
            for at in range(0, audio.size - step + 1, step):
                if stop.is_set():
                    return
                due = began + sent / rate / source.speed
                stop.wait(max(0.0, due - time.monotonic()))
                chunks.put((audio[at : at + step].copy(), 0.0, time.monotonic()))
                sent += step
            if not source.loop:
                return

    thread = threading.Thread(target=pump, name="file-source", daemon=True)
    thread.start()
    try:
        yield chunks, rate
    finally:
        stop.set()
        thread.join(timeout=2)
