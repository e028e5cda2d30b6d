"""The listener's process: chunks from its source in, recognitions and levels out.

It works in a process of its own: in the session's process the recognizer would
take the interpreter lock from the sound output's callback often enough to make
it miss blocks. The session tells it, by message (coach.listen.messages), where
session time is and what the coach plays; it places each chunk in session time
so that it can be deaf over the coach's own cues, or, with barge-in, hand the
echo canceller what was played where the microphone hears it.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from coach.base.errors import CoachError
from coach.base.samples import Samples, resample
from coach.listen import messages
from coach.listen.echo.canceller import PlayedSound
from coach.listen.input.audio_input import Chunk
from coach.listen.input.sources import AudioSource, open_source
from coach.listen.mic_clock import MicClock
from coach.listen.pipeline.listener import Listener, PipelineSettings
from coach.listen.recognizers.recognizer import Recognizer
from coach.words.vocabulary import Vocabulary

_LOGGER = logging.getLogger(__name__)

# Slack around the estimated round trip; the listener adds its own tail.
_ECHO_MARGIN = 0.15
SILENT_DB = -90.0
_LEVEL_EVERY = 0.1  # seconds between level readings sent back
SPANS_KEPT = 30.0  # session seconds of past clips the listener remembers


class Inbox(Protocol):
    def get_nowait(self) -> Any: ...


class Outbox(Protocol):
    def put(self, item: Any) -> None: ...


@dataclass(frozen=True)
class ListenJob:
    """All the listener's process needs, sent to it at its start."""

    backend: str
    vosk_model: str | None
    vocabulary: Vocabulary
    settings: PipelineSettings
    source: AudioSource
    delay: float | None  # None: the coach plays nothing the mic could hear
    speed: float  # session seconds per second
    sync: messages.Sync  # where session time was when the process was started
    parent: int  # the session's process id: the listener ends when it does
    # Whether it can hear logged values too (messages.ListenFor switches them on and off).
    values: bool = False
    # The session's logging level: `coach -vv run` shows what the listener heard too.
    log_level: int = logging.WARNING


def run_listener(job: ListenJob, inbox: Inbox, outbox: Outbox) -> None:
    """The listener's process: open the source, build the listener, listen until told."""
    from coach.listen.recognizers import make_recognizer

    logging.basicConfig(level=job.log_level, format="%(levelname)s %(name)s: %(message)s")

    with ExitStack() as stack:
        try:
            # The microphone first: what is said while the model loads waits in its
            # queue, dated as it arrived, and is heard once the model is ready.
            chunks, rate = stack.enter_context(open_source(job.source))
            recognizer = make_recognizer(
                job.backend,
                job.vocabulary,
                job.vosk_model,
                note=lambda text: outbox.put(messages.Note(text)),
                values=job.values,
            )
            loop = ListenerLoop(recognizer, rate, job, inbox, outbox)
        except (CoachError, OSError) as exc:
            outbox.put(messages.Failed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - the session goes on with the keys
            outbox.put(messages.Failed(f"{type(exc).__name__}: {exc}"))
            return
        outbox.put(messages.Ready(rate))
        loop.run(chunks)


class ListenerLoop:
    """The listener's loop: it keeps the listener's clock on the session's."""

    def __init__(
        self, recognizer: Recognizer, rate: int, job: ListenJob, inbox: Inbox, outbox: Outbox
    ) -> None:
        self.rate = rate
        self.job = job
        self.inbox = inbox
        self.outbox = outbox
        self.spans: list[tuple[float, float]] = []
        self.stopped = False
        self.clock = MicClock(job.sync, job.speed, job.delay, rate)
        # Barge-in: the clips the coach plays, kept until the first chunk places the
        # listener's clock in session time, then put on that clock.
        self._clips: list[messages.Clip] = []
        # The clips handed to the canceller, by session start: a cut silences their rest.
        self._placed: list[tuple[float, Samples]] = []
        # Deaf while the coach plays, on this loop's clock; or, with barge-in, told what
        # it played (placed by _place_clips).
        self.listener = Listener(
            recognizer, job.vocabulary, rate, job.settings,
            playing_at=self._playing_at if job.delay is not None else None,
            played=PlayedSound(recognizer.sample_rate) if job.settings.barge_in else None,
        )  # fmt: skip

    def _playing_at(self, t: float) -> bool:
        at = self.clock.played_at(t)
        start, end = at - _ECHO_MARGIN, at + _ECHO_MARGIN
        return any(a <= end and start < b for a, b in self.spans)

    def _place_clips(self) -> None:
        """Put the clips the coach plays on the listener's clock, where the microphone
        hears them (the inverse of _playing_at)."""
        played = self.listener.played
        assert played is not None
        for clip in self._clips:
            samples = resample(clip.samples, clip.rate, self.listener.rate)
            played.add(self.clock.heard_at(clip.start), samples)
            self._placed.append((clip.start, samples))
        self._clips = []
        horizon = self.clock.session_time(time.monotonic()) - SPANS_KEPT
        rate = self.listener.rate
        self._placed = [(s, c) for s, c in self._placed if s + c.size / rate > horizon]

    def _place_anew(self) -> None:
        """The clock's clip offset moved: every clip kept goes to its new place."""
        played = PlayedSound(self.listener.rate)
        for start, samples in self._placed:
            played.add(self.clock.heard_at(start), samples)
        self.listener.played = played

    def _cut(self, at: float) -> None:
        """The coach stopped talking at session time `at`: what it didn't say is no echo,
        and the listener isn't deaf over it."""
        self.spans = [(a, min(b, at)) for a, b in self.spans if a < at]
        self._clips = [
            messages.Clip(c.start, c.samples[: max(0, round((at - c.start) * c.rate))], c.rate)
            for c in self._clips
            if c.start < at
        ]
        for start, samples in self._placed:
            samples[max(0, round((at - start) * self.listener.rate)) :] = 0.0

    def _take(self, message: messages.ToListener) -> None:
        match message:
            case messages.Span(start, stop):
                self.spans.append((start, stop))
            case messages.Clip():
                self._clips.append(message)
            case messages.Cut(at):
                self._cut(at)
            case messages.Sync(_, session):
                self.clock.resync(message)
                horizon = session - SPANS_KEPT
                if self.spans and self.spans[0][1] < horizon:
                    self.spans = [s for s in self.spans if s[1] >= horizon]
            case messages.Stop():
                self.stopped = True
            case messages.ListenFor(kind):
                try:
                    self.listener.listen_for_values(kind)
                except CoachError as exc:  # the session listens on, for the commands
                    self.outbox.put(messages.Note(str(exc)))

    def _fill_loss(self) -> None:
        """Where the microphone lost audio, the listener hears as much silence."""
        lost = self.clock.lost()
        if lost:
            for recognition in self.listener.feed(np.zeros(lost, dtype=np.float32)):
                self.outbox.put(messages.Heard(recognition))

    def _read_inbox(self) -> None:
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            except (EOFError, OSError, ValueError):
                self.stopped = True
                return
            self._take(message)

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
            clock = self.clock
            clock.chunk_arrived(arrived, chunk.size)
            if clock.synced:
                self._fill_loss()
                if self.listener.played is not None:
                    if clock.reanchored():
                        self._place_anew()
                    self._place_clips()
            clock.fed += chunk.size
            for recognition in self.listener.feed(chunk, time=clock.origin):
                _LOGGER.debug(
                    "decided %.2f s after the chunk arrived, %.2f s after the word's end",
                    time.monotonic() - arrived,
                    clock.session_time(time.monotonic()) - clock.in_session(recognition.end),
                )
                self.outbox.put(messages.Heard(recognition))
            if now >= next_level:
                next_level = now + _LEVEL_EVERY
                self.outbox.put(messages.Level(level_db(chunk)))


def level_db(chunk: Samples) -> float:
    rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) if chunk.size else 0.0
    return 20 * math.log10(rms) if rms > 1e-9 else SILENT_DB
