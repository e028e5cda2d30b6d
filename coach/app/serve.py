"""Smart-speaker mode: headless, always listening, one workout after another.

Idle, the speaker listens for a short menu — "start <workout>", "list
workouts", "resume workout" (optionally after a wake word) — runs the session
it is asked for, and comes back to idle. Devices are opened afresh for every
idle spell and every session, so a microphone or speaker that disappears and
comes back is picked up again instead of ending the service.
"""

from __future__ import annotations

import logging
import queue
import sys
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coach.app.hearing import open_listening
from coach.app.launch import HistoryTarget, launch, open_voice, start_recorded
from coach.app.options import RunOptions, note
from coach.app.requests import FILE, LIST, RESUME, SAY, START, STOP
from coach.app.resume import latest_unfinished, rest_of
from coach.app.signals import stopping_on_signals
from coach.base.errors import CoachError
from coach.config import Settings
from coach.history.store import History
from coach.listen.input.sources import AudioSource
from coach.plan import Plan
from coach.script.loader import bundled_scripts, load_workout
from coach.session.clock import ScaledClock
from coach.session.events import Command, Event, Say
from coach.session.timeline import JsonTimeline, TextTimeline
from coach.words.vocabulary import Vocabulary, normalise

if TYPE_CHECKING:
    from coach.app.web.address import WebAddress
    from coach.app.web.service import WebService

_LOGGER = logging.getLogger(__name__)

# Idle devices that failed are reopened after this long, twice as long after each
# further failure up to the longest wait, so a lost microphone is found again soon
# without the log filling up while it is gone.
_RETRY_SECONDS = 10.0
_RETRY_LONGEST = 300.0


@dataclass(frozen=True)
class MenuItem:
    name: str  # the bundled script's name (file stem)
    spoken: str  # what to say after "start"
    path: Path


def menu_items() -> list[MenuItem]:
    items = []
    for path in bundled_scripts():
        workout = load_workout(str(path))
        spoken = normalise(workout.spoken or path.stem.replace("-", " ").replace("_", " "))
        items.append(MenuItem(path.stem, spoken, path))
    return items


def menu_vocabulary(items: list[MenuItem], wake_word: str | None, language: str) -> Vocabulary:
    """The idle vocabulary. Each request's name is its own phrase (recognizers
    take command names for words too), so `menu_action` reads it back."""
    prefix = f"{normalise(wake_word)} " if wake_word else ""
    said = [f"{prefix}start {item.spoken}" for item in items]
    said += [f"{prefix}list workouts", f"{prefix}resume workout", f"{prefix}stop"]
    return Vocabulary(language=language, phrases={phrase: (phrase,) for phrase in said})


def menu_action(request: str, items: list[MenuItem], wake_word: str | None) -> str | None:
    """LIST, RESUME, STOP or START + a script name, for a phrase of the menu."""
    words = normalise(request)
    if wake_word and words.startswith(normalise(wake_word) + " "):
        words = words[len(normalise(wake_word)) + 1 :]
    fixed = {"list workouts": LIST, "resume workout": RESUME, "stop": STOP}
    if words in fixed:
        return fixed[words]
    for item in items:
        if words == f"start {item.spoken}":
            return START + item.name
    return None


@dataclass(frozen=True)
class ServeOptions:
    no_audio: bool = False
    speed: float = 1.0
    json: bool = False
    wake_word: str | None = None
    # Menu requests as if spoken, one per idle spell, T seconds into it: (T, phrase).
    requests: tuple[tuple[float, str], ...] = ()
    listen_file: str | None = None  # a recording instead of the microphone
    sessions: int | None = None  # stop after this many sessions (tests, soak runs)
    # Manual phases end by themselves this long after the cue; None waits for "ready".
    auto_next: float | None = None
    web: WebAddress | None = None  # where the web page listens; None: no page
    output_wav: Path | None = None  # each session's sound recorded here (benchmarks)


class Server:
    def __init__(self, settings: Settings, options: ServeOptions, out: TextIO = sys.stdout):
        self.settings = settings
        self.options = options
        self.out = out
        self.items = menu_items()
        self.menu = menu_vocabulary(self.items, options.wake_word, settings.commands.language)
        self.sessions_run = 0
        self._stopping = False
        self._pending = list(options.requests)
        self._retry = _RETRY_SECONDS
        # One queue for every idle spell, so a request from the web page is never lost
        # between two of them.
        self._idle_events: queue.Queue[Event] = queue.Queue()
        self.web: WebService | None = None

    # -- the idle loop -------------------------------------------------------------

    def run(self) -> int:
        with ExitStack() as stack, stopping_on_signals(self._stop):
            if self.options.web is not None:
                from coach.app.web.service import WebService

                self.web = WebService(
                    self.options.web, self.settings, self._idle_events, self.options.speed, note
                )
                stack.callback(self.web.stop)
                self.web.start()
            self._say_now("Coach is ready. " + self._menu_text())
            while not self._stopping:
                request = self._idle()
                if request is None:
                    continue
                try:
                    self._handle(request)
                finally:
                    if self.web is not None:
                        self.web.live.request_done()
                if self.options.sessions is not None and self.sessions_run >= self.options.sessions:
                    break
        return 0

    def _stop(self) -> None:
        self._stopping = True

    def _menu_text(self) -> str:
        wake = f"{self.options.wake_word}, " if self.options.wake_word else ""
        return f"Say {wake}start and a workout, or {wake}list workouts."

    def _idle(self) -> str | None:
        """Listen until a menu request comes; None to open the devices again."""
        events = self._idle_events
        _drop_spoken(events)  # what the last spell heard is stale; the page's requests aren't
        clock = ScaledClock(self.options.speed)
        if self._pending:  # scripted requests: one per idle spell, T seconds into it
            at, phrase = self._pending[0]
            command = self.menu.command_for(phrase)
            if command is None:
                raise CoachError(f"--requests: {phrase!r} is not on the menu")
            clock.schedule(at, Command(command, source="script", text=phrase))
        with ExitStack() as stack:
            listening = None
            if not self.options.no_audio or self.options.listen_file:
                listening = stack.enter_context(
                    open_listening(
                        self.settings, events, clock, None, self._quiet_note,
                        vocabulary=self.menu, source=self._source(),
                        on_failure=self._input_failed,
                    )
                )
            # Without a microphone, try it again now and then: it may come back.
            give_up_at = clock.now() + self._retry * self.options.speed
            while not self._stopping:
                event = clock.wait(events, clock.now() + 0.5 * self.options.speed)
                if isinstance(event, Command) and event.source == "web":
                    return event.name  # already a request: START + name, FILE + name, RESUME
                if isinstance(event, Command):
                    if event.source == "script":
                        self._pending.pop(0)  # delivered; until then it waits for its turn
                    action = menu_action(event.name, self.items, self.options.wake_word)
                    if action in (LIST, STOP):
                        self._handle(action)  # answered without leaving this idle spell
                    elif action is not None:
                        return action
                if listening is not None and listening.ready:
                    self._retry = _RETRY_SECONDS  # heard again: the next loss retries soon
                if not clock.scheduled and (listening is None or listening.failed):
                    if self._nothing_to_hear():
                        self._stopping = True
                    elif clock.now() >= give_up_at:
                        self._retry = min(_RETRY_LONGEST, self._retry * 2)
                        return None
        return None

    def _input_failed(self, reason: str) -> None:
        _LOGGER.warning(
            "can't hear requests (%s); trying the %s again in %g s",
            reason, "recording" if self.options.listen_file else "microphone", self._retry,
        )

    def _nothing_to_hear(self) -> bool:
        # --no-audio with no recording and no scripted requests left: nothing
        # can ever ask for a workout, so serving is over (tests, demos).
        return self.options.no_audio and not self.options.listen_file and self.web is None

    def _source(self) -> AudioSource | None:
        if self.options.listen_file is None:
            return None
        from coach.app.hearing import file_source

        return file_source(self.options.listen_file, self.options.speed)

    def _quiet_note(self, message: str) -> None:
        _LOGGER.warning("%s", message)

    # -- requests --------------------------------------------------------------------

    def _handle(self, request: str) -> None:
        _LOGGER.info("request: %s", request)
        if request == LIST:
            names = ", ".join(item.spoken for item in self.items)
            self._say_now(f"You can start: {names}.")
        elif request == RESUME:
            self._resume()
        elif request == STOP:
            self._say_now("Nothing is running. " + self._menu_text())
        elif request.startswith(START):
            item = next((i for i in self.items if i.name == request[len(START) :]), None)
            if item is None:
                self._say_now("I don't know that workout.")
                return
            self._start(item.name, item.path)
        elif request.startswith(SAY):
            self._say_now(request[len(SAY) :])
        elif request.startswith(FILE):
            from coach.app.web.library import user_folder

            name = request[len(FILE) :]
            try:
                self._start(name, user_folder() / f"{name}.yaml")
            except CoachError as exc:  # the user's script changed or went since the request
                _LOGGER.warning("can't start %s: %s", name, exc)
                self._say_now("That workout has a problem. Check it on the page.")

    def _start(self, name: str, path: Path) -> None:
        workout = load_workout(str(path))
        with History.open(self.settings.history_path()) as history:
            practice = self.options.no_audio or self.options.speed != 1.0
            plan, target = start_recorded(
                history, name, str(path), workout, self.settings, practice
            )
            self._session(plan, target, script=name)

    def _resume(self) -> None:
        with History.open(self.settings.history_path()) as history:
            try:
                unfinished = latest_unfinished(history, self.settings.log.unit)
            except CoachError:
                self._say_now("There is no workout to resume.")
                return
            if unfinished.changed is not None:
                self._say_now("That workout changed since you stopped it. Start it again.")
                return
            rest = rest_of(history, unfinished, self.settings.time_calls.rule())
            history.reopen_session(unfinished.record.id)
            self._session(
                rest.plan, HistoryTarget(history, unfinished.record.id, unfinished.today),
                completed=rest.completed, planned=rest.planned_reps,
                script=unfinished.record.script,
            )

    def _session(
        self,
        plan: Plan,
        target: HistoryTarget,
        completed: frozenset[str] = frozenset(),
        planned: int | None = None,
        script: str = "",
    ) -> None:
        options = RunOptions(
            json=self.options.json,
            plain=True,
            speed=self.options.speed,
            no_audio=self.options.no_audio,
            auto_next=self.options.auto_next,
            keyboard=False,
            output_wav=self.options.output_wav,
        )
        events: queue.Queue[Event] = queue.Queue()
        live = self.web.live if self.web is not None else None
        if live is not None:
            live.session_begins(events, script)
        try:
            finished = launch(
                plan,
                options,
                settings=self.settings,
                record=target,
                completed=completed,
                planned_reps=planned,
                out=self.out,
                events=events,
                observe=None if live is None else live.observe,
            )
        finally:
            if live is not None:
                live.session_ends()
        self.sessions_run += 1
        _LOGGER.info("session %s ended: %s", target.session_id, finished.status)
        self._say_now(self._menu_text())

    # -- speaking outside a session ----------------------------------------------------

    def _say_now(self, text: str) -> None:
        """A short prompt: spoken when there is sound, printed always."""
        timeline = JsonTimeline(self.out) if self.options.json else TextTimeline(self.out)
        timeline.emit(Say(0.0, text, 0.0), 0.0)
        timeline.close()
        if self.options.no_audio:
            return
        from coach.audio.output import NoOutputDevice, play_clip

        voice = open_voice(self.settings)
        if voice is None:
            return
        try:
            clip = voice.clip(text)
        finally:
            voice.close()
        try:
            play_clip(clip, self.settings.audio)
        except NoOutputDevice as exc:
            _LOGGER.warning("%s", exc)


def _drop_spoken(events: queue.Queue[Event]) -> None:
    kept = []
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            break
        if isinstance(event, Command) and event.source == "web":
            kept.append(event)
    for event in kept:
        events.put(event)


def check_input(settings: Settings, options: ServeOptions) -> None:
    """A service with nothing to hear would idle for ever: refuse to start instead."""
    if options.listen_file is not None:
        from coach.base.paths import readable_input
        from coach.listen.input.files import mono_blocks

        try:
            readable_input(options.listen_file)
            mono_blocks(options.listen_file)
        except CoachError as exc:
            raise CoachError(f"--listen-file: {exc}") from None
    elif not options.no_audio:
        from coach.audio.output import device_arg
        from coach.listen.input.audio_input import default_rate

        try:
            default_rate(device_arg(settings.audio.input_device))
        except (CoachError, OSError) as exc:  # OSError: PortAudio itself is missing
            raise CoachError(
                f"serve has nothing to listen to: {exc}; plug in a microphone, set "
                "audio.input_device, or give --listen-file AUDIO"
            ) from None


def serve(settings: Settings, options: ServeOptions) -> int:
    check_input(settings, options)
    if not options.no_audio and options.listen_file is None:
        note("serving: listening for 'start <workout>' (Ctrl-C ends)")
    return Server(settings, replace(options)).run()


def parse_requests(spec: str) -> tuple[tuple[float, str], ...]:
    found = []
    for item in (p.strip() for p in spec.split(",")):
        if not item:
            continue
        when, sep, phrase = item.partition(":")
        try:
            at = float(when)
        except ValueError:
            at = -1.0
        if not sep or at < 0 or not phrase.strip():
            raise CoachError(f"--requests: {item!r} is not TIME:PHRASE, e.g. '2:start demo'")
        found.append((at, phrase.strip()))
    return tuple(found)


