"""Progress per exercise, worked out from the sets in the history; no I/O.

Estimated one-rep max uses Epley's formula, load × (1 + reps / 30): the most used,
and close to the others between 2 and 10 reps, where sets are logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from coach.history.store import SetRecord

ONE_REP_MAX_FORMULA = "Epley: load × (1 + reps / 30)"


def epley(load: float, reps: int) -> float:
    """Estimated one-rep max; a single is its own max."""
    return load if reps == 1 else load * (1 + reps / 30)


def day_of(started: str) -> date:
    return datetime.fromisoformat(started).date()


def week_of(day: date) -> date:
    """The Monday of the day's week: weeks are counted Monday to Sunday."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class SessionPoint:
    """One exercise in one session: what a chart plots."""

    session_id: int
    at: datetime  # when the session started: two sessions of one day are two points
    sets: int
    reps: int
    seconds_held: float
    tempo_seconds: float
    volume: float
    top_load: float | None
    one_rep_max: float | None
    rounds: int = 0
    intervals: int = 0
    minutes: int = 0
    seconds_worked: float = 0.0

    @property
    def day(self) -> date:
        return self.at.date()


# What an exercise's progress is measured in, the first that its sessions have: the
# volume where loads are logged, else reps, seconds held, AMRAP rounds, EMOM minutes,
# or the seconds worked in intervals. (name, how a chart titles it)
MEASURES = (
    ("volume", "volume"),
    ("reps", "reps"),
    ("seconds_held", "seconds held"),
    ("rounds", "rounds"),
    ("minutes", "minutes"),
    ("seconds_worked", "seconds worked"),
)


def amount(point: SessionPoint, measure: str) -> float:
    return float(getattr(point, measure))


@dataclass(frozen=True)
class ExerciseStats:
    exercise: str
    unit: str | None  # of the loads logged (the last one said)
    sessions: int
    sets: int
    reps: int
    seconds_held: float
    tempo_seconds: float  # time under tension from the plan's tempo
    volume: float  # load × reps over the sets with a load
    best_set: str | None
    one_rep_max: float | None
    weeks: dict[date, float] = field(default_factory=dict)  # Monday → amount of `measure`
    points: tuple[SessionPoint, ...] = ()
    streak: int = 0  # weeks in a row with a session, up to this week or the last
    rounds: int = 0  # AMRAP rounds
    intervals: int = 0  # work intervals done
    minutes: int = 0  # EMOM minutes
    seconds_worked: float = 0.0  # in intervals and AMRAPs
    measure: str = "reps"  # one of MEASURES: what `weeks` adds up and charts plot

    @property
    def loaded(self) -> bool:
        return self.one_rep_max is not None

    @property
    def measure_title(self) -> str:
        return dict(MEASURES)[self.measure]

    def to_json(self) -> dict[str, object]:
        return {
            "exercise": self.exercise,
            "unit": self.unit,
            "sessions": self.sessions,
            "sets": self.sets,
            "reps": self.reps,
            "seconds_held": self.seconds_held,
            "rounds": self.rounds,
            "intervals": self.intervals,
            "seconds_worked": self.seconds_worked,
            "minutes": self.minutes,
            "time_under_tension_seconds": self.tempo_seconds,
            "volume": self.volume,
            "best_set": self.best_set,
            "one_rep_max": self.one_rep_max,
            "one_rep_max_formula": ONE_REP_MAX_FORMULA,
            "weekly_streak": self.streak,
            "weeks_measure": self.measure,
            "weeks": {monday.isoformat(): value for monday, value in self.weeks.items()},
        }


def number(value: float) -> str:
    """62.5 as '62.5', 60.0 as '60', thousands with commas."""
    return f"{value:,.1f}".removesuffix(".0")


def exercises(sets: Iterable[SetRecord]) -> list[str]:
    """The exercises in the order first done."""
    return list(dict.fromkeys(s.exercise for s in sets))


def weekly_streak(days: Iterable[date], today: date) -> int:
    """Weeks in a row with a session, ending this week — or last week, since this one
    may just not have had its session yet."""
    weeks = {week_of(d) for d in days}
    week = week_of(today)
    if week not in weeks:
        week -= timedelta(weeks=1)
    streak = 0
    while week in weeks:
        streak += 1
        week -= timedelta(weeks=1)
    return streak


def plural(count: float, word: str) -> str:
    """'1 set', '2 sets', '1.5 sets'."""
    return f"{number(count)} {word}{'' if count == 1 else 's'}"


def clock(seconds: float) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on."""
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _best_set(sets: Sequence[SetRecord], unit: str | None) -> str | None:
    def best(key: Callable[[SetRecord], float]) -> SetRecord | None:
        found = [s for s in sets if key(s)]
        return max(found, key=lambda s: (key(s), s.started)) if found else None

    def on(record: SetRecord) -> str:
        return f" ({day_of(record.started).isoformat()})"

    def a_side(record: SetRecord) -> str:
        return " a side" if record.one_sided else ""

    def held(record: SetRecord) -> float:  # on a side, for a one-sided hold
        if not record.one_sided:
            return record.seconds_held
        return min((s.seconds_held for s in record.sides if s.seconds_held), default=0.0)

    loaded = best(lambda s: epley(s.value("load") or 0.0, s.done_reps) if s.done_reps else 0.0)
    if loaded is not None and loaded.value("load") is not None:
        load = f"{number(loaded.value('load') or 0.0)} {unit or ''}".rstrip()
        return f"{load} × {loaded.done_reps}{a_side(loaded)}" + on(loaded)
    if found := best(lambda s: s.done_reps):
        return plural(found.done_reps, "rep") + a_side(found) + on(found)
    if found := best(held):
        return f"{number(held(found))} s held{a_side(found)}" + on(found)
    if found := best(lambda s: s.rounds):
        return plural(found.rounds, "round") + on(found)
    if found := best(lambda s: s.minutes):
        return plural(found.minutes, "minute") + on(found)
    if found := best(lambda s: s.seconds_worked):
        return f"{plural(found.intervals, 'interval')}, {clock(found.seconds_worked)} worked" + on(
            found
        )
    return None


def _point(session_id: int, sets: Sequence[SetRecord]) -> SessionPoint:
    loaded = [(load, s) for s in sets if (load := s.value("load")) is not None]
    # A one-sided set's max is from a side's reps; its volume counts both sides' reps.
    maxes = [epley(load, s.done_reps) for load, s in loaded if s.done_reps > 0]
    return SessionPoint(
        session_id=session_id,
        at=datetime.fromisoformat(sets[0].started),
        sets=len(sets),
        reps=sum(s.total_reps for s in sets),
        seconds_held=round(sum(s.seconds_held for s in sets), 3),
        tempo_seconds=sum(s.tempo_seconds for s in sets),
        volume=sum(load * s.total_reps for load, s in loaded),
        top_load=max((load for load, _ in loaded), default=None),
        one_rep_max=round(max(maxes), 1) if maxes else None,
        rounds=sum(s.rounds for s in sets),
        intervals=sum(s.intervals for s in sets),
        minutes=sum(s.minutes for s in sets),
        seconds_worked=round(sum(s.seconds_worked for s in sets), 3),
    )


def _measure(points: Sequence[SessionPoint], loaded: bool) -> str:
    if loaded:
        return "volume"
    return next(
        (name for name, _ in MEASURES[1:] if any(amount(p, name) for p in points)), "reps"
    )


def exercise_stats(exercise: str, sets: Sequence[SetRecord], today: date) -> ExerciseStats:
    mine = [s for s in sets if s.exercise == exercise]
    by_session: dict[int, list[SetRecord]] = {}
    for s in mine:
        by_session.setdefault(s.session_id, []).append(s)
    points = tuple(_point(sid, group) for sid, group in sorted(by_session.items()))
    units = [s.values["load"].unit for s in mine if "load" in s.values]
    unit = units[-1] if units else None
    maxes = [p.one_rep_max for p in points if p.one_rep_max is not None]
    measure = _measure(points, bool(maxes))
    weeks: dict[date, float] = {}
    for p in points:
        weeks[week_of(p.day)] = weeks.get(week_of(p.day), 0.0) + amount(p, measure)
    return ExerciseStats(
        exercise=exercise,
        unit=unit,
        sessions=len(points),
        sets=len(mine),
        reps=sum(p.reps for p in points),
        seconds_held=round(sum(p.seconds_held for p in points), 1),
        tempo_seconds=round(sum(p.tempo_seconds for p in points), 1),
        volume=round(sum(p.volume for p in points), 1),
        best_set=_best_set(mine, unit),
        one_rep_max=max(maxes) if maxes else None,
        weeks={monday: round(value, 1) for monday, value in sorted(weeks.items())},
        points=points,
        streak=weekly_streak((p.day for p in points), today),
        rounds=sum(p.rounds for p in points),
        intervals=sum(p.intervals for p in points),
        minutes=sum(p.minutes for p in points),
        seconds_worked=round(sum(p.seconds_worked for p in points), 1),
        measure=measure,
    )


def all_stats(sets: Sequence[SetRecord], today: date) -> list[ExerciseStats]:
    return [exercise_stats(name, sets, today) for name in exercises(sets)]
