"""Checks for the exercises that are not sets of reps: timed holds, intervals,
EMOM, AMRAP, circuits, and the time calls they make.

A mixin of the script checker (coach.script.validate): it reports through the
checker's `report`, so every problem carries the FILE:LINE:COL of its node.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from coach.script.model import (
    REP_CUE_KEYS,
    WORK_CUE_KEYS,
    CueItem,
    Interval,
    TimeCalls,
)
from coach.script.pace import spoken_seconds
from coach.script.problems import Reports
from coach.script.yamlpos import NodePath

if TYPE_CHECKING:
    from coach.script.problems import CueRead

# The key that makes an exercise each kind; none of them: sets of reps.
KIND_KEYS: dict[str, str] = {
    "seconds": "timed",
    "intervals": "intervals",
    "emom": "emom",
    "amrap": "amrap",
}
WORK_KEYS: tuple[str, ...] = (*KIND_KEYS, "rounds", "time_calls")
INTERVAL_KEYS: tuple[str, ...] = ("name", "work", "rest", "cues")
CIRCUIT_KEYS: tuple[str, ...] = ("circuit", "description", "rounds", "rest", "cues", "exercises")
CIRCUIT_CUE_KEYS: tuple[str, ...] = ("start", "rest")
TIME_CALL_KEYS: tuple[str, ...] = ("halfway", "left", "countdown", "tones")
# Settings each kind has no use for, and what to write instead.
NOT_FOR_KIND: dict[str, dict[str, str]] = {
    "timed": {"reps": "a timed exercise is held for 'seconds:', not counted in reps"},
    "intervals": {
        "reps": "intervals are timed by 'work:' seconds, not counted in reps",
        "sets": "an intervals exercise repeats with 'rounds:', not sets",
        "sides": "an intervals exercise has no sides; name the intervals instead",
    },
    "emom": {
        "sets": "an EMOM repeats every minute for 'emom:' minutes, not in sets",
        "sides": "an EMOM has no sides",
    },
    "amrap": {
        "reps": "an AMRAP counts rounds, not reps",
        "sets": "an AMRAP is one block of 'amrap:' minutes, not sets",
        "sides": "an AMRAP has no sides",
    },
}
# Each kind that isn't sets of reps, as a message names it.
KIND_WORDS: dict[str, str] = {
    "timed": "a timed hold",
    "intervals": "intervals",
    "emom": "an EMOM",
    "amrap": "an AMRAP",
}
MAX_ROUNDS = 1000
# A stretch, for the warning about a cue longer than it: (seconds, what it is called).
Slot = tuple[float, str]
MAX_MINUTES = 240
MAX_CALL_COUNTDOWN = 10


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class WorkChecks(Reports):
    """What validate._Checker gets from this mixin."""

    cues: Callable[[object, NodePath], dict[str, list[CueRead]]]
    optional_text: Callable[[dict[str, object], NodePath, str], str]

    def kind_of(self, entry: dict[str, object], path: NodePath) -> str:
        """The exercise's kind, reporting a mix of kinds and settings it can't use."""
        given = [key for key in KIND_KEYS if key in entry]
        for extra in given[1:]:
            self.report_key(
                (*path, extra),
                f"'{given[0]}' and '{extra}' can't both be used: an exercise is one kind "
                "(reps, timed 'seconds', 'intervals', 'emom' or 'amrap')",
            )
        kind = KIND_KEYS[given[0]] if given else "reps"
        for key, why in NOT_FOR_KIND.get(kind, {}).items():
            if key in entry:
                self.report_key((*path, key), f"{key}: {why}")
        if "rounds" in entry and kind != "intervals":
            self.report_key(
                (*path, "rounds"),
                "rounds: only an intervals exercise or a circuit has rounds"
                + ("; an EMOM's rounds are its minutes ('emom: 10')" if kind == "emom" else ""),
            )
        return kind

    def check_cue_kinds(
        self, name: str, kind: str, cues: dict[str, list[CueRead]], paths: dict[str, NodePath]
    ) -> None:
        """Rep cues belong to rep exercises, start/during/end to the others."""
        for key in cues:
            at = paths.get(key)
            if at is None:
                continue
            if kind == "reps" and key in WORK_CUE_KEYS:
                self.report_once(
                    at, "kind",
                    f"cue '{key}' is for timed, intervals, EMOM and AMRAP exercises; "
                    f"'{name}' is sets of reps (its cues: brace, drive, hold, lower)",
                )  # fmt: skip
            elif kind != "reps" and key in REP_CUE_KEYS:
                self.report_once(
                    at, "kind",
                    f"cue '{key}' is for rep phases; '{name}' is {kind}: "
                    "say it with 'start', 'during' or 'end'",
                )  # fmt: skip

    def slots(self, kind: str, work: dict[str, Any]) -> dict[str, Slot]:
        """The stretch each of an exercise's own cue keys is said in, where it keeps time."""
        if kind == "timed":
            return {"start": (work["hold"], "hold"), "during": (work["hold"], "hold")}
        if kind in ("emom", "amrap"):
            seconds = 60.0 if kind == "emom" else work["minutes"] * 60
            what = "minute" if kind == "emom" else "AMRAP"
            return {"start": (seconds, what), "during": (seconds, what)}
        if kind != "intervals":
            return {}
        found: dict[str, Slot] = {}
        for key in ("start", "during", "end", "rest"):
            # Only the intervals without a cue of their own for `key` say the exercise's.
            saying = [iv for iv in work["intervals"] if key not in iv.cues]
            found.update(_interval_slots(key, saying))
        return found

    def warn_long_cues(
        self, cues: dict[str, list[CueRead]], slots: dict[str, Slot], *, spread_all: bool = False
    ) -> None:
        """A cue longer than the stretch it is said in is cut when the stretch ends, and a
        `during` cue that can't finish in what is left after its place isn't said: the
        stretch keeps time. `during` cues are spread evenly, every one over the stretch
        (`spread_all`: a hold, an AMRAP) or one a stretch, in its middle."""
        for key, (seconds, what) in slots.items():
            items = cues.get(key, [])
            for number, read in enumerate(items, start=1):
                said = spoken_seconds(read.item.text)
                room, outcome = seconds, f"it is cut as the {what} ends"
                if key == "during":
                    share = seconds / (len(items) + 1 if spread_all else 2)
                    room = seconds - (number if spread_all else 1) * share
                    outcome = "it won't be said"
                if said <= room:
                    continue
                than = f"the {round(seconds, 1):g} s {what}"
                if room < seconds:
                    than = f"the {round(room, 1):g} s left of {than} where it falls"
                self.warn(
                    read.text_path,
                    f"{key}: this cue takes about {round(said, 1):g} s to say at a steady pace, "
                    f"longer than {than}; {outcome} (shorten it, or split it into a list)",
                )

    def seconds_of(self, value: object, path: NodePath, key: str, high: float) -> float | None:
        if _number(value) and 0 < value <= high:
            return float(value)
        self.report(path, f"{key}: expected seconds > 0 (at most {high:g}), got {_shown(value)}")
        return None

    def minutes_of(self, value: object, path: NodePath, key: str, whole: bool) -> float | None:
        ok = _number(value) and 0 < value <= MAX_MINUTES
        if ok and whole and not float(value).is_integer():  # type: ignore[arg-type]
            ok = False
        if ok:
            return float(value)  # type: ignore[arg-type]
        what = "whole minutes ≥ 1" if whole else "minutes > 0"
        self.report(
            path, f"{key}: expected {what} (at most {MAX_MINUTES}), got {_shown(value)}"
        )
        return None

    def intervals_of(
        self, value: object, path: NodePath, high: float
    ) -> tuple[tuple[Interval, ...], dict[str, NodePath]] | None:
        """`intervals:` — one mapping {work, rest} or a list of named ones."""
        entries: list[tuple[object, NodePath]]
        if isinstance(value, dict):
            entries = [(value, path)]
        elif isinstance(value, list) and value:
            entries = [(entry, (*path, i)) for i, entry in enumerate(value)]
        else:
            got = "an empty list: give at least one" if value == [] else _shown(value)
            self.report(
                path,
                "intervals: expected {work: SECONDS, rest: SECONDS} or a list of them with "
                f"names, got {got}",
            )
            return None
        built: list[Interval] = []
        cue_paths: dict[str, NodePath] = {}
        ok = True
        for number, (entry, at) in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                self.report(at, f"intervals: expected a mapping with 'work', got {_shown(entry)}")
                ok = False
                continue
            self.unknown_keys(entry, at, INTERVAL_KEYS, "in an interval")
            # One unnamed interval is the exercise itself; in a list, they are numbered.
            name = entry.get("name", f"interval {number}" if len(entries) > 1 else " ")
            if not isinstance(name, str) or not (name.strip() or name == " "):
                self.report(
                    (*at, "name"), f"name: expected the interval's name, got {_shown(name)}"
                )
                ok = False
                name = ""
            if "work" not in entry:
                self.report(at, "an interval needs 'work' (its seconds of work)")
                ok = False
                continue
            work = self.seconds_of(entry["work"], (*at, "work"), "work", high)
            rest: float | None = 0.0
            if "rest" in entry:
                raw = entry["rest"]
                rest = float(raw) if _number(raw) and 0 <= raw <= high else None
                if rest is None:
                    self.report(
                        (*at, "rest"),
                        f"rest: expected seconds ≥ 0 (at most {high:g}), got {_shown(raw)}",
                    )
            cues: dict[str, tuple[CueItem, ...]] = {}
            if "cues" in entry:
                read = self.cues(entry["cues"], (*at, "cues"))
                for key in read:
                    if key not in ("start", "during", "end", "rest"):
                        self.report_key(
                            (*at, "cues", key),
                            f"cue '{key}' can't be said in an interval; its cues are "
                            "start, during, end and rest",
                        )
                        ok = False
                    cue_paths.setdefault(key, (*at, "cues", key))
                cues = {k: tuple(i.item for i in items) for k, items in read.items() if items}
            if work is None or rest is None:
                ok = False
                continue
            built.append(Interval(name.strip(), work, rest, cues))
            if "cues" in entry:
                slots = {}
                for key in ("start", "during", "end", "rest"):
                    slots.update(_interval_slots(key, built[-1:]))
                self.warn_long_cues(read, slots)
        return (tuple(built), cue_paths) if ok else None

    def time_calls_of(self, value: object, path: NodePath) -> TimeCalls | None:
        """`time_calls:` — false for none, or which calls to make."""
        if value is False:
            return TimeCalls(halfway=0.0, left=(), countdown=0)
        if not isinstance(value, dict):
            self.report(
                path,
                "time_calls: expected false or a mapping of halfway, left, countdown, tones, "
                f"got {_shown(value)}",
            )
            return None
        self.unknown_keys(value, path, TIME_CALL_KEYS, "in time_calls")
        fields: dict[str, Any] = {}
        ok = True
        if "halfway" in value:
            raw = value["halfway"]
            if raw is False:
                fields["halfway"] = 0.0
            elif _number(raw) and raw >= 0:
                fields["halfway"] = float(raw)
            else:
                self.report(
                    (*path, "halfway"),
                    "halfway: expected the shortest stretch in seconds that gets a 'halfway' "
                    f"call (0 or false: never), got {_shown(raw)}",
                )
                ok = False
        if "left" in value:
            raw = value["left"]
            listed = raw if isinstance(raw, list) else [] if raw is False else [raw]
            bad = [(i, s) for i, s in enumerate(listed) if not (_number(s) and s > 0)]
            if not bad:
                fields["left"] = tuple(sorted((float(s) for s in listed), reverse=True))
            for i, s in bad:  # each bad one where it is written, so it can be found in a list
                at = (*path, "left", i) if isinstance(raw, list) else (*path, "left")
                self.report(
                    at, "left: expected seconds left to call, above 0, e.g. 10 or [30, 10], got "
                    + _shown(s) + (f" (item {i + 1} of the list)" if isinstance(raw, list) else ""),
                )  # fmt: skip
                ok = False
        if "countdown" in value:
            number = self.whole(
                value["countdown"], (*path, "countdown"), "countdown", 0, MAX_CALL_COUNTDOWN
            )
            ok = ok and number is not None
            fields["countdown"] = number
        if "tones" in value:
            if isinstance(value["tones"], bool):
                fields["tones"] = value["tones"]
            else:
                self.report(
                    (*path, "tones"),
                    f"tones: expected true (beeps) or false (words), got {_shown(value['tones'])}",
                )
                ok = False
        return TimeCalls(**fields) if ok else None


def _interval_slots(key: str, intervals: list[Interval]) -> dict[str, Slot]:
    """The shortest stretch `key` is said in over `intervals`: their work for start and
    during, the rest after the work for end and rest (none when no rest follows)."""
    if key in ("start", "during"):
        works = [iv.work for iv in intervals]
        return {key: (min(works), "interval")} if works else {}
    rests = [iv.rest for iv in intervals if iv.rest > 0]
    return {key: (min(rests), "rest")} if rests else {}


def _shown(value: object) -> str:
    from coach.script.problems import show

    return show(value)
