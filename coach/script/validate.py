"""Check a cue-script document and build the Workout it describes.

Checking and building are one pass ("parse, don't validate"): every value is
converted to its model type where it is read, and every problem is recorded
at the position of the node that caused it, then checking carries on so that
one run reports everything. The Workout is only handed out when nothing was
wrong.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from coach.script.model import (
    CUE_KEYS,
    DEFAULT_COUNTDOWN,
    DEFAULT_REPS,
    DEFAULT_REST,
    DEFAULT_SETS,
    DEFAULT_TEMPO,
    LOG_KINDS,
    MAX_REPS,
    MAX_SETS,
    PHASES,
    Circuit,
    CueItem,
    Exercise,
    Progression,
    TimeCalls,
    Workout,
)
from coach.script.problems import CueRead, Problem, closest, did_you_mean, is_int, show
from coach.script.validate_cues import CueChecks
from coach.script.validate_progression import ProgressionChecks
from coach.script.validate_work import (
    CIRCUIT_CUE_KEYS,
    CIRCUIT_KEYS,
    KIND_WORDS,
    WORK_KEYS,
    WorkChecks,
)
from coach.script.yamlpos import NodePath, YamlDoc

_LOGGER = logging.getLogger(__name__)

TOP_KEYS: tuple[str, ...] = (
    "workout",
    "description",
    "spoken",
    "extends",
    "intro",
    "outro",
    "defaults",
    "exercises",
    "time_calls",
)
SETTING_KEYS: tuple[str, ...] = (
    "sides", "sets", "reps", "rest", "tempo", "countdown", "cues", "log", "progression"
)  # fmt: skip
EXERCISE_KEYS: tuple[str, ...] = ("name", "description", *SETTING_KEYS, *WORK_KEYS)

# More upper bounds the spec does not state (MAX_SETS and MAX_REPS are in the model).
MAX_COUNTDOWN = 60
MAX_REST = 24 * 3600.0
MAX_PHASE = 3600.0
# A whole session: beyond these it is a typo (sets: 1000, reps: 1000), and
# simulating, planning and history would take minutes and gigabytes.
MAX_TOTAL_REPS = 5000
MAX_SESSION_SECONDS = 12 * 3600.0
MAX_SIDES = 10
# Names are spoken inside cues and echoed in messages: a line, not a paragraph.
MAX_NAME_CHARS = 100

T = TypeVar("T")


@dataclass
class _Settings:
    """What `defaults` or one exercise sets; None means not set (or invalid)."""

    sides: tuple[str, ...] | None = None
    sets: int | None = None
    reps: int | None = None
    rest: float | None = None
    countdown: int | None = None
    log: tuple[str, ...] | None = None
    progression: Progression | None = None
    tempo: dict[str, float | None] = field(default_factory=dict)
    cues: dict[str, list[CueRead]] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)  # keys written with a bad value


def check_document(doc: YamlDoc) -> tuple[list[Problem], Workout | None]:
    """Every problem in a (merged) document, and the Workout when there are none."""
    problems, _, workout = review_document(doc)
    return problems, workout


def review_document(doc: YamlDoc) -> tuple[list[Problem], list[Problem], Workout | None]:
    """Every problem and every warning in a (merged) document, and the Workout when there
    are no problems (warnings don't stop it)."""
    checker = _Checker(doc)
    workout = checker.run()
    problems = sorted(set(checker.problems))
    return problems, sorted(set(checker.warnings)), (None if problems else workout)


def _is_number(value: object) -> TypeGuard[int | float]:
    """A finite int or float; YAML's true/false and .inf/.nan are not numbers here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Checker(CueChecks, WorkChecks, ProgressionChecks):
    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # Per-exercise checks of a `defaults` cue would repeat for every
        # exercise that inherits it; report each (node, kind) once.
        self._reported: set[tuple[NodePath, str]] = set()

    # -- reporting ---------------------------------------------------------

    def report(self, path: NodePath, message: str) -> None:
        self.problems.append(Problem.at(self.doc.position(path), message))

    def warn(self, path: NodePath, message: str) -> None:
        self.warnings.append(Problem.at(self.doc.position(path), f"warning: {message}"))

    def report_key(self, path: NodePath, message: str) -> None:
        self.problems.append(Problem.at(self.doc.key_position(path), message))

    def report_once(self, path: NodePath, kind: str, message: str) -> None:
        if (path, kind) not in self._reported:
            self._reported.add((path, kind))
            self.report(path, message)

    def unknown_keys(
        self, mapping: dict[str, object], path: NodePath, allowed: Sequence[str], where: str
    ) -> None:
        for key in mapping:
            if key in allowed:
                continue
            self.report_key((*path, key), f"unknown key '{key}' {where}" + _hint(key, allowed))

    # -- the document ------------------------------------------------------

    def run(self) -> Workout | None:
        root = self.doc.value
        if not isinstance(root, dict):
            self.report(
                (),
                f"the top level must be a mapping with 'workout' and 'exercises', got {show(root)}",
            )
            return None
        self.unknown_keys(root, (), TOP_KEYS, "at the top level")
        name = self.required_text(root, (), "workout", "the session's name")
        description = self.optional_text(root, (), "description")
        spoken = self.optional_text(root, (), "spoken")
        if "extends" in root and not (isinstance(root["extends"], str) and root["extends"]):
            self.report(
                ("extends",),
                f"extends: expected a script name or path, got {show(root['extends'])}",
            )
        intro = self.session_cue(root, "intro")
        outro = self.session_cue(root, "outro")
        defaults = _Settings()
        if "defaults" in root:
            if isinstance(root["defaults"], dict):
                defaults = self.settings(root["defaults"], ("defaults",))
                _misspelt_settings(root["defaults"], defaults)
                self.unknown_keys(root["defaults"], ("defaults",), SETTING_KEYS, "in defaults")
            else:
                self.report(
                    ("defaults",), f"defaults: expected a mapping, got {show(root['defaults'])}"
                )
        calls = None
        if "time_calls" in root:
            calls = self.time_calls_of(root["time_calls"], ("time_calls",))
        exercises = self.exercises(root, defaults)
        self.check_size(exercises)
        return Workout(
            calls=calls,
            name=name or "",
            exercises=tuple(exercises),
            description=description,
            intro=intro,
            outro=outro,
            source=self.doc.file,
            spoken=spoken,
        )

    def check_size(self, exercises: list[Exercise]) -> None:
        reps = sum(e.sets * e.reps * max(1, len(e.sides)) for e in exercises if e.kind == "reps")
        if reps > MAX_TOTAL_REPS:
            self.report(
                ("exercises",),
                f"exercises: the session has {reps} reps in all; at most {MAX_TOTAL_REPS} "
                "(check sets, reps and sides)",
            )
            return
        seconds = sum(_timed_seconds(e) for e in exercises)
        if seconds > MAX_SESSION_SECONDS:
            self.report(
                ("exercises",),
                f"exercises: the session lasts {seconds / 3600:.0f} hours without its manual "
                f"phases; at most {MAX_SESSION_SECONDS / 3600:g} (check rest and tempo)",
            )

    def required_text(self, mapping: dict[str, object], path: NodePath, key: str, what: str) -> str:
        if key not in mapping:
            self.report(path, f"missing required key '{key}' ({what})")
            return ""
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            self.report((*path, key), f"{key}: expected {what} as text, got {show(value)}")
            return ""
        if len(value.strip()) > MAX_NAME_CHARS:
            self.report(
                (*path, key),
                f"{key}: the name is {len(value.strip())} characters long; "
                f"keep it to {MAX_NAME_CHARS} or fewer",
            )
            return ""
        return value.strip()

    def optional_text(self, mapping: dict[str, object], path: NodePath, key: str) -> str:
        value = mapping.get(key, "")
        if not isinstance(value, str):
            self.report((*path, key), f"{key}: expected text, got {show(value)}")
            return ""
        return value.strip()

    def session_cue(self, root: dict[str, object], key: str) -> tuple[CueItem, ...]:
        if key not in root:
            return ()
        return tuple(item.item for item in self.cue(root[key], (key,), key))

    def exercises(self, root: dict[str, object], defaults: _Settings) -> list[Exercise]:
        if "exercises" not in root:
            self.report((), "missing required key 'exercises' (a list of at least one exercise)")
            return []
        entries = root["exercises"]
        path: NodePath = ("exercises",)
        if not isinstance(entries, list):
            self.report(path, f"exercises: expected a list of exercises, got {show(entries)}")
            return []
        if not entries:
            self.report(path, "exercises: the list is empty; add at least one exercise")
            return []
        built: list[Exercise] = []
        first_seen: dict[str, NodePath] = {}
        found: list[tuple[Exercise, NodePath]] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and "circuit" in entry:
                found += self.circuit(entry, (*path, index), defaults, number=index)
                continue
            exercise = self.exercise(entry, (*path, index), defaults)
            if exercise is not None:
                found.append((exercise, (*path, index, "name")))
        for exercise, name_path in found:
            if exercise.name and exercise.name in first_seen:
                first = self.doc.position(first_seen[exercise.name])
                where = f"line {first.line}"
                if first.file != self.doc.position(name_path).file:
                    where = f"{first.file}:{first.line}"
                self.report(
                    name_path,
                    f"duplicate exercise name '{exercise.name}' (first used at {where}); "
                    "names must be unique",
                )
            elif exercise.name:
                first_seen[exercise.name] = name_path
            built.append(exercise)
        return built

    def exercise(
        self,
        entry: object,
        path: NodePath,
        defaults: _Settings,
        circuit: Circuit | None = None,
    ) -> Exercise | None:
        if not isinstance(entry, dict):
            self.report(path, f"each exercise must be a mapping with a 'name', got {show(entry)}")
            return None
        self.unknown_keys(entry, path, EXERCISE_KEYS, "in an exercise")
        name = self.required_text(entry, path, "name", "the exercise's name")
        description = self.optional_text(entry, path, "description")
        kind = self.kind_of(entry, path)
        if circuit is not None:
            self.in_circuit(entry, path, kind)
        own = self.settings(entry, path)
        _misspelt_settings(entry, own)
        sides = _choose("sides", own, defaults, ())
        sets = _choose("sets", own, defaults, DEFAULT_SETS)
        if circuit is not None:
            sets = circuit.rounds
        reps = _choose("reps", own, defaults, DEFAULT_REPS)
        cues = {**defaults.cues, **own.cues}
        work = self.work_of(entry, path, kind)
        self.warn_long_cues(cues, self.slots(kind, work), spread_all=kind in ("timed", "amrap"))
        # In intervals and an EMOM, a cue's `sets:` picks rounds (minutes).
        counted = work["rounds"] if kind in ("intervals", "emom") else sets
        self.check_cues_in_exercise(name or "this exercise", sides, counted, reps, cues)
        cue_paths: dict[str, NodePath] = {k: ("defaults", "cues", k) for k in defaults.cues}
        cue_paths.update({k: (*path, "cues", k) for k in own.cues})
        self.check_cue_kinds(name or "this exercise", kind, cues, cue_paths)
        tempo = {**DEFAULT_TEMPO, **defaults.tempo, **own.tempo}
        rest = _choose("rest", own, defaults, DEFAULT_REST)
        if circuit is not None:
            rest = 0.0
        countdown = _choose("countdown", own, defaults, DEFAULT_COUNTDOWN)
        log = _choose("log", own, defaults, ())
        if own.log:  # one inherited from defaults passes over these, as a progression does
            self.check_log_applies(name or "this exercise", kind, circuit, (*path, "log"))
        calls: TimeCalls | None = None
        if "time_calls" in entry:
            calls = self.time_calls_of(entry["time_calls"], (*path, "time_calls"))
        built = Exercise(
            name=name,
            sets=sets or DEFAULT_SETS,
            reps=reps or DEFAULT_REPS,
            rest=DEFAULT_REST if rest is None else rest,
            sides=sides or (),
            tempo={phase: tempo[phase] for phase in PHASES},
            countdown=DEFAULT_COUNTDOWN if countdown is None else countdown,
            cues={k: tuple(i.item for i in cues[k]) for k in CUE_KEYS if cues.get(k)},
            description=description,
            kind=kind,
            circuit=circuit,
            calls=calls,
            log=log or (),
        )
        rule, rule_at = own.progression, (*path, "progression")
        if rule is None and "progression" not in own.invalid:
            rule, rule_at = defaults.progression, ("defaults", "progression")
        built = dataclasses.replace(built, **work, progression=rule)
        if reps is None or log is None:  # written wrong, already reported: don't guess
            return built
        checked = self.check_progression(built, rule_at, own=rule_at[0] != "defaults")
        return dataclasses.replace(built, progression=checked)

    def work_of(self, entry: dict[str, object], path: NodePath, kind: str) -> dict[str, Any]:
        """The fields of a timed, intervals, EMOM or AMRAP exercise."""
        if kind == "timed":
            hold = self.seconds_of(entry["seconds"], (*path, "seconds"), "seconds", MAX_PHASE)
            return {"hold": hold or 1.0, "reps": 0}
        if kind == "intervals":
            rounds = 1
            if "rounds" in entry:
                rounds = self.whole(entry["rounds"], (*path, "rounds"), "rounds", 1, MAX_SETS) or 1
            read = self.intervals_of(entry["intervals"], (*path, "intervals"), MAX_PHASE)
            intervals = read[0] if read else ()
            return {"rounds": rounds, "intervals": intervals, "reps": 0, "sets": 1, "sides": ()}
        if kind == "emom":
            minutes = self.minutes_of(entry["emom"], (*path, "emom"), "emom", whole=True)
            return {"rounds": int(minutes or 1), "sets": 1, "sides": ()}
        if kind == "amrap":
            minutes = self.minutes_of(entry["amrap"], (*path, "amrap"), "amrap", whole=False)
            return {"minutes": minutes or 1.0, "reps": 0, "sets": 1, "sides": ()}
        return {}

    def check_log_applies(
        self, name: str, kind: str, circuit: Circuit | None, at: NodePath
    ) -> None:
        """Values are asked in the rest after a set of reps: a `log:` where there is none
        would be read and never asked for."""
        where = "logging works on sets of reps outside a circuit, so take it off here"
        if kind != "reps":
            self.report_key(at, f"log: '{name}' is {KIND_WORDS[kind]}, with no set to log; "
                            + where)  # fmt: skip
        elif circuit is not None:
            self.report_key(
                at, f"log: '{name}' is in a circuit, which rests only between rounds; " + where
            )

    def in_circuit(self, entry: dict[str, object], path: NodePath, kind: str) -> None:
        if "circuit" in entry:
            self.report_key((*path, "circuit"), "a circuit can't hold another circuit")
        if kind not in ("reps", "timed"):
            self.report(path, f"a circuit holds rep and timed exercises; this one is {kind}")
        for key, why in (
            ("sets", "in a circuit each exercise is done once a round; set 'rounds' on the "
             "circuit"),
            ("rest", "a circuit rests between rounds; set 'rest' on the circuit"),
        ):  # fmt: skip
            if key in entry:
                self.report_key((*path, key), f"{key}: {why}")

    def circuit(
        self, entry: dict[str, object], path: NodePath, defaults: _Settings, number: int
    ) -> list[tuple[Exercise, NodePath]]:
        """A circuit's exercises, each knowing its circuit."""
        self.unknown_keys(entry, path, CIRCUIT_KEYS, "in a circuit")
        name = self.required_text(entry, path, "circuit", "the circuit's name")
        rounds = DEFAULT_SETS
        if "rounds" in entry:
            rounds = self.whole(entry["rounds"], (*path, "rounds"), "rounds", 1, MAX_SETS) or 1
        rest = DEFAULT_REST
        if "rest" in entry:
            rest = self.seconds(entry["rest"], (*path, "rest")) or 0.0
        cues: dict[str, list[CueRead]] = {}
        if "cues" in entry:
            cues = self.cues(entry["cues"], (*path, "cues"))
            for key in cues:
                if key not in CIRCUIT_CUE_KEYS:
                    self.report_key(
                        (*path, "cues", key),
                        f"cue '{key}' can't be said by a circuit; its cues are start (each "
                        "round) and rest; the exercises have their own",
                    )
        members = entry.get("exercises")
        if not isinstance(members, list) or not members:
            self.report(
                (*path, "exercises") if "exercises" in entry else path,
                "a circuit needs 'exercises': a list of at least one exercise",
            )
            return []
        circuit = Circuit(
            name or "",
            rounds,
            rest,
            {k: tuple(i.item for i in items) for k, items in cues.items() if items},
            number,
        )
        found = []
        for index, member in enumerate(members):
            at: NodePath = (*path, "exercises", index)
            exercise = self.exercise(member, at, defaults, circuit=circuit)
            if exercise is not None:
                found.append((exercise, (*at, "name")))
        return found

    # -- settings shared by defaults and exercises --------------------------

    def settings(self, mapping: dict[str, object], path: NodePath) -> _Settings:
        result = _Settings()
        for key in ("sets", "reps", "countdown"):
            if key in mapping:
                low, high = {"sets": (1, MAX_SETS), "reps": (1, MAX_REPS)}.get(
                    key, (0, MAX_COUNTDOWN)
                )
                number = self.whole(mapping[key], (*path, key), key, low, high)
                if number is None:
                    result.invalid.add(key)
                setattr(result, key, number)
        if "rest" in mapping:
            result.rest = self.seconds(mapping["rest"], (*path, "rest"))
            if result.rest is None:
                result.invalid.add("rest")
        if "sides" in mapping:
            result.sides = self.sides(mapping["sides"], (*path, "sides"))
            if result.sides is None:
                result.invalid.add("sides")
        if "log" in mapping:
            result.log = self.log(mapping["log"], (*path, "log"))
            if result.log is None:
                result.invalid.add("log")
        if "progression" in mapping:
            result.progression = self.progression(
                mapping["progression"], (*path, "progression"), MAX_REPS
            )
            if result.progression is None:
                result.invalid.add("progression")
        if "tempo" in mapping:
            result.tempo = self.tempo(mapping["tempo"], (*path, "tempo"))
        if "cues" in mapping:
            result.cues = self.cues(mapping["cues"], (*path, "cues"))
        return result

    def whole(self, value: object, path: NodePath, key: str, low: int, high: int) -> int | None:
        if is_int(value) and low <= value <= high:
            return value
        if is_int(value) and value > high:
            self.report(path, f"{key}: at most {high}, got {value}")
        else:
            self.report(path, f"{key}: expected a whole number ≥ {low}, got {show(value)}")
        return None

    def seconds(self, value: object, path: NodePath) -> float | None:
        if _is_number(value) and 0 <= value <= MAX_REST:
            return float(value)
        self.report(
            path,
            f"rest: expected seconds ≥ 0 (0 = no rest, at most {MAX_REST:g}), got {show(value)}",
        )
        return None

    def sides(self, value: object, path: NodePath) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.report(
                path, f"sides: expected a list of side names, e.g. [left, right], got {show(value)}"
            )
            return None
        if len(value) > MAX_SIDES:
            self.report(path, f"sides: {len(value)} sides; at most {MAX_SIDES}")
            return None
        names: dict[str, None] = {}  # ordered, and a quick "seen" check for long lists
        ok = True
        for index, side in enumerate(value):
            if not isinstance(side, str) or not side.strip():
                self.report((*path, index), f"sides: expected a side name, got {show(side)}")
                ok = False
            elif len(side.strip()) > MAX_NAME_CHARS:
                self.report(
                    (*path, index),
                    f"sides: a side name of {len(side.strip())} characters; "
                    f"keep it to {MAX_NAME_CHARS} or fewer",
                )
                ok = False
            elif side.strip() in names:
                self.report((*path, index), f"sides: '{side.strip()}' is listed twice")
                ok = False
            else:
                names[side.strip()] = None
        return tuple(names) if ok else None

    def log(self, value: object, path: NodePath) -> tuple[str, ...] | None:
        """`log: [load, rpe]`: what to ask for in the rest after each set."""
        # A single kind written bare is what a person means by it.
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.report(
                path,
                f"log: expected a list of what to log, e.g. [load, rpe], got {show(value)}",
            )
            return None
        kinds: dict[str, None] = {}
        ok = True
        for index, kind in enumerate(items):
            at = path if isinstance(value, str) else (*path, index)
            if not isinstance(kind, str) or kind.strip().lower() not in LOG_KINDS:
                hint = did_you_mean(kind, LOG_KINDS) if isinstance(kind, str) else ""
                self.report(
                    at,
                    f"log: {show(kind)} is not something to log"
                    + (hint or f"; use {', '.join(LOG_KINDS)}"),
                )
                ok = False
            elif kind.strip().lower() in kinds:
                self.report(at, f"log: '{kind.strip()}' is listed twice")
                ok = False
            else:
                kinds[kind.strip().lower()] = None
        return tuple(kinds) if ok else None

    def tempo(self, value: object, path: NodePath) -> dict[str, float | None]:
        if not isinstance(value, dict):
            self.report(
                path,
                "tempo: expected a mapping of phase to seconds, e.g. "
                f"{{hold: 2}}, got {show(value)}",
            )
            return {}
        result: dict[str, float | None] = {}
        for phase, seconds in value.items():
            if phase not in PHASES:
                self.report_key(
                    (*path, phase),
                    f"unknown tempo phase '{phase}'"
                    + (did_you_mean(phase, PHASES) or f"; phases are {', '.join(PHASES)}"),
                )
            elif seconds == "manual":
                result[phase] = None
            elif _is_number(seconds) and 0 < float(seconds) <= MAX_PHASE:
                result[phase] = float(seconds)
            else:
                self.report(
                    (*path, phase),
                    f"tempo {phase}: expected seconds > 0 or 'manual', got {show(seconds)}",
                )
        return result


def _timed_seconds(exercise: Exercise) -> float:
    """How long an exercise's timed phases and rests last, manual phases left out."""
    if exercise.kind == "intervals":
        return exercise.rounds * sum(i.work + i.rest for i in exercise.intervals)
    if exercise.kind == "emom":
        return exercise.rounds * 60.0
    if exercise.kind == "amrap":
        return exercise.minutes * 60.0
    if exercise.kind == "timed":
        return (
            exercise.sets * max(1, len(exercise.sides)) * exercise.hold
            + (exercise.sets - 1) * exercise.rest
        )
    timed = {phase: seconds or 0.0 for phase, seconds in exercise.tempo.items()}
    rep = sum(seconds for phase, seconds in timed.items() if phase != "setup")
    per_side = timed.get("setup", 0.0) + exercise.reps * rep
    return (
        exercise.sets * max(1, len(exercise.sides)) * per_side + (exercise.sets - 1) * exercise.rest
    )


def _misspelt_settings(mapping: dict[str, object], settings: _Settings) -> None:
    """A misspelt `sides:` or `sets:` is reported once, as an unknown key; the checks
    that depend on its value are skipped rather than run on the default."""
    for key in mapping:
        if key in EXERCISE_KEYS or not isinstance(key, str):
            continue
        meant = closest(key, SETTING_KEYS)
        if meant is not None and meant not in mapping:
            settings.invalid.add(meant)


def _hint(key: str, allowed: Sequence[str]) -> str:
    """Where a misplaced cue or phase belongs, else a did-you-mean."""
    if "cues" in allowed and key in CUE_KEYS and key in PHASES:
        return "; it goes under 'cues:' (what to say) or 'tempo:' (seconds)"
    if "cues" in allowed and key in CUE_KEYS:
        return f"; cues go under 'cues:', e.g. cues: {{{key}: ...}}"
    if "tempo" in allowed and key in PHASES:
        return f"; phase times go under 'tempo:', e.g. tempo: {{{key}: 2}}"
    return did_you_mean(key, allowed)


def _choose(key: str, own: _Settings, defaults: _Settings, default: T) -> T | None:
    """An exercise's value for `key`: its own, else the defaults', else the built-in.

    None when the value that would apply was written wrong (already reported),
    so checks that depend on it are skipped rather than guessed.
    """
    for settings in (own, defaults):
        if key in settings.invalid:
            return None
        value: T | None = getattr(settings, key)
        if value is not None:
            return value
    return default
