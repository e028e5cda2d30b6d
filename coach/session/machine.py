"""The session: a `transitions` state machine walking the plan's steps.

The machine is data (the table in `_transitions`); this model holds the cursor
into the plan and turns every event into actions. It does no I/O and never
reads a clock: the runner passes `now` with each event, so the same code runs
live, sped up, and on the virtual clock of `--simulate`.

Timing rules (documented for script authors in docs/cue-scripts.md):
- speech never overlaps itself: a cue starts when the previous one has ended;
- a step never ends while the coach is still speaking a cue of the script: a
  cue longer than its phase stretches the phase, and everything after it shifts
  (but see the steps on the beat, below);
- a command is answered at once: the coach's speech is cut (a Cut action) and
  the answer follows; an instruction cut by pause is said again after resume,
  one cut by status, help, slower or faster right after the answer (outside
  timed phases);
- an answer never stretches a timed rep phase or the countdown by more than
  REPLY_SLACK: it is said short when it won't fit, and when even that won't, short
  in the first timed phase that has room for it;
- `slower` / `faster` change the tempo of timed rep phases from the next one on;
- holds, intervals, EMOM minutes, AMRAPs and the rests between intervals start on
  the beat, like a timed rep phase; their time calls and spread cues (the step's
  marks) are placed by the time left, so a pause moves them, and a call that falls
  while the coach is talking is not made. They end on time, whatever is said: a
  cue still being said at the end is cut there, and a spread cue that wouldn't
  finish before it is not said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from coach.plan import Plan, Step
from coach.session.events import (
    Action,
    CircuitRound,
    Command,
    CommandHeard,
    Cut,
    Event,
    Finished,
    ListenForValues,
    PhaseStarted,
    RepCompleted,
    RestStarted,
    RoundCounted,
    Tick,
    TimeCall,
    Tone,
    ValueLogged,
    WorkCompleted,
    WorkStarted,
)
from coach.session.phrases import Phrases, before_first_set, short_status_text, status_text
from coach.session.set_log import next_asked, question, refused, said_back, with_unit
from coach.session.speech import SpeechTimer
from coach.session.stop_check import STOP, StopCheck
from coach.session.talk import Talk
from coach.words.log_values import LOG, LoggedValue, as_asked
from coach.words.vocabulary import COMMANDS

_LOGGER = logging.getLogger(__name__)

ACTIVE_STATES = ["setup", "countdown", "brace", "drive", "hold", "lower", "rest", "work"]
STATES = ["idle", *ACTIVE_STATES, "paused", "done"]
STOPPABLE = (*ACTIVE_STATES, "paused")


@dataclass(frozen=True)
class TempoRule:
    """How far "slower" / "faster" move the tempo scale, and its bounds."""

    step: float = 0.1
    low: float = 0.5
    high: float = 2.0


_EPSILON = 1e-9

# How far an answer may run past the end of a timed phase: below what an
# athlete holding a tempo notices.
REPLY_SLACK = 0.2


class Session:
    """One guided session over a plan. Feed it events; it returns actions."""

    # Added by transitions.Machine.
    state: str
    trigger: Callable[..., bool]

    def __init__(
        self,
        plan: Plan,
        speech: SpeechTimer,
        *,
        phrases: Phrases | None = None,
        completed: Collection[str] = (),
        planned_reps: int | None = None,
        manual_timeout: float | None = None,
        tempo: TempoRule | None = None,
        log_unit: str = "kg",
        last_time: Mapping[int, str] | None = None,
        today: Mapping[int, str] | None = None,
    ) -> None:
        self.plan = plan
        self.speech = speech
        self.phrases = phrases or Phrases()
        self.completed: set[str] = set(completed)
        self.planned_reps = plan.planned_reps if planned_reps is None else planned_reps
        # None: manual phases wait for "next" for ever (the normal, hands-free case).
        self.manual_timeout = manual_timeout
        self.index = -1
        self.now = 0.0
        self.step_deadline: float | None = None
        self.talk = Talk()
        self.step_start = 0.0
        # Cues cut by "pause", said again after "resume".
        self._resume_cues: list[str] = []
        # Answers that didn't fit a timed phase, given at the next rest.
        self._held: list[str] = []
        self.tempo_scale = 1.0
        self.tempo = tempo or TempoRule()
        self.paused_in: str | None = None
        self.paused_remaining: float | None = None
        self.outcome = "running"
        self._out: list[Action] = []
        self._marks_said = 0  # of the step's marks
        self.rounds = 0  # AMRAP rounds of the step under way
        self.log_unit = log_unit  # of a load said without one
        # What was logged last time and today's target, by exercise index, said
        # before its first set.
        self.last_time = dict(last_time or {})
        self.today = dict(today or {})
        self._introduced: set[int] = set()
        self._log_rest: Step | None = None  # the rest whose set is being logged
        self._logged: dict[str, LoggedValue] = {}  # in it, by kind: the later wins
        self._asked = ""  # the kind asked for in it, the listener told
        self._heard: Command | None = None  # the command being handled
        self._refused = False  # it was a value to log, refused out loud
        self.stop_check = StopCheck()  # a voice's "stop" is confirmed first
        self._asking_stop = False  # the pause under way is a lone "stop"'s question
        self._machine = Machine(
            model=self,
            states=STATES,
            transitions=self._transitions(),
            initial="idle",
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )

    # -- the machine, as data ------------------------------------------------

    def _transitions(self) -> list[dict[str, Any]]:
        active_or_paused = [*ACTIVE_STATES, "paused"]
        table: list[dict[str, Any]] = []
        for dest in ACTIVE_STATES:
            table.append(
                {
                    "trigger": "enter_step",
                    "source": ["idle", *ACTIVE_STATES],
                    "dest": dest,
                    "conditions": self._step_state_is(dest),
                    "after": "_on_enter_step",
                }
            )
            table.append(
                {
                    "trigger": "resume",
                    "source": "paused",
                    "dest": dest,
                    "conditions": self._paused_in_is(dest),
                    "after": "_on_resume",
                }
            )
        # The rest after a set that is logged: a value, "skip" (the set is not logged) and
        # "repeat" (what was logged) are for the log, before their rows further down.
        table += [
            {
                "trigger": LOG,
                "source": "rest",
                "dest": None,
                "conditions": ["_logging", "_value_fits"],
                "after": "_log_value",
            },
            {
                "trigger": LOG,
                "source": "rest",
                "dest": None,
                "conditions": ["_logging", "_value_refused"],
                "after": "_refuse_value",
            },
            {
                "trigger": "skip",
                "source": "rest",
                "dest": None,
                "conditions": "_logging",
                "after": "_skip_log",
            },
            {
                "trigger": "repeat",
                "source": "rest",
                "dest": None,
                "conditions": ["_logging", "_has_logged"],
                "after": "_say_logged",
            },
        ]
        table += [
            {
                "trigger": "tick",
                "source": ACTIVE_STATES,
                "dest": None,
                "conditions": "_mark_is_due",
                "after": "_say_marks",
            },
            {
                "trigger": "tick",
                "source": ACTIVE_STATES,
                "dest": None,
                "conditions": "_time_is_up",
                "after": "_advance",
            },
            {
                "trigger": "next",
                "source": "work",
                "dest": None,
                "conditions": "_in_amrap",
                "after": "_count_round",
            },
            {
                "trigger": "next",
                "source": ACTIVE_STATES,
                "dest": None,
                "conditions": "_waits_for_next",
                "before": "_interrupt",
                "after": "_advance",
            },
            {
                "trigger": "pause",
                "source": ACTIVE_STATES,
                "dest": "paused",
                "before": "_freeze",
                "after": "_on_pause",
            },
            {
                "trigger": "back",
                "source": ACTIVE_STATES,
                "dest": None,
                "before": "_interrupt",
                "after": "_back",
            },
            {
                "trigger": "skip",
                "source": ACTIVE_STATES,
                "dest": None,
                "before": "_interrupt",
                "after": "_skip",
            },
            {"trigger": "repeat", "source": active_or_paused, "dest": None, "after": "_repeat"},
            {"trigger": "status", "source": active_or_paused, "dest": None, "after": "_status"},
            {"trigger": "help", "source": active_or_paused, "dest": None, "after": "_help"},
            {"trigger": "slower", "source": active_or_paused, "dest": None, "after": "_slower"},
            {"trigger": "faster", "source": active_or_paused, "dest": None, "after": "_faster"},
            {"trigger": "stop", "source": active_or_paused, "dest": "done", "after": "_on_stop"},
            {
                "trigger": "finish",
                "source": ["idle", *ACTIVE_STATES],
                "dest": "done",
                "after": "_on_finish",
            },
        ]
        return table

    def _applies(self, trigger: str) -> bool:
        # transitions would log a warning for a trigger with no transition from here.
        return trigger in self._machine.get_triggers(self.state)

    def _step_state_is(self, state: str) -> Callable[[int], bool]:
        return lambda index: self.plan.steps[index].state == state

    def _paused_in_is(self, state: str) -> Callable[[], bool]:
        return lambda: self.paused_in == state

    # -- the runner's interface ----------------------------------------------

    def start(self, now: float) -> list[Action]:
        self.now = now
        self._out = [Tone(now, "start")]
        for text in self.plan.intro:
            self._say(text, cue=True)
        self._go(0)
        return self._out

    def handle(self, event: Event, now: float) -> list[Action]:
        deadline = self.deadline
        if isinstance(event, Tick) and deadline is not None and now >= deadline:
            # The step ends at its deadline, not when the clock got round to
            # saying so: otherwise every phase runs long by the wake-up delay
            # and a session drifts off its schedule.
            now = max(self.now, deadline)
        self.now = now
        self._out = []
        self.talk.forget(now)
        if isinstance(event, Tick):
            if self._applies("tick"):
                self.trigger("tick")
        elif isinstance(event, Command):
            heard_at = len(self._out)
            self.stop_check.heard(event)
            if event.name == STOP and self.state in STOPPABLE and not self.stop_check.meant(
                event, now
            ):
                self._ask_to_stop()
                self._out.insert(heard_at, CommandHeard(now, event, accepted=True, confirm=True))
                return self._out
            # Only the athlete's commands (and a value to log) are triggered by name:
            # "finish", "enter_step" and the machine's own triggers are not for a
            # Command to pull.
            if (event.name in COMMANDS or event.name == LOG) and self._applies(event.name):
                self._heard, self._refused = event, False
                accepted = self.trigger(event.name) and not self._refused
            else:
                accepted = False
                if event.name == "pause" and self.state == "paused" and not self.talk.talking(now):
                    self._say(self.phrases.still_paused)  # unless it is saying "Paused" still
            if not accepted:
                _LOGGER.info("ignored %r: nothing to do while %s", event.name, self.state)
            self._out.insert(heard_at, CommandHeard(now, event, accepted=accepted))
        return self._out

    @property
    def deadline(self) -> float | None:
        """When the session next needs a Tick; None while it waits for a command."""
        if self.state not in ACTIVE_STATES or self.step_deadline is None:
            return None
        end = self.step_end
        assert end is not None
        mark = self._next_mark_at()
        return end if mark is None else min(mark, end)

    @property
    def step_end(self) -> float | None:
        """When the step under way ends (its time calls and spread cues aside)."""
        if self.state not in ACTIVE_STATES or self.step_deadline is None:
            return None
        if self.step.on_beat:  # an interval timer keeps time: what is still said is cut
            return self.step_deadline
        # Answers never hold up a timed phase; elsewhere the coach finishes talking.
        talking = self.talk.cues_until if self._timed() else self.talk.until
        return max(self.step_deadline, talking)

    def _next_mark_at(self) -> float | None:
        marks = self.step.marks
        if self.step_deadline is None or self._marks_said >= len(marks):
            return None
        return self.step_deadline - marks[self._marks_said].left

    @property
    def speech_until(self) -> float:
        """When the coach has said everything it has queued."""
        return self.talk.until

    @property
    def done(self) -> bool:
        return self.state == "done"

    @property
    def step(self) -> Step:
        return self.plan.steps[self.index]

    @property
    def completed_reps(self) -> int:
        # Work (holds, intervals) is kept with the reps, under keys not ending in a number.
        return sum(1 for key in self.completed if key.rpartition("/")[2].isdigit())

    # -- conditions ------------------------------------------------------------

    def _time_is_up(self) -> bool:
        deadline = self.deadline
        return deadline is not None and self.now >= deadline - _EPSILON

    def _mark_is_due(self) -> bool:
        at = self._next_mark_at()
        return at is not None and self.now >= at - _EPSILON

    def _in_amrap(self) -> bool:
        return self.step.work == "amrap"

    def _timed(self) -> bool:
        """A timed rep phase, the countdown, or work and rests on the beat: the clock
        the athlete moves to."""
        return self.state in ACTIVE_STATES and (
            self.step.is_rep_phase or self.step.kind == "countdown" or self.step.on_beat
        )

    def _waits_for_next(self) -> bool:
        # "next" ends a manual phase, skips what is left of a rest, cuts the
        # countdown short and ends a hold early; timed rep phases and intervals
        # run on the clock.
        return (
            self.step.duration is None
            or self.step.kind in ("rest", "countdown")
            or self.step.work == "hold"
        )

    # -- callbacks ---------------------------------------------------------------

    def _go(self, index: int) -> None:
        if index >= len(self.plan.steps):
            self.trigger("finish")
        else:
            self.trigger("enter_step", index)

    def _on_enter_step(self, index: int) -> None:
        self._close_log()
        self.index = index
        step = self.step
        self._marks_said = 0
        self.rounds = 0
        # A step starts when the coach is free to announce it; a timed one starts
        # on the beat, since an answer is never let run past it by much.
        timed = step.is_rep_phase or step.kind == "countdown" or step.on_beat
        start = self.now if timed else max(self.now, self.speech_until)
        self.step_start = start
        self._announce(start, step)
        for tone in step.tones:
            self._out.append(Tone(start, tone))
        if step.phase == "setup" and step.exercise_index not in self._introduced:
            self._introduced.add(step.exercise_index)
            for text in before_first_set(
                self.phrases,
                self.last_time.get(step.exercise_index),
                self.today.get(step.exercise_index),
            ):
                self._say(text)
        for text in step.cues:
            self._say(text, cue=True)
        if step.kind == "rest" and step.log:
            self._log_rest = step
            self._logged = {}
            self._asked = step.log[0]
            self._out.append(ListenForValues(start, self._asked))
            self._say(question(self._asked))
        duration = step.duration
        if duration is not None and step.is_rep_phase:
            duration *= self.tempo_scale
        if duration is not None:
            self.step_deadline = start + duration
        elif self.manual_timeout is not None:
            # Stand-in for the athlete's "ready": counted from the end of the cues.
            self.step_deadline = self.speech_until + self.manual_timeout
        else:
            self.step_deadline = None
        if step.kind == "rest":
            for held in self._held:
                for text in self._status_texts() if held == "status" else [self.phrases.help]:
                    self._say(text)
            self._held = []
        elif timed and self._held:
            self._say_held_short()

    def _say_held_short(self) -> None:
        """A held answer's short form, in the first timed phase whose cues leave room for
        it: the athlete hears the answer within a rep, not after the set (or never, in the
        last set)."""
        assert self.step_deadline is not None
        for held in list(self._held):
            short = self._short_answer(held)
            if self.speech_until + self.speech.duration(short) <= (
                self.step_deadline + REPLY_SLACK + _EPSILON
            ):
                self._say(short)
                self._held.remove(held)

    def _short_answer(self, held: str) -> str:
        if held == "status":
            return short_status_text(self.phrases, self.planned_reps - self.completed_reps)
        return self.phrases.help_short

    def _announce(self, start: float, step: Step) -> None:
        if step.circuit_round is not None:
            self._out.append(CircuitRound(start, *step.circuit_round))
        if step.kind == "phase":
            self._out.append(PhaseStarted(start, step))
        elif step.kind == "rest":
            self._out.append(RestStarted(start, step.duration or 0.0, step))
        elif step.kind == "work":
            self._out.append(WorkStarted(start, step))

    def _advance(self) -> None:
        step = self.step
        if step.on_beat:  # a cue that runs past the end of its slot ends with it
            self._cut()
        if step.phase == "lower" and step.rep_key is not None:
            self.completed.add(step.rep_key)
            # Emitted before the next step starts, so the runner saves the rep first.
            self._out.append(RepCompleted(self.now, step))
        elif step.unit is not None:
            self._complete_work(step)
        self._go(self.index + 1)

    def _complete_work(self, step: Step) -> None:
        assert step.unit is not None and step.duration is not None
        left = 0.0 if self.step_deadline is None else max(0.0, self.step_deadline - self.now)
        worked = round(max(0.0, step.duration - left), 3)
        self.completed.add(step.unit)
        rounds = self.rounds if step.work == "amrap" else None
        self._out.append(WorkCompleted(self.now, step, worked, rounds))
        if left > _EPSILON:  # ended early: what was still to be said is not
            self._cut()
        for text in step.end_cues:
            self._say(text, cue=True)
        if rounds is not None:
            one = rounds == 1
            self._say(self.phrases.amrap_one_round if one else
                      self.phrases.amrap_rounds.format(rounds=rounds))  # fmt: skip

    def _say_marks(self) -> None:
        marks = self.step.marks
        while self._marks_said < len(marks):
            at = self._next_mark_at()
            if at is None or self.now < at - _EPSILON:
                break
            mark = marks[self._marks_said]
            self._marks_said += 1
            if mark.call is None and not self._fits(mark.text):
                _LOGGER.debug("no %r: it would run past the end of the step", mark.text)
            elif mark.call is None:
                self._say(mark.text, cue=True)
            elif self.talk.talking(self.now):
                _LOGGER.debug("no %r call: the coach is talking", mark.text)
            else:
                self._out.append(TimeCall(self.now, mark.left, mark.call))
                if mark.tone is not None:
                    self._out.append(Tone(self.now, mark.tone))
                else:
                    self._say(mark.text)

    def _fits(self, text: str) -> bool:
        """Whether `text`, said after what is queued, ends before a step on the beat does."""
        if not self.step.on_beat or self.step_deadline is None:
            return True
        ends = max(self.now, self.talk.until) + self.speech.duration(text)
        return ends <= self.step_deadline + _EPSILON

    def _count_round(self) -> None:
        self.rounds += 1
        self._out.append(RoundCounted(self.now, self.step, self.rounds))
        self._answer([self.phrases.round_done.format(round=self.rounds)], None, hold=None)

    def _freeze(self) -> None:
        self._resume_cues = self._cut()
        self.paused_in = self.state
        self.paused_remaining = (
            None if self.step_deadline is None else max(0.0, self.step_deadline - self.now)
        )

    def _on_pause(self) -> None:
        self._say(self.phrases.stop_confirm if self._asking_stop else self.phrases.paused)

    def _on_resume(self) -> None:
        remaining = self.paused_remaining
        self.step_deadline = None if remaining is None else self.now + remaining
        self.paused_in = None
        self._cut()
        self._say(self.phrases.resumed)
        for text in self._resume_cues:
            self._say(text, cue=True)
        self._resume_cues = []

    def _back(self) -> None:
        # Inside a rep: start that rep again. At the start of a set (setup,
        # countdown, rest): go back to the last rep before it.
        if self.step.is_rep_phase or self.step.kind == "work":
            target: int | None = self.plan.rep_start(self.index)
        else:
            target = self.plan.previous_rep_start(self.index)
        self._go(self.index if target is None else target)

    def _skip(self) -> None:
        target = self.plan.next_exercise_start(self.index)
        self._go(len(self.plan.steps) if target is None else target)

    def _repeat(self) -> None:
        heard = self.talk.heard_cue(self.now)
        queued = self.talk.queued_cues(self.now)
        self._cut()
        if heard is None:
            self._say(self.phrases.nothing_to_repeat)
        for text in ([] if heard is None else [heard]) + queued:
            self._say(text, cue=True)

    def _status(self) -> None:
        self._answer(self._status_texts(), self._short_answer("status"), hold="status")

    def _status_texts(self) -> list[str]:
        step = self.step
        text = status_text(
            self.phrases,
            exercise=step.exercise,
            side=step.side,
            set_number=step.set,
            sets=step.sets,
            rep=step.rep,
            reps=step.reps,
            reps_left=self.planned_reps - self.completed_reps,
        )
        if self.state == "rest" and self.step_deadline is not None:
            remaining = max(0, round(self.step_deadline - self.now))
            return [self.phrases.resting.format(remaining=remaining), text]
        if self.state == "work" and self.step_deadline is not None:
            remaining = max(0, round(self.step_deadline - self.now))
            said = self.phrases.working.format(exercise=step.exercise, remaining=remaining)
            if step.work == "amrap":
                said += " " + (self.phrases.one_round_so_far if self.rounds == 1 else
                               self.phrases.rounds_so_far.format(rounds=self.rounds))  # fmt: skip
            return [said]
        return [text]

    def _help(self) -> None:
        self._answer([self.phrases.help], self.phrases.help_short, hold="help")

    def _slower(self) -> None:
        self._scale_tempo(+self.tempo.step, self.phrases.slower, self.phrases.slowest)

    def _faster(self) -> None:
        self._scale_tempo(-self.tempo.step, self.phrases.faster, self.phrases.fastest)

    def _scale_tempo(self, change: float, said: str, at_limit: str) -> None:
        scaled = round(min(self.tempo.high, max(self.tempo.low, self.tempo_scale + change)), 3)
        self._answer([at_limit if scaled == self.tempo_scale else said], None, hold=None)
        self.tempo_scale = scaled

    def _ask_to_stop(self) -> None:
        """A lone "stop" by voice: pause, and ask before ending the session
        (coach.session.stop_check); paused, the athlete has the quiet to answer in."""
        self._asking_stop = True
        if self.state == "paused":
            self._cut()
            self._on_pause()
        else:
            self.trigger("pause")
        self._asking_stop = False
        self.stop_check.asked(self.talk.until)

    def _on_stop(self) -> None:
        self._cut()
        self._say(self.phrases.stopped)
        self._end("stopped")

    def _on_finish(self) -> None:
        for text in self.plan.outro:
            self._say(text, cue=True)
        finished = self.phrases.finished if self.planned_reps else self.phrases.finished_timed
        self._say(finished.format(completed=self.completed_reps, planned=self.planned_reps))
        self._out.append(Tone(max(self.now, self.speech_until), "finish"))
        self._end("completed")

    def _end(self, status: str) -> None:
        self._close_log()
        self.outcome = status
        self.step_deadline = None
        end = max(self.now, self.speech_until)
        self._out.append(Finished(end, self.completed_reps, self.planned_reps, status))

    # -- logging a set -------------------------------------------------------------

    def _logging(self) -> bool:
        return self._log_rest is not None

    def _has_logged(self) -> bool:
        return bool(self._logged)

    def _value_given(self) -> Command:
        assert self._heard is not None
        return self._heard

    def _asked_value(self) -> LoggedValue | None:
        """The value heard, as the kind asked when it is a bare number; None when the
        text is no value, or out of that kind's range."""
        value = self._value_given().value
        return None if value is None else as_asked(value, self._asked)

    def _said_skip(self) -> bool:
        value = self._value_given().value
        return value is not None and value.kind == "skip"

    def _value_fits(self) -> bool:
        return not self._said_skip() and self._asked_value() is not None

    def _value_refused(self) -> bool:
        return not self._said_skip() and self._asked_value() is None

    def _refuse_value(self) -> None:
        """Typed text that is no value, or a number out of range, is refused out loud,
        never dropped unsaid; the command is not taken."""
        self._log_answer([refused(self._asked)])
        self._refused = True

    def _say_logged(self) -> None:
        self._log_answer([said_back(self._logged.values())])

    def _skip_log(self) -> None:
        """This set is not logged; the exercise goes on."""
        rest = self._log_rest
        assert rest is not None
        self._out.append(ValueLogged(self.now, rest, LoggedValue("skip")))
        self._close_log()
        self._log_answer([self.phrases.log_closed if self._logged else self.phrases.log_skipped])

    def _log_value(self) -> None:
        rest = self._log_rest
        found = self._asked_value()
        assert rest is not None and found is not None
        value = with_unit(found, self.log_unit)
        self._logged[value.kind] = value
        self._out.append(ValueLogged(self.now, rest, value))
        said = said_back([value])
        following = next_asked(rest.log, self._logged)
        if (
            following is not None
            and following != self._asked
            and self._log_answer([said, question(following)])
        ):
            # Only once it is asked: a bare number the athlete says is of the kind heard.
            self._asked = following
            self._out.append(ListenForValues(self.now, following))
        else:
            self._log_answer([said])

    def _log_answer(self, texts: list[str]) -> bool:
        """Say `texts` at once, but only if they fit the rest: logging never stretches it."""
        interrupted = self.talk.queued_cues(self.now)
        heard = self.talk.heard_cue(self.now) if self.talk.talking(self.now) else None
        again = ([heard] if heard is not None and heard not in interrupted else []) + interrupted
        length = sum(self.speech.duration(t) for t in [*texts, *again])
        if self.step_deadline is not None and self.now + length > self.step_deadline + _EPSILON:
            _LOGGER.info("not said, it would stretch the rest: %r", texts)
            return False
        self._answer(texts, None, hold=None)
        return True

    def _close_log(self) -> None:
        if self._log_rest is not None:
            self._log_rest = None
            self._out.append(ListenForValues(self.now, None))

    # -- speech ------------------------------------------------------------------

    def _say(self, text: str, *, cue: bool = False) -> None:
        self._out.append(self.talk.say(self.now, text, self.speech.duration(text), cue=cue))

    def _answer(self, texts: list[str], short: str | None, *, hold: str | None) -> None:
        """Say `texts` now, cutting the coach short; in a timed phase, `short` if only
        that fits, or nothing now and `hold` at the next rest."""
        if self._timed():
            assert self.step_deadline is not None
            limit = max(self._tempo_end(), self.now) + REPLY_SLACK + _EPSILON
            for candidate in (texts, [] if short is None else [short]):
                length = sum(self.speech.duration(text) for text in candidate)
                if candidate and self.now + length <= limit:
                    self._cut()
                    for text in candidate:
                        self._say(text)
                    return
            if hold is not None and hold not in self._held:
                self._held.append(hold)
            return
        interrupted = self._cut()
        for text in texts:
            self._say(text)
        for cue in interrupted:
            self._say(cue, cue=True)

    def _tempo_end(self) -> float:
        """When the timed stretch under way ends: this phase, or the whole countdown."""
        assert self.step_deadline is not None
        end = self.step_deadline
        if self.step.kind == "countdown":
            for step in self.plan.steps[self.index + 1 :]:
                if step.kind != "countdown":
                    break
                end += step.duration or 0.0
        return end

    def _interrupt(self) -> None:
        self._cut()

    def _cut(self) -> list[str]:
        """Stop talking now; returns the script's cues that were cut or never begun."""
        if not self.talk.talking(self.now):
            return []
        self._out.append(Cut(self.now))
        interrupted = self.talk.cut(self.now)
        if self.step_start > self.now and self.state in ACTIVE_STATES:
            self._restart_step_now()
        return interrupted

    def _restart_step_now(self) -> None:
        """The step under way was waiting for speech that is now cut: it starts now."""
        early = self.step_start - self.now
        self.step_start = self.now
        if self.step_deadline is not None:
            self.step_deadline -= early
        step = self.step
        self._announce(self.now, step)
        for tone in step.tones:
            self._out.append(Tone(self.now, tone))
