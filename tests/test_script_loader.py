"""Loading cue scripts: resolving names, building the model, `extends`."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from coach.base import resources
from coach.base.errors import CoachError
from coach.script import templates
from coach.script.loader import (
    ScriptError,
    bundled_scripts,
    check_script,
    load_workout,
    resolve_script,
)
from coach.script.model import DEFAULT_TEMPO, CueItem
from coach.script.problems import Problem

DOC_EXAMPLE = """\
workout: Single-leg hip thrust
description: Glute strength, one leg at a time.
intro: "Today: {workout}. Say help at any time."
outro: "That's the workout. Great job."
defaults:
  tempo: {setup: manual, brace: 2, drive: 1, hold: 1, lower: 2}
  rest: 60
  countdown: 3
exercises:
  - name: Single-leg hip thrust
    sides: [left, right]
    sets: 3
    reps: 8
    rest: 60
    tempo: {hold: 2}
    countdown: 3
    cues:
      before_set: "Set {set} of {sets}, {side} leg."
      form: ["Drive through the heel.", "Eyes follow your chest."]
      setup: "Shoulders on the bench, one foot flat."
      brace: ["Brace.", "Ribs down."]
      drive: ["Drive!", "Heel!"]
      hold: "Squeeze."
      lower: "Down slow."
      halfway: "Halfway."
      last_rep:
        - text: "Last one on the {side}."
          sides: [left]
        - "Last one."
      final_set: "Final set."
      rest: "Rest {rest} seconds. Next up: {next}."
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundled-scripts folder of our own (the real one belongs to the scripts)."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    monkeypatch.setattr(resources, "scripts_dir", lambda: folder)
    return folder


# -- building the model -------------------------------------------------------


def test_the_documented_example_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "example.yaml", DOC_EXAMPLE)
    assert check_script(path) == []
    workout = load_workout(str(path))
    assert workout.name == "Single-leg hip thrust"
    assert workout.source == str(path)
    assert workout.intro == (CueItem("Today: {workout}. Say help at any time."),)
    (exercise,) = workout.exercises
    assert exercise.sides == ("left", "right")
    assert (exercise.sets, exercise.reps, exercise.rest, exercise.countdown) == (3, 8, 60.0, 3)
    assert isinstance(exercise.rest, float)
    assert exercise.tempo == {"setup": None, "brace": 2.0, "drive": 1.0, "hold": 2.0, "lower": 2.0}
    assert exercise.cues["drive"] == (CueItem("Drive!"), CueItem("Heel!"))
    assert exercise.cues["last_rep"] == (
        CueItem("Last one on the {side}.", sides=("left",)),
        CueItem("Last one."),
    )
    assert workout.planned_reps == 3 * 8 * 2


def test_cue_items_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "items.yaml",
        """\
        workout: Items
        exercises:
          - name: Split squat
            sides: [left, right]
            sets: 4
            reps: 10
            cues:
              drive:
                - "Up."
                - {text: "First!", reps: first}
                - {text: "Ends", reps: [first, last, 5]}
                - {text: "Third", every: 3}
                - {text: "Left, set two", sides: left, sets: 2}
                - {text: "Both", sides: [left, right], sets: [1, last]}
              rest: []
        """,
    )
    (exercise,) = load_workout(str(path)).exercises
    assert exercise.cues["drive"] == (
        CueItem("Up."),
        CueItem("First!", reps=("first",)),
        CueItem("Ends", reps=("first", "last", 5)),
        CueItem("Third", every=3),
        CueItem("Left, set two", sides=("left",), sets=(2,)),
        CueItem("Both", sides=("left", "right"), sets=(1, "last")),
    )
    assert [item.conditional for item in exercise.cues["drive"]] == [False] + [True] * 5
    # An empty list says nothing, so the key is left out.
    assert "rest" not in exercise.cues


def test_defaults_are_inherited_key_by_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "defaults.yaml",
        """\
        workout: Defaults
        defaults:
          sets: 2
          rest: 45.5
          countdown: 0
          sides: [left, right]
          tempo: {setup: 3, hold: manual}
          cues: {drive: "Drive!", setup: "Set up, {side}."}
        exercises:
          - name: Lunge
            tempo: {hold: 1.5}
            cues: {setup: "Step back."}
          - name: Squat
            sides: []
            rest: 0
            cues: {setup: "Feet wide."}
        """,
    )
    lunge, squat = load_workout(str(path)).exercises
    assert (lunge.sets, lunge.reps, lunge.rest, lunge.countdown) == (2, 8, 45.5, 0)
    assert lunge.sides == ("left", "right")
    assert lunge.tempo == {**DEFAULT_TEMPO, "setup": 3.0, "hold": 1.5}
    assert lunge.cues == {"drive": (CueItem("Drive!"),), "setup": (CueItem("Step back."),)}
    assert squat.bilateral and squat.rest == 0.0
    assert squat.tempo == {**DEFAULT_TEMPO, "setup": 3.0, "hold": None}


def test_built_in_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "min.yaml", "workout: Minimal\nexercises: [{name: Plank}]\n")
    workout = load_workout(str(path))
    (plank,) = workout.exercises
    assert (plank.sets, plank.reps, plank.rest, plank.countdown) == (3, 8, 60.0, 3)
    assert plank.tempo == DEFAULT_TEMPO and plank.cues == {} and plank.sides == ()
    assert workout.intro == () and workout.description == ""


def test_yaml_merge_keys_work_and_keep_positions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "merge.yaml",
        """\
        workout: Anchors
        exercises:
          - &base
            name: Squat
            reps: 5
            cues: {drive: "Up {rpe}"}
          - <<: *base
            name: Front squat
        """,
    )
    assert [str(p) for p in check_script(path)] == [
        f"{path}:6:19: unknown variable {{rpe}} in cue text; did you mean {{rep}}?"
    ]


def test_script_error_summarises_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "workout: Bad\nexercises:\n  - name: A\n    sets: 0\n")
    path_two = write(tmp_path, "worse.yaml", "workout: 1\nexercises: []\nfoo: 2\n")
    with pytest.raises(ScriptError) as one:
        load_workout(str(path))
    assert str(one.value) == f"{path}:4:11: sets: expected a whole number ≥ 1, got 0"
    with pytest.raises(ScriptError) as three:
        load_workout(str(path_two))
    assert len(three.value.problems) == 3
    assert str(three.value).endswith(" (and 2 more)")
    assert isinstance(three.value, CoachError)


def test_problem_formats_and_sorts() -> None:
    late = Problem("a.yaml", 10, 1, "z")
    early = Problem("a.yaml", 2, 5, "y")
    assert str(early) == "a.yaml:2:5: y"
    assert sorted([late, early]) == [early, late]


def test_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"workout: Caf\xe9\n")
    assert [str(p) for p in check_script(path)] == [f"{path}:1:13: the file is not UTF-8 text"]


# -- finding scripts ---------------------------------------------------------


def test_resolve_a_path_and_bundled_names(tmp_path: Path, bundled: Path) -> None:
    own = write(tmp_path, "mine.yaml", DOC_EXAMPLE)
    shipped = write(bundled, "hip-thrust.yaml", DOC_EXAMPLE)
    assert resolve_script(str(own)) == own
    assert resolve_script("mine.yaml", relative_to=tmp_path) == own
    assert resolve_script("hip-thrust") == shipped
    assert resolve_script("hip-thrust.yaml") == shipped
    assert bundled_scripts() == [shipped]
    assert load_workout("hip-thrust").source == str(shipped)


def test_resolve_errors(tmp_path: Path, bundled: Path) -> None:
    write(bundled, "hip-thrust.yaml", DOC_EXAMPLE)
    with pytest.raises(CoachError, match="no cue script named 'hip-thrusts': not a file, and "
                       r"not a bundled script \(coach list shows them\); did you mean "
                       "'hip-thrust'"):  # fmt: skip
        resolve_script("hip-thrusts")
    with pytest.raises(CoachError, match="is a directory"):
        resolve_script(str(tmp_path))
    with pytest.raises(CoachError, match="empty"):
        resolve_script("")
    with pytest.raises(CoachError, match="no cue script named"):
        load_workout(str(tmp_path / "missing.yaml"))
    with pytest.raises(CoachError, match="no such file"):
        check_script(tmp_path / "missing.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.yaml", DOC_EXAMPLE)
    path.chmod(0)
    try:
        with pytest.raises(CoachError, match="cannot read"):
            resolve_script(str(path))
        with pytest.raises(CoachError, match="cannot read"):
            check_script(path)
    finally:
        path.chmod(0o644)


def test_no_bundled_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "scripts_dir", lambda: tmp_path / "absent")
    assert bundled_scripts() == []


# -- extends -----------------------------------------------------------------

PARENT = """\
workout: Hip thrust
defaults:
  tempo: {hold: 1}
  cues: {rest: "Rest {rest}."}
exercises:
  - name: Single-leg hip thrust
    sides: [left, right]
    reps: 8
    tempo: {lower: 3}
    cues: {drive: ["Drive!", "Heel!"]}
  - name: Glute bridge
    reps: 12
"""


def test_child_overrides_and_appends(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", PARENT)
    child = write(
        tmp_path,
        "child.yaml",
        """\
        workout: Hip thrust, heavy day
        extends: parent.yaml
        defaults: {rest: 90}
        exercises:
          - name: Single-leg hip thrust
            reps: 5
            tempo: {hold: 3}
            cues: {drive: "Drive hard!"}
          - name: Plank
            sets: 1
        """,
    )
    assert check_script(child) == []
    workout = load_workout(str(child))
    assert workout.name == "Hip thrust, heavy day"
    assert workout.source == str(child)
    thrust, bridge, plank = workout.exercises
    assert (thrust.name, thrust.reps, thrust.sides) == (
        "Single-leg hip thrust",
        5,
        ("left", "right"),
    )
    assert thrust.tempo["hold"] == 3.0 and thrust.tempo["lower"] == 3.0
    assert thrust.cues["drive"] == (CueItem("Drive hard!"),)
    assert thrust.rest == 90.0 and thrust.cues["rest"] == (CueItem("Rest {rest}."),)
    assert (bridge.name, bridge.reps, bridge.rest, bridge.tempo["hold"]) == (
        "Glute bridge", 12, 90.0, 1.0,
    )  # fmt: skip
    assert (plank.name, plank.sets) == ("Plank", 1)


def test_extends_chain_and_bundled_parent(tmp_path: Path, bundled: Path) -> None:
    write(bundled, "base.yaml", PARENT)
    write(tmp_path, "sub/middle.yaml", "workout: Middle\nextends: base\ndefaults: {sets: 5}\n")
    child = write(tmp_path, "top.yaml", "workout: Top\nextends: sub/middle.yaml\n")
    workout = load_workout(str(child))
    assert workout.name == "Top"
    assert [e.sets for e in workout.exercises] == [5, 5]


def test_cue_items_are_replaced_not_merged(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parent.yaml",
        """\
        workout: P
        exercises:
          - name: Squat
            cues: {last_rep: {text: "Last left", sides: left}}
            sides: [left, right]
        """,
    )
    child = write(
        tmp_path,
        "child.yaml",
        """\
        workout: C
        extends: parent.yaml
        exercises:
          - name: Squat
            cues: {last_rep: {text: "Last one"}}
        """,
    )
    (squat,) = load_workout(str(child)).exercises
    assert squat.cues["last_rep"] == (CueItem("Last one"),)


def test_problems_point_into_the_file_that_wrote_them(tmp_path: Path) -> None:
    parent = write(
        tmp_path,
        "parent.yaml",
        """\
        workout: Parent
        defaults:
          cues: {setup: "Set up, {side}."}
        exercises:
          - name: Squat
            sides: [left, right]
            sets: 3
          - name: Lunge
            reps: seven
        """,
    )
    child = write(
        tmp_path,
        "child.yaml",
        """\
        workout: Child
        extends: parent.yaml
        exercises:
          - name: Squat
            sides: []
            cues: {drive: {text: "Up", sets: 4}}
          - name: Lunge
            reps: 6
          - name: Squat
        """,
    )
    assert [str(p) for p in check_script(child)] == [
        f"{child}:6:38: set 4 is out of range: 'Squat' has 3 sets",
        f"{child}:9:11: duplicate exercise name 'Squat' (first used at line 4); "
        "names must be unique",
        f"{parent}:3:17: {{side}} only works in exercises with sides, and 'Squat' has none",
    ]
    # The parent on its own still has its own problem, in its own file.
    assert [str(p) for p in check_script(parent)] == [
        f"{parent}:3:17: {{side}} only works in exercises with sides, and 'Lunge' has none",
        f"{parent}:9:11: reps: expected a whole number ≥ 1, got 'seven'",
    ]


def test_parent_yaml_problems_are_reported_in_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", "workout: P\nworkout: Q\nexercises: [{name: A}]\n")
    child = write(tmp_path, "child.yaml", "workout: C\nextends: parent.yaml\n")
    assert [str(p) for p in check_script(child)] == [
        f"{parent}:2:1: duplicate key 'workout' (first at line 1)"
    ]


def test_extends_cycle(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "workout: One\nextends: two.yaml\nexercises: [{name: A}]\n")
    two = write(tmp_path, "two.yaml", "workout: Two\nextends: one.yaml\n")
    assert [str(p) for p in check_script(one)] == [
        f"{two}:2:10: extends: cycle one.yaml → two.yaml → one.yaml"
    ]
    with pytest.raises(ScriptError, match="cycle"):
        load_workout(str(two))
    itself = write(
        tmp_path, "self.yaml", "workout: Me\nextends: ./self.yaml\nexercises: [{name: A}]\n"
    )
    assert [str(p) for p in check_script(itself)] == [
        f"{itself}:2:10: extends: cycle self.yaml → self.yaml"
    ]


def test_extends_missing_or_broken_target(tmp_path: Path, bundled: Path) -> None:
    child = write(tmp_path, "child.yaml", "workout: C\nextends: nowhere\nexercises: [{name: A}]\n")
    (problem,) = check_script(child)
    assert (problem.file, problem.line, problem.column) == (str(child), 2, 10)
    assert "no cue script named 'nowhere'" in problem.message

    write(tmp_path, "list.yaml", "- just\n- a list\n")
    child = write(
        tmp_path, "child2.yaml", "workout: C\nextends: list.yaml\nexercises: [{name: A}]\n"
    )
    (problem,) = check_script(child)
    assert (problem.line, problem.column) == (2, 10)
    assert "is not a cue script" in problem.message

    broken = write(tmp_path, "broken.yaml", "workout: [\n")
    child = write(
        tmp_path, "child3.yaml", "workout: C\nextends: broken.yaml\nexercises: [{name: A}]\n"
    )
    (problem,) = check_script(child)
    assert problem.file == str(broken) and "YAML syntax error" in problem.message


def test_exercises_may_come_only_from_the_parent(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "workout: C\nextends: parent.yaml\n")
    assert [e.name for e in load_workout(str(child)).exercises] == [
        "Single-leg hip thrust",
        "Glute bridge",
    ]


# -- templates ---------------------------------------------------------------


def test_template_fields_and_render() -> None:
    assert templates.fields("Set {set} of {sets}, {{literal}} {side}") == ["set", "sets", "side"]
    assert templates.render("Set {set} of {sets} {{x}}", {"set": 1, "sets": 3}) == "Set 1 of 3 {x}"
    assert templates.render("No fields", {}) == "No fields"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{0}", "numbered fields"),
        ("{a.b}", "attributes and indexes"),
        ("{a[0]}", "attributes and indexes"),
        ("{rep!r}", "conversions"),
        ("{rep:>3}", "format specs"),
        ("{}", "empty braces"),
        ("oops }", "single '}'"),
        ("oops {", "unclosed '{'"),
        ("oops {rep", "unclosed '{'"),
    ],
)
def test_template_errors(text: str, message: str) -> None:
    with pytest.raises(templates.TemplateError, match=message):
        templates.fields(text)
    with pytest.raises(templates.TemplateError, match=message):
        templates.render(text, {"rep": 1, "a": 1})


def test_render_missing_variable() -> None:
    with pytest.raises(templates.TemplateError, match=r"no value for \{rep\}"):
        templates.render("Rep {rep}", {})
