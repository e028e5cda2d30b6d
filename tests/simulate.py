"""Helpers to run simulated sessions in tests and read their timelines."""

from __future__ import annotations

import io
import json
from typing import Any

from coach.app.launch import launch
from coach.app.options import RunOptions
from coach.plan import expand
from coach.script.model import CueItem, Exercise, Workout
from coach.session.scripted import parse_commands
from coach.session.speech import EstimatedSpeech

FAST_TEMPO = {"setup": 4.0, "brace": 2.0, "drive": 1.0, "hold": 1.0, "lower": 2.0}


def cues(**by_key: str | list[str]) -> dict[str, tuple[CueItem, ...]]:
    return {
        key: tuple(CueItem(t) for t in ([value] if isinstance(value, str) else value))
        for key, value in by_key.items()
    }


def exercise(name: str = "Bridge", **fields: Any) -> Exercise:
    fields.setdefault("tempo", dict(FAST_TEMPO))
    fields.setdefault("countdown", 0)
    return Exercise(name=name, **fields)


def simulate(
    workout: Workout, commands: str = "", auto_next: float | None = 3.0
) -> list[dict[str, Any]]:
    out = io.StringIO()
    options = RunOptions(
        simulate=True,
        json=True,
        commands=tuple(parse_commands(commands)),
        auto_next=auto_next,
    )
    launch(expand(workout), options, speech=EstimatedSpeech(), out=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == kind]


def phase_starts(events: list[dict[str, Any]], phase: str) -> list[float]:
    return [e["t"] for e in of(events, "phase") if e["phase"] == phase]
