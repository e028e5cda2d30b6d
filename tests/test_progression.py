"""Progression rules (issue 22): the rule itself, the script key and its problems, and
sessions over a real SQLite history whose targets climb 8 → 12 reps, then add load."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import weeks
from cli import coach

from coach.app.launch import launch, start_recorded
from coach.app.options import RunOptions
from coach.config import Settings, load_settings
from coach.history.earlier import todays_targets
from coach.history.store import History
from coach.plan import Plan, expand
from coach.plan.progression import DoneSet, LastSession, Target, target, targets, with_targets
from coach.script.loader import load_workout
from coach.script.model import Progression
from coach.session.catalog import session_texts
from coach.session.phrases import Phrases
from coach.session.speech import EstimatedSpeech
from coach.words.log_values import LoggedValue

DOUBLE = Progression(add_reps=1, up_to=12, add_load=2.5)
LINEAR = Progression(add_load=2.5)


def _last(
    planned_reps: int, *reps: int, load: float | None = 60.0, unit: str = "kg"
) -> LastSession:
    """A last session of len(reps) planned sets, each doing these reps."""
    weight = None if load is None else LoggedValue("load", load, unit)
    return LastSession(len(reps), planned_reps, tuple(DoneSet(r) for r in reps), weight)


# -- the rule ------------------------------------------------------------------------------


def test_a_session_that_reached_the_target_adds_a_rep() -> None:
    assert target(DOUBLE, 8, _last(8, 8, 8, 8), "kg") == Target(9, 60.0, "kg")
    assert target(DOUBLE, 8, _last(10, 10, 10, 10), "kg") == Target(11, 60.0, "kg")


def test_a_missed_set_sets_the_same_target_again() -> None:
    assert target(DOUBLE, 8, _last(9, 9, 9, 7), "kg") == Target(9, 60.0, "kg")
    # A logged rep count wins over the reps the coach counted (a set that failed).
    failed = LastSession(3, 9, (DoneSet(9), DoneSet(9), DoneSet(9, logged_reps=6)))
    assert target(DOUBLE, 8, failed, "kg").reps == 9
    # A set not done at all (the session stopped) misses too.
    stopped = LastSession(3, 9, (DoneSet(9), DoneSet(9)), LoggedValue("load", 60.0, "kg"))
    assert target(DOUBLE, 8, stopped, "kg") == Target(9, 60.0, "kg")
    assert target(LINEAR, 5, _last(5, 5, 4, 5), "kg") == Target(5, 60.0, "kg")


def test_the_top_of_the_range_adds_load_and_goes_back_to_the_scripts_reps() -> None:
    assert target(DOUBLE, 8, _last(12, 12, 12, 12), "kg") == Target(8, 62.5, "kg")
    # A bigger step never passes up_to: the top is reached first.
    two = Progression(add_reps=2, up_to=12, add_load=5.0)
    assert target(two, 8, _last(11, 11, 11), "kg").reps == 12
    # Reps alone stay at the top.
    reps_only = Progression(add_reps=1, up_to=12)
    assert target(reps_only, 8, _last(12, 12, 12, load=None), "kg") == Target(12, None, "kg")
    # No load known to add to: the reps hold at the top rather than fall back.
    assert target(DOUBLE, 8, _last(12, 12, 12, load=None), "kg") == Target(12, None, "kg")


def test_a_linear_rule_adds_load_each_session_that_reached_it() -> None:
    assert target(LINEAR, 5, _last(5, 5, 5, 5, load=100.0), "kg") == Target(5, 102.5, "kg")


def test_no_history_is_the_scripts_reps_and_the_start_load() -> None:
    assert target(DOUBLE, 8, None, "kg") == Target(8, None, "kg")
    start = Progression(add_reps=1, up_to=12, add_load=2.5, start_load=40.0)
    assert target(start, 8, None, "kg") == Target(8, 40.0, "kg")
    assert target(start, 8, None, "kg").spoken() == "eight at forty kilos"
    assert Target(8).spoken() == "eight reps"
    # A session that logged no load goes on from the start load.
    assert target(start, 8, _last(8, 8, 8, load=None), "kg") == Target(9, 40.0, "kg")


def test_loads_in_pounds() -> None:
    rule = Progression(add_load=5.0)
    pounds = target(rule, 5, _last(5, 5, 5, load=135.0, unit="lb"), "lb")
    assert pounds == Target(5, 140.0, "lb")
    assert pounds.spoken() == "five at one hundred and forty pounds"
    # Logged in the other unit: converted, to the half the coach can say.
    assert target(rule, 5, _last(5, 5, 4, load=60.0, unit="kg"), "lb").load == 132.5
    assert target(LINEAR, 5, _last(5, 5, 4, load=135.0, unit="lb"), "kg").load == 61.0


def test_the_reps_stay_in_the_scripts_range_after_the_script_changed() -> None:
    assert target(DOUBLE, 10, _last(9, 9, 9), "kg").reps == 11  # reps raised to 10
    assert target(DOUBLE, 8, _last(14, 14, 14), "kg") == Target(8, 62.5, "kg")  # up_to lowered


# -- the script key ----------------------------------------------------------------------

SCRIPT = """\
workout: Progress
defaults:
  countdown: 0
  rest: 5
  tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
exercises:
  - name: Bench press
    sets: 3
    reps: 8
    log: [load, reps]
    progression:
      add_reps: 1
      up_to: 12
      add_load: 2.5
      start_load: 60
  - name: Plank
    seconds: 5
    sets: 1
"""


def test_the_rule_is_read_and_a_script_without_one_expands_as_before(tmp_path: Path) -> None:
    script = tmp_path / "progress.yaml"
    script.write_text(SCRIPT)
    workout = load_workout(str(script))
    assert workout.exercises[0].progression == Progression(1, 12, 2.5, 60.0)
    assert workout.exercises[1].progression is None
    today = targets(workout, {}, "kg")
    assert today == {0: Target(8, 60.0, "kg")}
    assert expand(with_targets(workout, today)) == expand(workout)
    plain = load_workout("demo")
    assert with_targets(plain, targets(plain, {}, "kg")) is plain


def test_a_rule_in_defaults_is_inherited_and_passes_over_holds(tmp_path: Path) -> None:
    script = tmp_path / "linear.yaml"
    script.write_text(
        "workout: W\ndefaults:\n  log: [load]\n  progression: {add_load: 2.5}\n"
        "exercises:\n  - name: Squat\n    reps: 5\n  - name: Plank\n    seconds: 30\n"
    )
    squat, plank = load_workout(str(script)).exercises
    assert squat.progression == Progression(add_load=2.5)
    assert plank.progression is None


BAD_RULES = [
    (
        "    log: [rpe]\n    progression: {add_load: 2.5}\n",
        "6:18: progression: add_load needs the load logged, and 'Bench' logs rpe; add load to "
        "its log (e.g. log: [load, rpe])",
    ),
    (
        "    log: [load]\n    progression: {add_reps: 1, up_to: 6, add_load: 2.5}\n",
        "6:39: progression: up_to 6 is below the 8 reps of 'Bench', where the reps climb from; "
        "make it at least 8",
    ),
    (
        "    log: [load]\n    progression: {add_load: -2.5}\n",
        "6:29: add_load: expected a load from 0.5 to 50 in halves (in log.unit, kg or lb), "
        "got -2.5",
    ),
    (
        "    progression: {add_reps: 0, up_to: 12}\n",
        "5:29: add_reps: expected a whole number ≥ 1, got 0",
    ),
    (
        "    progression: {add_reps: 1}\n",
        "5:29: progression: add_reps needs up_to, the most reps to climb to "
        "(e.g. add_reps: 1, up_to: 12)",
    ),
    (
        "    log: [load]\n    progression: {add_rep: 1, up_to: 12}\n",
        "6:19: unknown key 'add_rep' in progression; did you mean 'add_reps'?",
    ),
    (
        "    progression: {}\n",
        "5:18: progression: nothing to add; write e.g. {add_reps: 1, up_to: 12, add_load: 2.5} "
        "or {add_load: 2.5}",
    ),
    (
        "    seconds: 30\n    progression: {add_reps: 1, up_to: 12}\n",
        "6:5: progression: 'Bench' is a timed hold; a progression is for sets of reps, so take "
        "it off here",
    ),
]


@pytest.mark.parametrize(
    ("lines", "problem"), BAD_RULES, ids=[p[1].split(": ", 1)[1][:30] for p in BAD_RULES]
)
def test_a_rule_that_cant_work_is_one_clear_line(tmp_path: Path, lines: str, problem: str) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("workout: W\nexercises:\n  - name: Bench\n    sets: 3\n" + lines)
    result = coach("validate", str(script), home=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{script}:{problem}"]


def test_running_a_bad_rule_is_a_usage_error(tmp_path: Path) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("workout: W\nexercises:\n  - name: Bench\n    progression: {add_load: 2.5}\n")
    result = coach("run", str(script), "--simulate", home=tmp_path)
    assert result.returncode == 2
    assert "progression: add_load needs the load logged, and 'Bench' logs nothing" in result.stderr


# -- sessions over a real history ----------------------------------------------------------


def _settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, user_config=tmp_path / "no-config.yaml")


def _run(history: History, script: Path, settings: Settings) -> tuple[Plan, int, list[str]]:
    """One session of the script as `coach run` starts it, every rep done: its plan, its
    id and what the coach said."""
    workout = load_workout(str(script))
    plan, record = start_recorded(history, "progress", str(script), workout, settings, False)
    out = io.StringIO()
    options = RunOptions(simulate=True, json=True, auto_next=1.0)
    launch(plan, options, settings=settings, speech=EstimatedSpeech(), record=record, out=out)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return plan, record.session_id, [e["text"] for e in events if e["event"] == "say"]


def _log(history: History, session_id: int, load: float, reps: dict[int, int]) -> None:
    """What the athlete said in the rests: the load of every set, the reps of a short one."""
    for number in (1, 2, 3):
        key = f"0/-/{number}"
        history.record_value(session_id, key, "Bench press", None, number, "load", load, "kg")
        if number in reps:
            history.record_value(
                session_id, key, "Bench press", None, number, "reps", reps[number], None
            )


def test_the_target_climbs_to_twelve_then_adds_load_over_a_real_history(tmp_path: Path) -> None:
    script = tmp_path / "progress.yaml"
    script.write_text(SCRIPT)
    settings = _settings(tmp_path)
    # (today's target as said, the load logged, reps logged for a set that fell short)
    sessions = [
        ("eight at sixty kilos", 60.0, {}),
        ("nine at sixty kilos", 60.0, {}),
        ("ten at sixty kilos", 60.0, {3: 8}),  # missed: the third set got 8
        ("ten at sixty kilos", 60.0, {}),
        ("eleven at sixty kilos", 60.0, {}),
        ("twelve at sixty kilos", 60.0, {}),
        ("eight at sixty two and a half kilos", 62.5, {}),
        ("nine at sixty two and a half kilos", 62.5, {}),
    ]
    reps_of = {"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
    with History.open(tmp_path / "history.sqlite") as history:
        for number, (today, load, short) in enumerate(sessions):
            plan, session_id, said = _run(history, script, settings)
            reps = reps_of[today.split()[0]]
            # The coach counts today's reps, every set, and the history plans them.
            bench = [s for s in plan.steps if s.exercise == "Bench press" and s.rep is not None]
            assert {s.reps for s in bench} == {reps}
            assert max(s.rep or 0 for s in bench) == reps
            assert plan.planned_reps == 3 * reps
            assert (history.get(session_id) or pytest.fail()).planned_reps == 3 * reps
            assert said.count(f"Today: {today}.") == 1  # before the first set only
            if number:  # what was logged last time, then today's target
                assert said[said.index(f"Today: {today}.") - 1].startswith("Last time: ")
            if number == 1:
                at = said.index("Last time: eight at sixty kilos.")
                assert said[at + 1] == "Today: nine at sixty kilos."
            _log(history, session_id, load, short)
        sets = history.sets(session_id)
        assert [s.reps for s in sets if s.exercise == "Bench press"] == [9, 9, 9]


def test_a_resumed_session_keeps_the_targets_it_began_with(tmp_path: Path) -> None:
    script = tmp_path / "progress.yaml"
    script.write_text(SCRIPT)
    run = ("run", str(script), "--no-audio", "--speed", "50", "--json")
    coach(*run, home=tmp_path, check=True)
    stopped = coach(*run, "--commands", "8:stop", home=tmp_path, check=True)
    assert '"text": "Today: nine at sixty kilos."' in stopped.stdout
    resumed = coach("resume", "--no-audio", "--speed", "50", "--json", home=tmp_path, check=True)
    assert "Resuming session 2" in resumed.stderr
    reps = [json.loads(line) for line in resumed.stdout.splitlines() if line.startswith("{")]
    assert max(e["rep"] or 0 for e in reps if e["event"] == "phase") == 9


def test_the_lines_before_the_first_set_are_rendered_ahead_in_order() -> None:
    workout = load_workout("demo")
    plan = expand(workout)
    texts = session_texts(plan, Phrases(), {0: "eight at sixty kilos"}, {0: "nine reps"})
    first_cue = next(c for s in plan.steps for c in s.cues)
    at = texts.index("Last time: eight at sixty kilos.")
    assert texts[at + 1] == "Today: nine reps."
    assert texts.index(first_cue) == at + 2


def test_practice_runs_and_sessions_without_a_saved_plan(tmp_path: Path) -> None:
    """weeks.build: eight real sessions of bench press 3×8 (no saved shapes: planned from
    what the coach counted), the last at 77.5 kg, then a practice run at a silly 500."""
    db = tmp_path / "history.sqlite"
    weeks.build(db)
    script = tmp_path / "bench.yaml"
    script.write_text(
        "workout: Bench day\nexercises:\n  - name: Bench press\n    log: [load, rpe]\n"
        "    progression: {add_reps: 1, up_to: 12, add_load: 2.5}\n"
    )
    workout = load_workout(str(script))
    with History.open(db) as history:
        assert todays_targets(history, workout, "kg") == {0: Target(9, 77.5, "kg")}


def test_a_one_sided_exercise_progresses_when_both_sides_reached_it(tmp_path: Path) -> None:
    script = tmp_path / "split-squat.yaml"
    script.write_text(
        "workout: Split squat\ndefaults:\n  countdown: 0\n  rest: 3\n"
        "  tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}\n"
        "exercises:\n  - name: Split squat\n    sides: [left, right]\n    sets: 2\n    reps: 3\n"
        "    progression: {add_reps: 1, up_to: 4}\n"
    )
    settings = _settings(tmp_path)
    with History.open(tmp_path / "history.sqlite") as history:
        said = [_run(history, script, settings)[2] for _ in range(3)]
        assert [next(text for text in texts if text.startswith("Today")) for texts in said] == [
            "Today: three reps.",
            "Today: four reps.",
            "Today: four reps.",
        ]
        assert [[(d.side, d.reps) for d in s.sides] for s in history.sets(3)] == [
            [("left", 4), ("right", 4)], [("left", 4), ("right", 4)]
        ]


def test_a_target_never_passes_the_most_that_can_be_logged() -> None:
    near = Progression(add_load=2.5, start_load=299.0)
    assert target(near, 2, _last(2, 2, load=299.0), "kg") == Target(2, 300.0, "kg")
    assert target(near, 2, _last(2, 2, load=300.0), "kg") == Target(2, 300.0, "kg")
    # At the top of the reps with the load at the most: both stay, the reps don't fall back.
    assert target(DOUBLE, 8, _last(12, 12, 12, load=300.0), "kg") == Target(12, 300.0, "kg")
    # 300 kg said last time is more than 300 lb: today's target in pounds stops there.
    assert target(LINEAR, 5, _last(5, 5, load=250.0, unit="kg"), "lb") == Target(5, 300.0, "lb")


NEAR_THE_TOP = """\
workout: Heavy
exercises:
  - name: Deadlift
    sets: 1
    reps: 2
    log: [load]
    countdown: 0
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
    progression: {start_load: 299, add_load: 2.5}
"""


def test_a_load_near_the_top_is_never_set_past_what_can_be_logged(tmp_path: Path) -> None:
    script = tmp_path / "heavy.yaml"
    script.write_text(NEAR_THE_TOP)
    run = ("run", str(script), "--no-audio", "--speed", "50", "--json")
    # What is said before the set, setup 1 s, two reps of 4 s: the set is logged from 11-17 s
    # on, for 30 s.
    first = coach(*run, "--commands", "22:log 299,24:stop", home=tmp_path, check=True)
    assert '"text": "Today: two at two hundred and ninety nine kilos."' in first.stdout
    second = coach(*run, "--commands", "22:log 300,24:stop", home=tmp_path, check=True)
    assert '"text": "Today: two at three hundred kilos."' in second.stdout
    assert "three hundred and one" not in second.stdout
    logged = [json.loads(line) for line in second.stdout.splitlines() if '"logged"' in line]
    assert [(e["kind"], e["value"]) for e in logged] == [("load", 300.0)]
    third = coach(*run, "--commands", "3:stop", home=tmp_path, check=True)
    assert '"text": "Today: two at three hundred kilos."' in third.stdout
