"""The steps of the exercises that are not sets of reps: timed holds, intervals,
EMOM, AMRAP, and circuits of rep and timed exercises.

A mixin of the plan's expander (coach.plan): the expander walks the script,
this adds the steps of these kinds with the same cue picking and variables.
Every work step and the rests between intervals run on the beat (an interval
timer keeps time, whatever the coach is saying) and carry their time calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from coach.plan.cues import seconds_text
from coach.script.model import Exercise, Interval, TimeCalls, Workout
from coach.words.time_calls import Mark, calls_for, merged, spread

if TYPE_CHECKING:
    from coach.plan.cues import CuePicker
    from coach.plan.steps import Step

_BLOCKS = ("intervals", "emom", "amrap")


class WorkSteps:
    """What the plan's expander (coach.plan.expand) gets from this mixin."""

    workout: Workout
    calls: TimeCalls
    picker: CuePicker
    steps: list[Step]

    # -- provided by the expander --------------------------------------------------

    def _add(self, **fields: object) -> None:
        raise NotImplementedError

    def _say(
        self,
        keys: Sequence[str],
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        side: str | None,
        rep: int | None,
        extra: Mapping[str, object] | None = None,
    ) -> tuple[str, ...]:
        raise NotImplementedError

    def _variables(
        self,
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        side: str | None,
        rep: int | None,
        extra: Mapping[str, object] | None = None,
    ) -> dict[str, object]:
        raise NotImplementedError

    def _side(
        self, exercise_index: int, ex: Exercise, set_number: int, side: str | None, first_side: bool
    ) -> None:
        raise NotImplementedError

    def _rest(
        self,
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        marks: tuple[Mark, ...] = (),
        seconds: float | None = None,
    ) -> None:
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------

    def _calls(self, ex: Exercise) -> TimeCalls:
        return ex.calls or self.calls

    def _spread_texts(
        self,
        exercise_index: int,
        ex: Exercise,
        set_number: int,
        side: str | None,
        extra: Mapping[str, object],
    ) -> list[str]:
        """Every `during` cue that applies, to be spread over the work."""
        from coach.plan.cues import matches

        items = ex.cues.get("during", ())
        pool = [i for i in items if i.conditional and matches(i, ex, set_number, side, None)]
        pool = pool or [i for i in items if not i.conditional]
        variables = self._variables(exercise_index, ex, set_number, side, None, extra)
        return [i.text.format_map(variables) for i in pool]

    def _work(
        self,
        exercise_index: int,
        ex: Exercise,
        *,
        work: str,
        seconds: float,
        unit: str,
        where: Mapping[str, Any],
        extra: Mapping[str, object],
        before_work: bool,
        one_during: bool = False,
        **fields: object,
    ) -> None:
        set_number, side = where["set"], where["side"]
        if "round" in fields:  # a cue's `sets:` picks rounds (minutes) here
            set_number = int(fields["round"])  # type: ignore[call-overload]
            ex = replace(ex, sets=int(fields["rounds"]))  # type: ignore[call-overload]
        calls = calls_for(seconds, self._calls(ex), before_work=before_work)
        if one_during:  # one cue an interval, in turn: eight rounds of the same line tire
            texts = list(self._say(["during"], exercise_index, ex, set_number, side, None, extra))
        else:
            texts = self._spread_texts(exercise_index, ex, set_number, side, extra)
        self._add(
            kind="work",
            phase=None,
            rep=None,
            duration=seconds,
            cues=self._say(["start"], exercise_index, ex, set_number, side, None, extra),
            tones=("go",),
            work=work,
            on_beat=True,
            marks=merged(calls, spread(seconds, texts, calls)),
            end_cues=self._say(["end"], exercise_index, ex, set_number, side, None, extra),
            unit=unit,
            **where,
            **fields,
        )

    # -- a timed hold (one side of one set) -----------------------------------------

    def _hold(
        self, exercise_index: int, ex: Exercise, set_number: int, side: str | None,
        where: Mapping[str, Any],
    ) -> None:  # fmt: skip
        self._work(
            exercise_index,
            ex,
            work="hold",
            seconds=ex.hold,
            unit=f"{exercise_index}/{side or '-'}/{set_number}/hold",
            where=where,
            extra={"seconds": seconds_text(ex.hold)},
            before_work=False,
        )

    # -- intervals, EMOM, AMRAP ------------------------------------------------------

    def _timed_block(self, exercise_index: int, ex: Exercise) -> None:
        where = {
            "exercise_index": exercise_index,
            "exercise": ex.name,
            "side": None,
            "set": 1,
            "sets": 1,
            "reps": ex.reps,
        }
        rounds = ex.rounds if ex.kind in ("intervals", "emom") else 1
        first = ex.intervals[0] if ex.intervals else None
        opening = {
            "round": 1,
            "rounds": rounds,
            "interval": first.name if first else "",
            "seconds": seconds_text(first.work if first else ex.minutes * 60),
        }
        self._add(
            kind="phase",
            phase="setup",
            rep=None,
            duration=ex.tempo.get("setup"),
            cues=self._say(["before_set", "form", "setup"], exercise_index, ex, 1, None, None,
                           opening),
            **where,
        )  # fmt: skip
        for beat in range(ex.countdown, 0, -1):
            self._add(
                kind="countdown", phase=None, rep=None, duration=1.0,
                tones=("countdown",), count=beat, **where,
            )  # fmt: skip
        if ex.kind == "intervals":
            self._intervals(exercise_index, ex, where)
        elif ex.kind == "emom":
            for minute in range(1, ex.rounds + 1):
                extra = {"round": minute, "rounds": ex.rounds, "seconds": "60"}
                self._work(
                    exercise_index, ex, work="emom", seconds=60.0,
                    unit=f"{exercise_index}/-/1/m{minute}", where=where, extra=extra,
                    before_work=minute < ex.rounds, one_during=True,
                    round=minute, rounds=ex.rounds,
                )  # fmt: skip
        else:
            seconds = ex.minutes * 60
            self._work(
                exercise_index, ex, work="amrap", seconds=seconds,
                unit=f"{exercise_index}/-/1/amrap", where=where,
                extra={"seconds": seconds_text(seconds), "round": "", "rounds": ""},
                before_work=False,
            )  # fmt: skip

    def _intervals(self, exercise_index: int, ex: Exercise, where: Mapping[str, Any]) -> None:
        order = [(r, k, iv) for r in range(1, ex.rounds + 1) for k, iv in enumerate(ex.intervals)]
        for position, (round_number, number, interval) in enumerate(order):
            if not interval.name:
                interval = replace(interval, name=ex.name)
            own = replace(ex, cues={**ex.cues, **interval.cues})
            following: Interval | None = None
            if position + 1 < len(order):
                following = order[position + 1][2]
                following = following if following.name else replace(following, name=ex.name)
            extra = {
                "round": round_number,
                "rounds": ex.rounds,
                "interval": interval.name,
                "seconds": seconds_text(interval.work),
                "rest": seconds_text(interval.rest),
                "next": following.name if following else self._after(exercise_index),
            }
            named = {"name": interval.name, "round": round_number, "rounds": ex.rounds}
            self._work(
                exercise_index, own, work="interval", seconds=interval.work,
                unit=f"{exercise_index}/-/{round_number}/i{number + 1}", where=where,
                extra=extra, before_work=False, one_during=True, **named,
            )  # fmt: skip
            if interval.rest <= 0 or following is None:
                continue
            calls = calls_for(interval.rest, self._calls(ex), before_work=True)
            self._add(
                kind="rest",
                phase=None,
                rep=None,
                duration=interval.rest,
                cues=self._say(["rest"], exercise_index, own, 1, None, None, extra),
                work="interval",
                on_beat=True,
                marks=merged(calls),
                **where,
                **named,
            )

    def _after(self, exercise_index: int) -> str:
        exercises = self.workout.exercises
        if exercise_index + 1 < len(exercises):
            return exercises[exercise_index + 1].name
        return "the end of the workout"

    # -- circuits ------------------------------------------------------------------

    def _circuit_part(self, exercise_index: int, ex: Exercise) -> None:
        """At a circuit's first exercise, the whole circuit; nothing at the others."""
        circuit = ex.circuit
        assert circuit is not None
        exercises = self.workout.exercises
        previous = exercises[exercise_index - 1].circuit if exercise_index > 0 else None
        if previous is not None and previous.number == circuit.number:
            return
        members = [exercise_index]
        while (
            members[-1] + 1 < len(exercises)
            and (nxt := exercises[members[-1] + 1].circuit) is not None
            and nxt.number == circuit.number
        ):
            members.append(members[-1] + 1)
        last = members[-1]
        for round_number in range(1, circuit.rounds + 1):
            start = len(self.steps)
            for index in members:
                member = exercises[index]
                for side_index, side in enumerate(member.sides or (None,)):
                    self._side(index, member, round_number, side, first_side=side_index == 0)
            said = self._circuit_cue("start", circuit.cues, round_number, exercise_index, last)
            self.steps[start] = replace(
                self.steps[start],
                circuit_round=(circuit.name, round_number, circuit.rounds),
                cues=said + self.steps[start].cues,
            )
            final = round_number == circuit.rounds
            if circuit.rest <= 0 or (final and last + 1 >= len(exercises)):
                continue
            member = exercises[last]
            rest_cues = self._circuit_cue("rest", circuit.cues, round_number, exercise_index, last)
            calls = calls_for(circuit.rest, self._calls(member), before_work=False)
            self._add(
                kind="rest",
                phase=None,
                exercise_index=last,
                exercise=member.name,
                side=member.sides[-1] if member.sides else None,
                set=round_number,
                sets=circuit.rounds,
                rep=None,
                reps=member.reps,
                duration=circuit.rest,
                cues=rest_cues,
                marks=merged(calls),
                round=round_number,
                rounds=circuit.rounds,
            )

    def _circuit_cue(
        self, key: str, cues: Mapping[str, Any], round_number: int, first: int, last: int
    ) -> tuple[str, ...]:
        items = [i for i in cues.get(key, ()) if not i.conditional] or list(cues.get(key, ()))
        if not items:
            return ()
        ex = self.workout.exercises[first]
        circuit = ex.circuit
        assert circuit is not None
        following = f"round {round_number + 1} of {circuit.rounds}, {ex.name}"
        if round_number == circuit.rounds:
            following = self._after(last)
        variables = self._variables(first, ex, round_number, None, None, {
            "round": round_number, "rounds": circuit.rounds, "next": following,
            "exercise": circuit.name, "rest": seconds_text(circuit.rest),
        })  # fmt: skip
        return (items[(round_number - 1) % len(items)].text.format_map(variables),)
