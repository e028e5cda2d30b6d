"""The validated, fully-inherited form of a cue script.

The loader turns YAML into these frozen dataclasses; nothing downstream ever
sees raw YAML. See docs/cue-scripts.md for what every field means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PHASES: tuple[str, ...] = ("setup", "brace", "drive", "hold", "lower")
REP_PHASES: tuple[str, ...] = ("brace", "drive", "hold", "lower")

# Cue keys of an exercise, in the order they are documented.
CUE_KEYS: tuple[str, ...] = (
    "before_set",
    "final_set",
    "form",
    "setup",
    "brace",
    "drive",
    "hold",
    "lower",
    "halfway",
    "last_rep",
    "rest",
    # Timed holds, intervals, EMOM and AMRAP (see WORK_CUE_KEYS).
    "start",
    "during",
    "end",
)
REP_CUE_KEYS: frozenset[str] = frozenset(REP_PHASES) | {"halfway", "last_rep"}
# Said at the start of the work, spread over it, and when it ends.
WORK_CUE_KEYS: frozenset[str] = frozenset({"start", "during", "end"})

# What an exercise is: sets of reps, a hold for time, work/rest intervals,
# every minute on the minute, or as many rounds as possible.
KINDS: tuple[str, ...] = ("reps", "timed", "intervals", "emom", "amrap")

VARIABLES: tuple[str, ...] = (
    "workout",
    "exercise",
    "side",
    "other_side",
    "set",
    "sets",
    "rep",
    "reps",
    "reps_left",
    "next",
    "rest",
    "round",
    "rounds",
    "interval",
    "seconds",
)
REP_ONLY_VARIABLES: frozenset[str] = frozenset({"rep", "reps_left"})
SIDE_VARIABLES: frozenset[str] = frozenset({"side", "other_side"})

DEFAULT_TEMPO: Mapping[str, float | None] = {
    "setup": None,
    "brace": 2.0,
    "drive": 1.0,
    "hold": 1.0,
    "lower": 2.0,
}
# What the athlete can be asked to log in the rest after a set (`log: [load, rpe]`).
LOG_KINDS: tuple[str, ...] = ("load", "rpe", "rir", "reps")
# The most a load can be logged as, or a progression start from.
MAX_LOAD = 300.0

DEFAULT_SETS = 3
DEFAULT_REPS = 8
DEFAULT_REST = 60.0
DEFAULT_COUNTDOWN = 3
# Upper bounds the spec does not state: a typo such as `reps: 80000` would
# otherwise plan a session of millions of events.
MAX_SETS = 1000
MAX_REPS = 1000

# A selector in `reps:` / `sets:` of a cue item: a number, "first" or "last".
Selector = int | str


@dataclass(frozen=True)
class CueItem:
    """One thing the coach may say, optionally limited to some reps/sets/sides."""

    text: str
    reps: tuple[Selector, ...] | None = None
    sets: tuple[Selector, ...] | None = None
    sides: tuple[str, ...] | None = None
    every: int | None = None

    @property
    def conditional(self) -> bool:
        return any(c is not None for c in (self.reps, self.sets, self.sides, self.every))


@dataclass(frozen=True)
class TimeCalls:
    """When the coach calls the time in holds, intervals and their rests."""

    halfway: float = 30.0  # say "halfway" in stretches at least this long; 0 = never
    left: tuple[float, ...] = (10.0,)  # "ten seconds" left
    countdown: int = 3  # 3-2-1 at the end of a rest before work; 0 = none
    tones: bool = False  # beeps instead of words


@dataclass(frozen=True)
class Interval:
    """One work stretch of an intervals exercise, and the rest after it."""

    name: str
    work: float
    rest: float = 0.0
    cues: Mapping[str, tuple[CueItem, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Circuit:
    """Exercises done one after another, `rounds` times, resting between rounds."""

    name: str
    rounds: int
    rest: float
    cues: Mapping[str, tuple[CueItem, ...]] = field(default_factory=dict)
    number: int = 0  # which circuit of the script (two can share a name and settings)


@dataclass(frozen=True)
class Progression:
    """How an exercise's target moves from one session to the next, after a session in
    which every set reached it (see "Progression" in docs/cue-scripts.md)."""

    add_reps: int = 0  # reps added to the target, up to `up_to`
    up_to: int = 0
    add_load: float = 0.0  # in log.unit: after the top of the rep range, or each time
    start_load: float | None = None  # the first session's, with no load logged yet


@dataclass(frozen=True)
class Exercise:
    name: str
    sets: int = DEFAULT_SETS
    reps: int = DEFAULT_REPS
    rest: float = DEFAULT_REST
    sides: tuple[str, ...] = ()  # empty: bilateral
    # Seconds per phase; None means "manual" (wait for next/ready).
    tempo: Mapping[str, float | None] = field(default_factory=lambda: dict(DEFAULT_TEMPO))
    countdown: int = DEFAULT_COUNTDOWN
    cues: Mapping[str, tuple[CueItem, ...]] = field(default_factory=dict)
    description: str = ""
    kind: str = "reps"
    hold: float = 0.0  # seconds, kind "timed"
    rounds: int = 1  # kind "intervals"; the minutes of "emom"
    intervals: tuple[Interval, ...] = ()
    minutes: float = 0.0  # kind "amrap"
    circuit: Circuit | None = None  # the circuit it is part of; sets = its rounds
    calls: TimeCalls | None = None  # None: the script's, else the config's
    log: tuple[str, ...] = ()  # LOG_KINDS asked for after each set; empty: nothing asked
    progression: Progression | None = None

    @property
    def bilateral(self) -> bool:
        return not self.sides


@dataclass(frozen=True)
class Workout:
    name: str
    exercises: tuple[Exercise, ...]
    description: str = ""
    intro: tuple[CueItem, ...] = ()
    outro: tuple[CueItem, ...] = ()
    source: str = ""  # the file it was loaded from, for messages and history
    spoken: str = ""  # how to ask for it by voice; "" = its file name, dashes as spaces
    calls: TimeCalls | None = None  # `time_calls:` at the top; None: the config's

    @property
    def planned_reps(self) -> int:
        return sum(
            e.sets * e.reps * max(1, len(e.sides)) for e in self.exercises if e.kind == "reps"
        )
