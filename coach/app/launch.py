"""Putting a session together: plan, voice, clock, outputs, history, command sources.

`coach run` and `coach resume` differ only in where they start and which
history row they write to; both come through `launch`. What plays the sound
depends on the flags:
- `--simulate`: a virtual clock, no devices; the voice only gives durations.
- live: the sound device's own sample clock drives the session.
- `--no-audio`: a sped-up wall clock; with `--output-wav`, a paced stand-in
  for the device records exactly what would have played.
Without a sound device the session says so in one line and coaches on screen.
"""

from __future__ import annotations

import logging
import queue
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coach.app.keyboard import start_keyboard
from coach.app.options import RunOptions, note
from coach.app.recording import HistoryRecorder, rep_seconds
from coach.app.signals import stopping_on_signals
from coach.base.errors import CoachError
from coach.config import Settings, load_settings
from coach.history.earlier import last_time, todays_targets
from coach.history.store import History
from coach.plan import Plan, expand
from coach.plan.progression import Target, with_targets
from coach.plan.shape import shape
from coach.script.model import Workout
from coach.session.clock import Clock, ScaledClock, VirtualClock, WaitingForever
from coach.session.events import Action, Command, Event, Finished, ListenForValues
from coach.session.machine import Session, TempoRule
from coach.session.phrases import Phrases
from coach.session.runner import Output, run_session
from coach.session.speech import EstimatedSpeech, SpeechTimer
from coach.session.timeline import JsonTimeline, TextTimeline

if TYPE_CHECKING:
    from coach.app.hearing import ListenerProcess
    from coach.voice.voice import Voice

_LOGGER = logging.getLogger(__name__)

# How long the sound is let ring after the last cue before the stream closes.
_RING_OUT = 0.5


@dataclass(frozen=True)
class HistoryTarget:
    history: History
    session_id: int
    # Each progressing exercise's target, by exercise index: its reps are the plan's.
    today: Mapping[int, Target] = field(default_factory=dict)


def start_recorded(
    history: History, script: str, path: str, workout: Workout, settings: Settings, practice: bool
) -> tuple[Plan, HistoryTarget]:
    """Today's plan of a script, its progressions' targets in place, and the session's new
    row in the history; its shape is today's, so that a resume lines up."""
    today = todays_targets(history, workout, settings.log.unit)
    workout = with_targets(workout, today)
    plan = expand(workout, settings.time_calls.rule())
    # The resolved path: `coach resume` may be run from another folder than this one.
    session_id = history.start_session(
        script, str(Path(path).resolve()), workout.name, plan.planned_reps, practice=practice
    )
    history.save_shape(session_id, shape(workout))
    return plan, HistoryTarget(history, session_id, today)


class SimulationStalled(CoachError):
    pass


def open_voice(
    settings: Settings,
    plan: Plan | None = None,
    last_time: Mapping[int, str] | None = None,
    today: Mapping[int, str] | None = None,
) -> Voice | None:
    """The configured voice, warming up with the plan's texts (and the lines said before
    each exercise's first set); None if it can't speak."""
    if settings.voice.engine == "estimate":
        return None
    from coach.session.catalog import session_texts
    from coach.voice.voice import Voice

    try:
        voice = Voice.from_settings(settings)
        if plan is not None:
            texts = session_texts(plan, Phrases(), last_time, today)
            if texts:
                voice.clip(texts[0])  # fails here, once, if the engine can't start
            voice.prerender(texts)
    except CoachError as exc:
        note(f"{exc}; timing cues with estimated speech lengths")
        return None
    return voice


def launch(
    plan: Plan,
    options: RunOptions,
    *,
    settings: Settings | None = None,
    speech: SpeechTimer | None = None,
    record: HistoryTarget | None = None,
    completed: frozenset[str] = frozenset(),
    planned_reps: int | None = None,
    out: TextIO = sys.stdout,
    extra_outputs: Sequence[Output] = (),
    events: queue.Queue[Event] | None = None,
    observe: Callable[[Session, Clock], Output] | None = None,
) -> Finished:
    """`events`: a queue other sources (the web page) post commands to as well;
    `observe`: makes an output that reads the session's state as it goes."""
    settings = settings or load_settings()
    said_last = {} if record is None else last_time(record.history, plan, record.session_id)
    today = {} if record is None else {i: t.spoken() for i, t in record.today.items()}
    with ExitStack() as stack:
        voice = None
        if speech is None:
            voice = open_voice(settings, plan, said_last, today)
            if voice is not None:
                stack.callback(voice.close)
        timer: SpeechTimer = speech or voice or EstimatedSpeech()
        session = Session(
            plan,
            timer,
            completed=completed,
            planned_reps=planned_reps,
            manual_timeout=options.auto_next,
            tempo=TempoRule(
                settings.session.tempo_step, settings.session.tempo_min, settings.session.tempo_max
            ),
            log_unit=settings.log.unit,
            last_time=said_last,
            today=today,
        )
        outputs: list[Output] = [*extra_outputs]
        if record is not None:
            # First, so a completed rep is saved before anything else happens.
            outputs.insert(
                0, HistoryRecorder(record.history, record.session_id, note, rep_seconds(plan))
            )
        events = events if events is not None else queue.Queue()
        if options.simulate:
            outputs.append(JsonTimeline(out) if options.json else TextTimeline(out))
            return _run(session, VirtualClock(), outputs, events, options)
        from coach.app.sound import open_sound

        sound = stack.enter_context(open_sound(settings, options, voice, outputs))
        clock: Clock = sound.clock if sound is not None else ScaledClock(options.speed)
        listening = None
        if options.listen and not options.no_audio:
            from coach.app.hearing import open_listening

            playback = sound.playback() if sound is not None else None
            logs = any(step.log for step in plan.steps)
            listening = stack.enter_context(
                open_listening(settings, events, clock, playback, note, values=logs)
            )
            if logs:
                outputs.append(ValueSwitch(listening))
        outputs.append(_screen(options, out, session, clock, listening, sound is not None))
        if observe is not None:
            outputs.append(observe(session, clock))
        if options.keyboard:
            keyboard = start_keyboard(events, sys.stdin, settings.vocabulary())
            stack.callback(keyboard.close)
        with stopping_on_signals(lambda: events.put(Command("stop", source="signal"))):
            finished = _run(session, clock, outputs, events, options)
        if sound is not None:
            sound.ring_out(finished.t + _RING_OUT)
        return finished
    raise AssertionError("unreachable")


class ValueSwitch:
    """Turns the listener's hearing of values on for the rest a set is logged in, and
    off after it (so "eighty" can't be heard as a value in the middle of a set)."""

    def __init__(self, listening: ListenerProcess | None) -> None:
        self.listening = listening

    def emit(self, action: Action, now: float) -> None:
        if isinstance(action, ListenForValues) and self.listening is not None:
            self.listening.listen_for_values(action.kind)

    def close(self) -> None:
        pass


def _screen(
    options: RunOptions,
    out: TextIO,
    session: Session,
    clock: Clock,
    listening: ListenerProcess | None,
    sounding: bool,
) -> Output:
    """The live display in a terminal; a readable log or JSON lines otherwise."""
    if options.json:
        return JsonTimeline(out)
    if options.plain or not out.isatty():
        return TextTimeline(out)
    from coach.app.display import ListenRow, LiveDisplay

    def hearing() -> ListenRow:
        if listening is None:
            return ListenRow("off: --no-audio" if options.no_audio else "off: --no-listen")
        if listening.failed:
            return ListenRow(f"off: {listening.failure}; the keys work")
        if not listening.ready:
            return ListenRow("starting…")
        how = "listening" if listening.barge_in else "listening (not while the coach talks)"
        return ListenRow(how, listening.level)

    speaker = None
    if not sounding:
        speaker = "off: --no-audio" if options.no_audio else "no speaker: coaching on screen"
    return LiveDisplay(session, clock, hearing, speaker)


def _run(
    session: Session,
    clock: Clock,
    outputs: list[Output],
    events: queue.Queue[Event],
    options: RunOptions,
) -> Finished:
    for at, command in options.commands:
        clock.schedule(at, command)
    try:
        return run_session(session, clock, outputs, events)
    except WaitingForever:
        if session.state == "paused":
            raise SimulationStalled(
                f"the simulated session is paused at {_where(session)} and waits for "
                "'resume'; add it to --commands (e.g. --commands '5:pause,15:resume')"
            ) from None
        raise SimulationStalled(
            f"the simulated session waits at {_where(session)} for 'next'; add it to "
            "--commands (e.g. --commands '30:next') or pass --auto-next SECONDS"
        ) from None


def _where(session: Session) -> str:
    step = session.step
    side = f", {step.side} side" if step.side else ""
    at = max(session.now, session.speech_until)
    return f"the {step.state} of {step.exercise}{side}, set {step.set} (t={at:.1f}s)"
