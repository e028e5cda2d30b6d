"""Validation of cue scripts: the broken-script fixtures and the JSON Schema."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from coach.script.loader import check_script
from coach.script.schema import json_schema

HERE = Path(__file__).resolve().parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
SHIPPED = sorted((HERE.parent / "scripts").glob("*.yaml"))
_EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$")


def expectations(path: Path) -> list[tuple[int, int, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3]))
    return found


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_there_are_enough_broken_fixtures() -> None:
    assert len(BROKEN) >= 12
    assert any(len(expectations(path)) >= 5 for path in BROKEN)


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_script_reports_exactly_the_expected_problems(path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect: LINE:COL: message' lines"
    problems = check_script(path)
    unmatched = list(problems)
    for line, column, text in expected:
        match = next(
            (p for p in unmatched if (p.line, p.column) == (line, column) and text in p.message),
            None,
        )
        assert match is not None, f"expected {line}:{column}: {text!r}; got:\n" + "\n".join(
            map(str, problems)
        )
        unmatched.remove(match)
    assert not unmatched, "unexpected problems:\n" + "\n".join(map(str, unmatched))
    assert all(p.file == str(path) for p in problems)
    assert problems == sorted(problems)


# -- a few checks the fixtures don't show ----------------------------------------


def test_side_variables_are_fine_where_there_are_sides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ok.yaml",
        """\
        workout: Sides
        intro: "Welcome to {workout}. {{braces}} are fine."
        defaults:
          sides: [left, right]
          cues:
            before_set: "Set {set} of {sets}, {side} side, then {other_side}."
            drive: "{rep} of {reps}, {reps_left} left"
        exercises:
          - name: Lunge
          - name: Squat
            sides: [left, right]
            cues:
              rest: "Rest {rest}. Next: {next}. {exercise} done."
              last_rep: {text: "Last on the {side}", sides: right, sets: last, reps: last}
        """,
    )
    assert check_script(path) == []


def test_a_defaults_cue_is_reported_once_for_many_exercises(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "once.yaml",
        """\
        workout: Once
        defaults:
          cues: {drive: {text: "Rep nine, {side}", reps: 9}}
        exercises:
          - {name: A, reps: 5}
          - {name: B, reps: 6}
          - {name: C, reps: 10, sides: [left]}
        """,
    )
    messages = [(p.line, p.column, p.message) for p in check_script(path)]
    assert messages == [
        (3, 24, "{side} only works in exercises with sides, and 'A' has none"),
        (3, 50, "rep 9 is out of range: 'A' has 5 reps per set"),
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("rest: .inf", "rest: expected seconds ≥ 0"),
        ("rest: .nan", "rest: expected seconds ≥ 0"),
        ("sets: 5000", "sets: at most 1000, got 5000"),
        ("tempo: {hold: true}", "tempo hold: expected seconds > 0 or 'manual', got true"),
        ("tempo: {hold: Manual}", "got 'Manual'"),
        ("cues: {hold: {text: Hi, every: 20}}", "every: 20 is more than the 8 reps"),
        ("cues: {form: [[nested]]}", "not other lists"),
        ("cues: {form: {text: Hi, every: 2}}", "'every' only applies to rep cues"),
        ("cues: {hold: {text: Hi, reps: []}}", "reps: the list is empty"),
        ("cues: {rest: '{nxt}'}", "unknown variable {nxt} in cue text; did you mean {next}?"),
        ("cues: {rest: '{zzz}'}", "unknown variable {zzz} in cue text"),
        ("cues: [hold]", "cues: expected a mapping of cue key to cue, got a list"),
        ("description: 3", "description: expected text, got 3"),
        ("hold: 2", "it goes under 'cues:' (what to say) or 'tempo:' (seconds)"),
        ("lower: 2", "it goes under 'cues:' (what to say) or 'tempo:' (seconds)"),
        ("setup: 2", "it goes under 'cues:' (what to say) or 'tempo:' (seconds)"),
        ("rest_between: 2", "unknown key 'rest_between' in an exercise"),
    ],
)
def test_exercise_value_problems(tmp_path: Path, snippet: str, message: str) -> None:
    path = write(tmp_path, "one.yaml", f"workout: W\nexercises:\n  - name: Squat\n    {snippet}\n")
    problems = check_script(path)
    assert any(message in p.message for p in problems), "\n".join(map(str, problems))
    assert all(p.line == 4 for p in problems), "\n".join(map(str, problems))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workout: W\nexercises: {name: A}\n", "2:12: exercises: expected a list of exercises"),
        ("workout: W\n", "1:1: missing required key 'exercises'"),
        ("workout: W\nexercises: [3]\n", "2:13: each exercise must be a mapping"),
        ("workout: W\nexercises: [{name: [x]}]\n", "2:20: name: expected the exercise's name"),
        ("workout: W\nextends: [a]\nexercises: [{name: A}]\n", "2:10: extends: expected"),
        ("workout: W\ndefaults: 3\nexercises: [{name: A}]\n", "2:11: defaults: expected a map"),
        ("workout: W\nintro: {text: Hi, sets: 1}\nexercises: [{name: A}]\n", "2:19: 'sets' can't"),
        ("workout: ''\nexercises: [{name: A}]\n", "1:10: workout: expected the session's name"),
        ("workout: W\nexercises: [{name: A}]\n---\nworkout: X\n", "3:1: YAML syntax error"),
        ("workout: W\n1: x\nexercises: [{name: A}]\n", "2:1: keys must be text, got 1"),
        ("workout: !!python/name:os.system W\n", "1:10: cannot read this value"),
        ("workout: W\nwhen: 2020-13-45\n", "2:7: cannot read this value"),
        ("workout: W\x00\n", "1:11: character U+0000 is not allowed"),
        ("null\n", "1:1: the top level must be a mapping"),
    ],
)
def test_document_problems(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    shown = [f"{p.line}:{p.column}: {p.message}" for p in check_script(path)]
    assert any(s.startswith(message) for s in shown), shown


# -- the JSON Schema -------------------------------------------------------------

VALID_SCRIPTS = {
    "documented.yaml": """\
        workout: Single-leg hip thrust
        description: Glute strength, one leg at a time.
        intro: "Today: {workout}. Say help at any time."
        outro: ["That's the workout.", {text: "Great job."}]
        defaults:
          tempo: {setup: manual, brace: 2, drive: 1, hold: 1, lower: 2}
          rest: 60
          countdown: 3
        exercises:
          - name: Single-leg hip thrust
            sides: [left, right]
            sets: 3
            reps: 8
            rest: 0
            tempo: {hold: 2.5}
            countdown: 0
            cues:
              before_set: "Set {set} of {sets}, {side} leg."
              form: ["Drive through the heel.", "Eyes follow your chest."]
              drive: ["Drive!", {text: "Heel!", every: 2}, {text: "Go", reps: [first, 3]}]
              last_rep:
                - text: "Last one on the {side}."
                  sides: [left]
                - "Last one."
              final_set: {text: "Final set.", sides: right}
              rest: []
        """,
    "minimal.yaml": "workout: Plank\nexercises: [{name: Plank, sides: []}]\n",
    "extends.yaml": "workout: Heavy\nextends: minimal.yaml\n",
}


@pytest.fixture
def valid_scripts(tmp_path: Path) -> list[Path]:
    return [write(tmp_path, name, text) for name, text in VALID_SCRIPTS.items()]


def schema_errors(document: Any) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    return [error.message for error in validator.iter_errors(document)]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(json_schema(), "$")
    assert not missing


def test_valid_scripts_pass_the_validator_and_the_schema(valid_scripts: list[Path]) -> None:
    for path in [*valid_scripts, *SHIPPED]:
        assert check_script(path) == [], path
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert schema_errors(document) == [], path


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_script_is_valid(path: Path) -> None:
    assert check_script(path) == []
    assert schema_errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    ("where", "unknown"),
    [
        ((), "exercize"),
        (("defaults",), "rets"),
        (("exercises", 0), "rpes"),
        (("exercises", 0, "tempo"), "hodl"),
        (("exercises", 0, "cues"), "drvie"),
        (("exercises", 0, "cues", "drive"), "txt"),
        (("intro",), "sets"),
    ],
)
def test_schema_rejects_unknown_keys(where: tuple[str | int, ...], unknown: str) -> None:
    document: dict[str, Any] = {
        "workout": "W",
        "intro": {"text": "Hi"},
        "defaults": {},
        "exercises": [{"name": "A", "tempo": {}, "cues": {"drive": {"text": "Go"}}}],
    }
    assert schema_errors(document) == []
    node: Any = document
    for step in where:
        node = node[step]
    node[unknown] = 1
    assert schema_errors(document)


@pytest.mark.parametrize(
    "exercise",
    [
        {"name": "A", "tempo": {"hold": 0}},
        {"name": "A", "tempo": {"hold": -1}},
        {"name": "A", "tempo": {"setup": "later"}},
        {"name": "A", "sets": 0},
        {"name": "A", "sets": True},
        {"name": "A", "rest": -1},
        {"name": "A", "sides": ["left", "left"]},
        {"name": "A", "cues": {"before_set": {"text": "x", "reps": 1}}},
        {"sets": 3},
    ],
)
def test_schema_rejects_bad_values(exercise: dict[str, Any]) -> None:
    assert schema_errors({"workout": "W", "exercises": [exercise]})
