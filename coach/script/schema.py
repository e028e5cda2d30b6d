"""The cue-script format as a JSON Schema (draft 2020-12), for editors.

Built from the same key lists the validator uses, so the two cannot drift
apart on names. The schema is a little more lenient than the validator on
things JSON Schema cannot express (unique exercise names, variables in cue
text, selectors within range); `coach validate` has the final word.
"""

from __future__ import annotations

from typing import Any

from coach.script.model import (
    CUE_KEYS,
    DEFAULT_COUNTDOWN,
    DEFAULT_REPS,
    DEFAULT_REST,
    DEFAULT_SETS,
    LOG_KINDS,
    MAX_LOAD,
    MAX_REPS,
    MAX_SETS,
    PHASES,
    REP_CUE_KEYS,
)
from coach.script.validate import MAX_COUNTDOWN, MAX_PHASE, MAX_REST
from coach.script.validate_cues import SESSION_CUES
from coach.script.validate_progression import MAX_LOAD_STEP
from coach.script.validate_work import MAX_CALL_COUNTDOWN, MAX_MINUTES, MAX_ROUNDS

SCHEMA_ID = "https://coach.invalid/schemas/cue-script.json"

_PHASE_HELP = {
    "setup": "Getting into position; usually `manual` (waits for 'next' / 'ready').",
    "brace": "Bracing before the effort.",
    "drive": "The effort: lifting, pushing, pulling.",
    "hold": "Holding the top position.",
    "lower": "Returning under control; the rep is complete when it ends.",
}

_CUE_HELP = {
    "before_set": "Said at the start of each setup (every side of every set).",
    "final_set": "Said at each setup of the final set, after before_set (when sets ≥ 2).",
    "form": "Form notes: one per set, at the first side's setup, after final_set.",
    "setup": "Said at each setup, last.",
    "brace": "Said at the start of the brace phase of every rep.",
    "drive": "Said at the start of the drive phase of every rep.",
    "hold": "Said at the start of the hold phase of every rep.",
    "lower": "Said at the start of the lower phase of every rep.",
    "halfway": "Said before the brace cue of rep reps // 2 + 1 (when reps ≥ 4).",
    "last_rep": "Said before the brace cue of the last rep (when reps ≥ 2).",
    "rest": "Said at the start of each rest.",
    "start": "Timed, intervals, EMOM, AMRAP: said as the work starts (each hold, interval, "
    "minute).",
    "during": "Timed, intervals, EMOM, AMRAP: form cues spread evenly over the work (one an "
    "interval or minute, in turn).",
    "end": "Timed, intervals, AMRAP: said when the work ends.",
}

_SELECTOR_ITEM: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"enum": ["first", "last"]},
    ]
}


def _selector(noun: str) -> dict[str, Any]:
    return {
        "description": f"Only in these {noun}s: a {noun} number, `first`, `last`, or a list.",
        "anyOf": [_SELECTOR_ITEM, {"type": "array", "items": _SELECTOR_ITEM, "minItems": 1}],
    }


def _cue_item(rep_cue: bool) -> dict[str, Any]:
    side_name = {"type": "string", "minLength": 1}
    properties: dict[str, Any] = {
        "text": {
            "type": "string",
            "minLength": 1,
            "pattern": r"\S",
            "description": "What to say. Variables in braces, e.g. {set}; {{ }} for braces.",
        },
        "sets": _selector("set"),
        "sides": {
            "description": "Only on these sides: a side name or a list of them.",
            "anyOf": [side_name, {"type": "array", "items": side_name, "minItems": 1}],
        },
    }
    if rep_cue:
        properties["reps"] = _selector("rep")
        properties["every"] = {
            "type": "integer",
            "minimum": 1,
            "description": "Only on every Nth rep (3 → reps 3, 6, 9…).",
        }
    return {
        "type": "object",
        "description": "A cue with conditions; conditional items take precedence.",
        "properties": properties,
        "required": ["text"],
        "additionalProperties": False,
    }


def _cue(item_ref: str, description: str) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "pattern": r"\S", "description": "What to say."}
    one = {"anyOf": [text, {"$ref": item_ref}]}
    return {
        "description": description
        + " A string, a cue item, or a list of them (the coach rotates through a list).",
        "anyOf": [one, {"type": "array", "items": one}],
    }


def _exercise_properties() -> dict[str, Any]:
    manual_or_seconds = {
        "anyOf": [
            {"const": "manual"},
            {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PHASE},
        ]
    }
    cue_properties = {
        key: _cue(
            "#/$defs/repCueItem" if key in REP_CUE_KEYS else "#/$defs/cueItem", _CUE_HELP[key]
        )
        for key in CUE_KEYS
    }
    return {
        "sides": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": "Each set is done once per side, in this order; "
            "omit (or []) for both sides at once.",
        },
        "sets": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_SETS,
            "default": DEFAULT_SETS,
            "description": "Number of sets.",
        },
        "reps": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_REPS,
            "default": DEFAULT_REPS,
            "description": "Reps per set (per side).",
        },
        "rest": {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_REST,
            "default": DEFAULT_REST,
            "description": "Seconds of rest after each set, also between exercises (0 = none).",
        },
        "tempo": {
            "type": "object",
            "description": "Seconds per phase, or `manual` to wait for 'next' / 'ready'.",
            "properties": {
                phase: {**manual_or_seconds, "description": _PHASE_HELP[phase]} for phase in PHASES
            },
            "propertyNames": {"enum": list(PHASES)},
            "additionalProperties": False,
        },
        "countdown": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_COUNTDOWN,
            "default": DEFAULT_COUNTDOWN,
            "description": "Get-ready beeps, one a second, after setup (0 = none).",
        },
        "log": {
            "type": "array",
            "items": {"enum": list(LOG_KINDS)},
            "uniqueItems": True,
            "description": "What the athlete is asked to log by voice in the rest after "
            "each set, e.g. [load, rpe]: load, rpe, rir (reps in reserve), reps.",
        },
        "progression": _progression(),
        "cues": {
            "type": "object",
            "description": "What to say, by cue key.",
            "properties": cue_properties,
            "propertyNames": {"enum": list(CUE_KEYS)},
            "additionalProperties": False,
        },
    }


def _progression() -> dict[str, Any]:
    reps = {"type": "integer", "minimum": 1, "maximum": MAX_REPS}
    return {
        "type": "object",
        "description": "How the target moves after a session whose every set reached it: "
        "a rep more up to `up_to`, then `add_load` more and back to `reps`; or `add_load` "
        "each time. The coach says the target before the first set.",
        "properties": {
            "add_reps": {**reps, "description": "Reps added to the target (needs up_to)."},
            "up_to": {**reps, "description": "The most reps; at least the exercise's reps."},
            "add_load": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_LOAD_STEP,
                         "multipleOf": 0.5,
                         "description": "Load added (in log.unit), after up_to or each time; "
                         "needs load in log."},
            "start_load": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_LOAD,
                           "multipleOf": 0.5,
                           "description": "The first session's load, before any is logged."},
        },
        "anyOf": [{"required": ["add_reps", "up_to"]}, {"required": ["add_load"]}],
        "dependentRequired": {"add_reps": ["up_to"], "up_to": ["add_reps"]},
        "additionalProperties": False,
    }  # fmt: skip


def _work() -> dict[str, Any]:
    """The keys that make an exercise timed, intervals, EMOM or AMRAP."""
    seconds = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PHASE}
    return {
        "seconds": {**seconds, "description": "A timed exercise: hold this many seconds "
                    "(per side, per set) instead of reps."},
        "intervals": {
            "description": "Work/rest intervals: {work, rest} or a list of named ones, "
            "repeated `rounds` times.",
            "anyOf": [
                {"$ref": "#/$defs/interval"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/interval"}},
            ],
        },
        "rounds": {"type": "integer", "minimum": 1, "maximum": MAX_ROUNDS, "default": 1,
                   "description": "How many times the intervals repeat."},
        "emom": {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES,
                 "description": "Every minute on the minute, for this many minutes: `reps` at "
                 "the top of each minute, rest for what is left of it."},
        "amrap": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_MINUTES,
                  "description": "As many rounds as possible in this many minutes; say 'done' "
                  "(or press Enter) after each round."},
        "time_calls": {"$ref": "#/$defs/timeCalls",
                       "description": "This exercise's time calls (see the top level's)."},
    }  # fmt: skip


def _work_defs(settings: dict[str, Any]) -> dict[str, Any]:
    seconds = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PHASE}
    interval_cues = {
        key: _cue("#/$defs/cueItem", _CUE_HELP[key]) for key in ("start", "during", "end", "rest")
    }
    return {
        "interval": {
            "type": "object",
            "description": "One work stretch and the rest after it.",
            "properties": {
                "name": {"type": "string", "minLength": 1, "description": "Said as {interval}."},
                "work": {**seconds, "description": "Seconds of work."},
                "rest": {"type": "number", "minimum": 0, "maximum": MAX_PHASE,
                         "description": "Seconds of rest after it (0 = none)."},
                "cues": {"type": "object", "description": "This interval's own cues.",
                         "properties": interval_cues, "additionalProperties": False},
            },
            "required": ["work"],
            "additionalProperties": False,
        },
        "timeCalls": {
            "description": "When the time is called in holds, intervals and rests: false for "
            "never, or which calls.",
            "anyOf": [
                {"const": False},
                {
                    "type": "object",
                    "properties": {
                        "halfway": {"anyOf": [{"type": "number", "minimum": 0},
                                              {"const": False}],
                                    "description": "'Halfway' in stretches at least this "
                                    "many seconds long (0 or false: never)."},
                        "left": {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                                           {"type": "array", "items": {
                                               "type": "number", "exclusiveMinimum": 0}}],
                                 "description": "Seconds left to call, e.g. 10 or [30, 10]."},
                        "countdown": {"type": "integer", "minimum": 0,
                                      "maximum": MAX_CALL_COUNTDOWN,
                                      "description": "3-2-1 at the end of a rest before work."},
                        "tones": {"type": "boolean",
                                  "description": "Beeps instead of words."},
                    },
                    "additionalProperties": False,
                },
            ],
        },
        "circuit": {
            "type": "object",
            "description": "Exercises done one after another, `rounds` times, resting between "
            "rounds.",
            "properties": {
                "circuit": {"type": "string", "minLength": 1, "description": "Its name."},
                "description": {"type": "string", "description": "About the circuit."},
                "rounds": {"type": "integer", "minimum": 1, "maximum": MAX_SETS,
                           "default": DEFAULT_SETS, "description": "How many rounds."},
                "rest": {"type": "number", "minimum": 0, "maximum": MAX_REST,
                         "default": DEFAULT_REST, "description": "Seconds between rounds."},
                "cues": {"type": "object", "description": "start: each round; rest.",
                         "properties": {k: _cue("#/$defs/cueItem", _CUE_HELP[k])
                                        for k in ("start", "rest")},
                         "additionalProperties": False},
                "exercises": {"type": "array", "minItems": 1,
                              "description": "Rep and timed exercises, without sets or rest.",
                              "items": {"$ref": "#/$defs/exercise"}},
            },
            "required": ["circuit", "exercises"],
            "additionalProperties": False,
        },
    }  # fmt: skip


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a cue script."""
    settings = _exercise_properties()
    session_item = {
        "type": "string",
        "minLength": 1,
        "description": "What to say; only {workout} may be used.",
    }
    session_cues = {
        key: {
            "description": f"Said once at the very {'start' if key == 'intro' else 'end'} "
            "of the session. A string or a list of strings (or items with only `text`).",
            "anyOf": [
                session_item,
                {"$ref": "#/$defs/sessionCueItem"},
                {
                    "type": "array",
                    "items": {"anyOf": [session_item, {"$ref": "#/$defs/sessionCueItem"}]},
                },
            ],
        }
        for key in SESSION_CUES
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Cue script",
        "description": "What the workout coach says and when. See docs/cue-scripts.md.",
        "type": "object",
        "properties": {
            "workout": {
                "type": "string",
                "minLength": 1,
                "description": "The session's name (required).",
            },
            "description": {"type": "string", "description": "A longer description."},
            "spoken": {
                "type": "string",
                "description": "How to ask a smart speaker for this workout: 'start <spoken>' "
                "(default: the file name, dashes as spaces). Use dictionary words.",
            },
            "extends": {
                "type": "string",
                "minLength": 1,
                "description": "Start from another script: a bundled name, or a path "
                "relative to this file.",
            },
            **session_cues,
            "defaults": {
                "type": "object",
                "description": "Settings every exercise inherits; tempo and cues merge key by key.",
                "properties": settings,
                "additionalProperties": False,
            },
            "exercises": {
                "type": "array",
                "minItems": 1,
                "description": "The exercises, in order (required unless inherited "
                "through extends).",
                "items": {"anyOf": [{"$ref": "#/$defs/exercise"}, {"$ref": "#/$defs/circuit"}]},
            },
            "time_calls": {
                "$ref": "#/$defs/timeCalls",
                "description": "When the time is called in holds, intervals and rests; "
                "overrides the config's time_calls.",
            },
        },
        "required": ["workout"],
        "additionalProperties": False,
        "$defs": {
            "exercise": {
                "type": "object",
                "description": "One exercise; keys it leaves out come from defaults.",
                "properties": {
                    "name": {
                        "type": "string",
                        "minLength": 1,
                        "description": "The exercise's name, unique within the script.",
                    },
                    "description": {"type": "string", "description": "About the exercise."},
                    **settings,
                    **_work(),
                },
                "required": ["name"],
                "additionalProperties": False,
            },
            **_work_defs(settings),
            "cueItem": _cue_item(rep_cue=False),
            "repCueItem": _cue_item(rep_cue=True),
            "sessionCueItem": {
                "type": "object",
                "description": "A cue item in intro/outro: conditions don't apply there.",
                "properties": {"text": session_item},
                "required": ["text"],
                "additionalProperties": False,
            },
        },
    }
