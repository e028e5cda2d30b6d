"""Voice commands in a live session: the listener's process, seen from the session.

The listener (coach.listen.worker) runs in a process of its own. What the
session's process keeps is a thread that turns what was heard into commands on
the session's queue, and the calls that tell the listener where session time is
and what the coach plays: the mixer reports the span of every clip it schedules,
so the listener never takes the coach's own cues for commands.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coach.base.child_processes import deaf_to_ctrl_c
from coach.base.samples import Samples
from coach.config import Settings
from coach.listen import messages
from coach.listen.echo.canceller import canceller_available
from coach.listen.input.sources import AudioSource, FileSource, MicSource
from coach.listen.pipeline.listener import PipelineSettings, Recognition
from coach.listen.worker import SILENT_DB, ListenJob, run_listener
from coach.session.clock import Clock
from coach.session.events import Command, Event
from coach.words.vocabulary import Vocabulary

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

_LOGGER = logging.getLogger(__name__)

_SYNC_EVERY = 0.5  # seconds between clock readings sent to the listener

# What the coach plays, as (start, stop) in session seconds and the clip, for a watcher.
SpanWatcher = Callable[[float, float, Samples], None]
# Where the coach's speech was cut short, in session seconds.
SessionCutWatcher = Callable[[float], None]


@dataclass
class Playback:
    """What the listener needs to know of the output side."""

    # Subscribes watchers to the span of every clip scheduled (those already
    # scheduled first) and to every cut; returns the call that unsubscribes them.
    watch: Callable[[SpanWatcher, SessionCutWatcher], Callable[[], None]]
    delay: float  # seconds from "scheduled at session time t" to "heard at the mic"
    rate: int  # the clips' sample rate


def microphone_source(settings: Settings) -> MicSource:
    """The configured microphone."""
    from coach.audio.output import device_arg

    return MicSource(device_arg(settings.audio.input_device))


def file_source(path: str, speed: float = 1.0, loop: bool = True) -> AudioSource:
    """A recording standing in for the microphone (for tests and soak runs of `coach serve`)."""
    return FileSource(str(path), speed, loop)


def command_from(recognition: Recognition) -> Command:
    """What the session is told of a recognized command, as the keyboard tells it."""
    return Command(
        recognition.command, source="voice", text=recognition.text, value=recognition.value
    )


def pipeline_settings(settings: Settings, barge_in: bool) -> PipelineSettings:
    """The listener's settings from the user's (config, environment, flags)."""
    from coach.listen.athlete import voice_profile

    listen = settings.listen
    return PipelineSettings(
        mute_tail=listen.mute_tail, verify=listen.verify, denoise=listen.denoise,
        barge_in=barge_in, voice=voice_profile.load(),
    )


class ListenerProcess:
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
        self.level = SILENT_DB
        self.heard = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def sync(self) -> None:
        """Tell the listener where session time is on the monotonic clock."""
        self.inbox.put(_reading(self.clock))

    def _run(self) -> None:
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
                    self.level = SILENT_DB
                    self.failed, self.failure = True, "the listener stopped"
                    return
                continue
            except (EOFError, OSError, ValueError):
                return
            if not self._take(message):
                return

    def _take(self, message: messages.FromListener) -> bool:
        """Act on one message; False when the listener is done for."""
        match message:
            case messages.Failed(why):
                # Told as it happens: the session doesn't wait for the listener
                # to load its models before the first cue.
                self.failed, self.failure = True, why
                if self.on_failure is not None:
                    self.on_failure(why)
                else:
                    self.note(f"no voice commands ({why}); the keys still work")
                return False
            case messages.Ready():
                self.ready = True
            case messages.Note(text):  # slow first-time work, such as a model's preparation
                self.note(text)
            case messages.Level(db):
                self.level = db
            case messages.Heard(recognition):
                self.heard += 1
                self.events.put(command_from(recognition))
        return True

    def listen_for_values(self, kind: str | None) -> None:
        """Hear the values of `kind` too (asked for in the rest a set is logged in), or
        (None) the commands alone."""
        with suppress(OSError, ValueError):  # a listener gone hears nothing either way
            self.inbox.put(messages.ListenFor(kind))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        _end(self.process, self.inbox)


def _reading(clock: Clock) -> messages.Sync:
    return messages.Sync(time.monotonic(), clock.now())


def _end(process: BaseProcess, inbox: multiprocessing.Queue[Any]) -> None:
    """Stop the listener's process: ask, then insist."""
    with suppress(OSError, ValueError):
        inbox.put(messages.Stop())
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
    values: bool = False,
) -> Iterator[ListenerProcess | None]:
    """Listen for commands until the block exits. The listener starts in the
    background; if it can't (no microphone, no model) `note` says so once and
    `ListenerProcess.failed` turns true.

    `vocabulary` defaults to the session commands; `source` to the microphone;
    `on_failure`, when given, is told why instead of `note`; `values`: the session
    logs sets, so the listener must be able to hear values (switched on per rest).
    """
    vocabulary = vocabulary or settings.heard_vocabulary()
    barge_in = settings.listen.barge_in and playback is not None and canceller_available()
    job = ListenJob(
        backend=settings.listen.backend,
        vosk_model=settings.listen.vosk_model,
        vocabulary=Vocabulary(vocabulary.language, dict(vocabulary.phrases), vocabulary.attention),
        settings=pipeline_settings(settings, barge_in),
        source=source if source is not None else microphone_source(settings),
        delay=playback.delay if playback is not None else None,
        speed=float(getattr(clock, "speed", 1.0)),
        sync=_reading(clock),
        parent=os.getpid(),
        values=values,
        log_level=logging.getLogger().getEffectiveLevel(),
    )
    context = multiprocessing.get_context("spawn")
    inbox: multiprocessing.Queue[Any] = context.Queue()
    outbox: multiprocessing.Queue[Any] = context.Queue()
    process = context.Process(
        target=run_listener, args=(job, inbox, outbox), name="coach-listener", daemon=True
    )
    with ExitStack() as stack:
        with deaf_to_ctrl_c():
            process.start()
        stack.callback(_end, process, inbox)
        if playback is not None:

            def span(start: float, stop: float, clip: Samples) -> None:
                inbox.put(messages.Span(start, stop))
                if barge_in:  # the canceller needs what was played, not only when
                    inbox.put(messages.Clip(start, clip, playback.rate))

            def cut(at: float) -> None:
                inbox.put(messages.Cut(at))

            stack.callback(playback.watch(span, cut))
        listening = ListenerProcess(
            process, inbox, outbox, events, clock, note, barge_in, on_failure
        )
        stack.callback(listening.stop)
        yield listening
