"""The command line as a user meets it: bundled scripts, timelines, bad input."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from cli import REPO, coach, json_lines

from coach.history.store import History
from coach.plan import expand
from coach.script.loader import bundled_scripts, load_workout
from coach.script.model import Exercise

BUNDLED = sorted(p.stem for p in (REPO / "scripts").glob("*.yaml"))


def test_bundled_scripts_validate(tmp_path: Path) -> None:
    files = [str(p) for p in sorted((REPO / "scripts").glob("*.yaml"))]
    assert len(files) >= 4
    result = coach("validate", *files, home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"{len(files)} scripts OK\n"


def test_validate_reports_every_problem_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "workout: Broken\n"
        "exercises:\n"
        "  - name: Thrust\n"
        "    sets: three\n"
        "    tempo: {drive: 0}\n"
        "    cues:\n"
        "      drive: 'Rep {rpe}'\n"
    )
    result = coach("validate", str(broken), home=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{broken}:4:")
    assert lines[1].startswith(f"{broken}:5:")
    assert lines[2].startswith(f"{broken}:7:") and "{rpe}" in lines[2]


@pytest.mark.parametrize("name", BUNDLED)
def test_simulated_timeline_matches_the_script(name: str, tmp_path: Path) -> None:
    result = coach("run", name, "--simulate", "--json", home=tmp_path, check=True)
    events = json_lines(result.stdout)
    workout = load_workout(name)
    phases = [e for e in events if e["event"] == "phase"]

    expected_phases = sum(_phases(ex) for ex in workout.exercises)
    assert len(phases) == expected_phases
    for ex in workout.exercises:
        mine = [e for e in phases if e["exercise"] == ex.name]
        sides = {e["side"] for e in mine}
        assert sides == (set(ex.sides) if ex.sides else {None})
        # every timed phase lasts at least its tempo (longer only while a cue is spoken)
        for this, following in pairwise(mine):
            tempo = ex.tempo[this["phase"]]
            if tempo is not None and this["rep"] is not None:
                assert following["t"] - this["t"] >= tempo - 0.002

    rests = [e for e in events if e["event"] == "rest"]
    expected_rests = [
        ex.rest
        for i, ex in enumerate(workout.exercises)
        for s in range(1, ex.sets + 1)
        if ex.rest > 0 and not (i == len(workout.exercises) - 1 and s == ex.sets)
    ]
    circuit = workout.exercises[-1].circuit
    if circuit is not None:  # the bundled circuit ends its script: rests between rounds only
        expected_rests = [circuit.rest] * (circuit.rounds - 1)
    assert [r["seconds"] for r in rests] == expected_rests

    says = [e for e in events if e["event"] == "say"]
    assert says and all("{" not in e["text"] and "}" not in e["text"] for e in says)
    for a, b in pairwise(says):
        assert b["t"] >= a["t"] + a["duration"] - 0.002
    done = events[-1]
    assert done["event"] == "done"
    assert done["completed_reps"] == done["planned_reps"] == workout.planned_reps
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)


def _phases(ex: Exercise) -> int:
    """Phase events of an exercise: setup and four per rep; a hold or a block of
    intervals has its setup only (the work has events of its own)."""
    per_set = max(1, len(ex.sides))
    if ex.kind == "reps":
        return ex.sets * per_set * (1 + 4 * ex.reps)
    return ex.sets * per_set if ex.kind == "timed" else 1


def _first(events: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(e for e in events if all(e.get(k) == v for k, v in match.items()))


def test_injected_commands_change_the_timeline(tmp_path: Path) -> None:
    plain = json_lines(coach("run", "hip-thrust", "--simulate", "--json", home=tmp_path,
                             check=True).stdout)
    ready = _first(plain, event="phase", phase="brace")["t"]
    shifted = json_lines(
        coach(
            "run", "hip-thrust", "--simulate", "--json", "--auto-next", "off",
            "--commands", "10:next,14:pause,44:resume,200:stop",
            home=tmp_path, check=True,
        ).stdout
    )
    brace = _first(shifted, event="phase", phase="brace")
    assert brace["t"] >= 10.0  # setup is manual: it waited for "next"
    assert ready != brace["t"]
    commands = [(e["t"], e["command"]) for e in shifted if e["event"] == "command"]
    assert commands == [(10.0, "next"), (14.0, "pause"), (44.0, "resume"), (200.0, "stop")]
    assert shifted[-1]["event"] == "done"
    assert 0 < shifted[-1]["completed_reps"] < shifted[-1]["planned_reps"]


def test_readable_timeline_without_json(tmp_path: Path) -> None:
    result = coach("run", "demo", "--simulate", home=tmp_path, check=True)
    assert "▶ " in result.stdout and "“" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].split("■ ")[1].startswith("completed")


def test_simulated_manual_phase_without_next_is_explained(tmp_path: Path) -> None:
    result = coach("run", "hip-thrust", "--simulate", "--auto-next", "off", home=tmp_path)
    assert result.returncode == 2
    assert "waits at the setup" in result.stderr and "--commands" in result.stderr
    assert "Traceback" not in result.stderr


BAD_INPUT = {
    "missing file": (["run", "no/such/file.yaml", "--simulate"], "no/such/file.yaml"),
    "unknown bundled name": (["run", "hip-trust", "--simulate"], "hip-trust"),
    "malformed commands": (["run", "demo", "--simulate", "--commands", "abc"], "--commands"),
    "unknown command": (["run", "demo", "--simulate", "--commands", "3:jump"], "jump"),
    "speed without no-audio": (["run", "demo", "--speed", "5"], "--no-audio"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    args, mentioned = BAD_INPUT[case]
    result = coach(*args, home=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and mentioned in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "history.sqlite3").exists()


@pytest.mark.parametrize(
    "content",
    ["workout: [unclosed\n", "workout: X\nexercises: []\n", "\x00\x01binary", "- just a list\n"],
)
def test_broken_scripts_are_refused_before_anything_is_saved(content: str, tmp_path: Path) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text(content)
    result = coach("run", str(script), "--no-audio", "--speed", "50", home=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(script) in result.stderr and "Traceback" not in result.stderr
    if (tmp_path / "history.sqlite3").exists():
        with History.open(tmp_path / "history.sqlite3") as history:
            assert history.sessions() == []


def test_schema_list_and_empty_history(tmp_path: Path) -> None:
    schema = json.loads(coach("schema", home=tmp_path, check=True).stdout)
    assert schema["type"] == "object" and "exercises" in schema["properties"]
    listing = coach("list", home=tmp_path, check=True).stdout
    for path in bundled_scripts():
        assert path.stem in listing
    assert json.loads(coach("history", "--json", home=tmp_path, check=True).stdout) == []


def test_help_teaches(tmp_path: Path) -> None:
    result = coach("run", "--help", home=tmp_path, check=True)
    assert "--simulate" in result.stdout and "examples:" in result.stdout
    assert coach(home=tmp_path).returncode == 2  # no command: usage


def test_plan_texts_cover_everything_the_simulation_says() -> None:
    plan = expand(load_workout("hip-thrust"))
    assert len(plan.texts()) > 10
