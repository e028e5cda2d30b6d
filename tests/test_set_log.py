"""Logging a set by voice in the rest after it: simulated sessions with scripted values
(timings to the tenth of a second), the script's `log:` key, typed values, and the
values in a real SQLite history through `coach run` and `coach history show`."""

from __future__ import annotations

import io
import json
import queue
from pathlib import Path

import pytest
from cli import coach
from simulate import exercise, of, simulate

from coach.app.keyboard import ValueTyping, start_keyboard, value_for_line
from coach.base.errors import CoachError
from coach.plan import expand
from coach.script.loader import load_workout
from coach.script.model import Workout
from coach.session.events import Command, Event, Say, Tick, ValueLogged
from coach.session.machine import Session
from coach.session.scripted import parse_commands
from coach.session.speech import EstimatedSpeech
from coach.words.log_values import LoggedValue


def _workout(**fields: object) -> Workout:
    fields.setdefault("sets", 2)
    fields.setdefault("reps", 1)
    fields.setdefault("rest", 30.0)
    return Workout("Log", (exercise("Squat", **fields),))


# Setup 4 s, one rep of 6 s: the rest after set 1 starts at 10 s.
REST_AT = 10.0


def _said(events: list[dict[str, object]]) -> list[tuple[float, object]]:
    return [(round(float(e["t"]), 1), e["text"]) for e in of(events, "say")]


def test_a_script_without_log_asks_nothing_and_keeps_its_timeline() -> None:
    plain = simulate(_workout())
    assert not of(plain, "logged")
    assert all("?" not in str(text) for _, text in _said(plain))
    # The same script asking for values, with nothing said, keeps every phase's time.
    logged = simulate(_workout(log=("load", "rpe")))
    assert [e for e in of(logged, "phase")] == [e for e in of(plain, "phase")]


def test_the_coach_asks_says_back_corrects_and_repeats_without_stretching_the_rest() -> None:
    quiet = simulate(_workout(log=("load", "rpe")))
    events = simulate(
        _workout(log=("load", "rpe")),
        "12:log 80,15:log 8,18:log 82.5 kg,21:repeat",
    )
    assert of(events, "rest")[0]["t"] == REST_AT
    said = _said(events)
    # One kind at a time: a bare number is of the kind asked for.
    assert said[said.index((REST_AT, "Load?")):][:4] == [
        (REST_AT, "Load?"), (12.0, "Eighty kilos."), (13.0, "RPE?"), (15.0, "RPE eight."),
    ]  # fmt: skip
    assert (18.0, "Eighty two and a half kilos.") in said
    assert (21.0, "Eighty two and a half kilos, RPE eight.") in said
    logged = [(e["t"], e["kind"], e["value"], e["unit"], e["set"]) for e in of(events, "logged")]
    assert logged == [
        (12.0, "load", 80.0, "kg", 1),
        (15.0, "rpe", 8.0, None, 1),
        (18.0, "load", 82.5, "kg", 1),
    ]
    assert of(events, "logged")[0] == {
        "t": 12.0, "event": "logged", "exercise": "Squat", "side": None, "set": 1,
        "kind": "load", "value": 80.0, "unit": "kg",
    }  # fmt: skip
    # Logging never stretches the rest: set 2 starts when it would have.
    assert of(events, "phase")[-1]["t"] == of(quiet, "phase")[-1]["t"]
    assert [e["t"] for e in of(events, "phase")] == [e["t"] for e in of(quiet, "phase")]


def test_skip_in_the_rest_skips_logging_the_set_not_the_exercise() -> None:
    events = simulate(_workout(log=("load",)), "12:skip,14:log 80")
    logged = of(events, "logged")
    assert [(e["t"], e["kind"], e["value"]) for e in logged] == [(12.0, "skip", None)]
    assert (12.0, "Not logged.") in _said(events)
    # The window is closed: a value after it is ignored; set 2 still happens.
    assert of(events, "command")[1] == {"t": 14.0, "event": "command", "command": "log",
                                        "ignored": True}  # fmt: skip
    assert [e["set"] for e in of(events, "phase") if e["phase"] == "setup"] == [1, 2]


def test_a_value_outside_the_rest_is_ignored() -> None:
    events = simulate(_workout(log=("load",)), "5:log 80")
    assert not of(events, "logged")
    assert of(events, "command")[0]["ignored"] is True


def test_the_last_set_gets_a_logging_moment_before_the_outro() -> None:
    events = simulate(_workout(log=("load",), sets=1), "12:log 60")
    rests = of(events, "rest")
    assert [(e["t"], e["seconds"]) for e in rests] == [(REST_AT, 30.0)]
    assert [(e["t"], e["value"]) for e in of(events, "logged")] == [(12.0, 60.0)]
    assert of(events, "done")[0]["t"] >= REST_AT + 30.0
    # Without log, the last set ends the workout at once, as it always has.
    plain = simulate(_workout(sets=1))
    assert not of(plain, "rest")


def test_a_load_said_in_pounds_keeps_its_unit() -> None:
    events = simulate(_workout(log=("load",)), "12:log 175 pounds")
    assert [(e["value"], e["unit"]) for e in of(events, "logged")] == [(175.0, "lb")]
    assert (12.0, "One hundred and seventy five pounds.") in _said(events)


def test_scripted_values_parse_and_bad_ones_say_so() -> None:
    [(at, command)] = parse_commands("40:log 80 kg")
    assert (at, command.name, command.value) == (40.0, "log", LoggedValue("load", 80.0, "kg"))
    with pytest.raises(CoachError, match="not a value to log"):
        parse_commands("40:log eighty bananas please")


def test_typed_values() -> None:
    typing = ValueTyping()
    assert typing.take("r") == (False, None)  # a command key, not a value
    for key in "82.5kg":
        assert typing.take(key) == (True, None)
    assert typing.take("\n") == (True, LoggedValue("load", 82.5, "kg"))
    for key in "8 rpe":
        typing.take(key)
    assert typing.take("\r") == (True, LoggedValue("rpe", 8.0))
    for key in "9\x7f7 reps":  # a typo taken back
        typing.take(key)
    assert typing.take("\n") == (True, LoggedValue("reps", 7.0))
    assert value_for_line("rpe 8\n") == LoggedValue("rpe", 8.0)
    assert value_for_line("next") is None


LOGGED_SCRIPT = """\
workout: Logged squat
defaults:
  log: [load, rpe]
exercises:
  - name: Squat
    sets: 2
    reps: 1
    rest: 6
    countdown: 0
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
"""


def test_the_script_key_is_validated_with_suggestions(tmp_path: Path) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text(
        "workout: W\nexercises:\n  - name: Squat\n    log: [lod, rpe, rpe]\n"
        "  - name: Row\n    log: 5\n"
    )
    result = coach("validate", str(script), home=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    assert f"{script}:4:11: log: 'lod' is not something to log; did you mean 'load'?" in lines
    assert f"{script}:4:21: log: 'rpe' is listed twice" in lines
    assert any(
        line.startswith(f"{script}:6:10: log: expected a list of what to log") for line in lines
    )
    good = tmp_path / "good.yaml"
    good.write_text(LOGGED_SCRIPT)
    assert load_workout(str(good)).exercises[0].log == ("load", "rpe")


def test_logged_values_reach_the_history_and_are_said_next_time(tmp_path: Path) -> None:
    script = tmp_path / "logged.yaml"
    script.write_text(LOGGED_SCRIPT)
    # Setup 1 s, a rep of 4 s: the rest after set 1 runs 5-11 s; the last set's moment 16-46 s.
    run = coach(
        "run", str(script), "--no-audio", "--speed", "20", "--json",
        "--commands", "6:log 60,7:log rpe 7,8:log 62.5 kg,17:log 65 kg,18:log 8 rpe",
        home=tmp_path, check=True,
    )  # fmt: skip
    timeline = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [(e["set"], e["kind"], e["value"]) for e in of(timeline, "logged")] == [
        (1, "load", 60.0), (1, "rpe", 7.0), (1, "load", 62.5), (2, "load", 65.0), (2, "rpe", 8.0)
    ]  # fmt: skip
    shown = coach("history", "show", "1", "--json", home=tmp_path, check=True).stdout
    document = json.loads(shown)
    text = json.dumps(document)
    assert "62.5" in text and "65.0" in text and "rpe" in text
    printed = coach("history", "show", "1", home=tmp_path, check=True).stdout
    assert "62.5" in printed and "65" in printed
    # The next session says what was logged last time before the first set.
    again = coach(
        "run", str(script), "--no-audio", "--speed", "20", "--json", "--commands", "30:stop",
        home=tmp_path, check=True,
    )  # fmt: skip
    said = [e["text"] for e in of(
        [json.loads(line) for line in again.stdout.splitlines() if line.startswith("{")], "say"
    )]  # fmt: skip
    assert "Last time: one at sixty five kilos, RPE eight." in said


def test_a_value_said_as_the_rest_ends_is_logged_but_not_said_back() -> None:
    quiet = simulate(_workout(log=("load",)))
    events = simulate(_workout(log=("load",)), f"{REST_AT + 29.5}:log 80")
    assert [(e["t"], e["value"]) for e in of(events, "logged")] == [(REST_AT + 29.5, 80.0)]
    assert "Eighty kilos." not in [text for _, text in _said(events)]
    assert [e["t"] for e in of(events, "phase")] == [e["t"] for e in of(quiet, "phase")]


def test_the_questions_and_short_say_backs_are_rendered_ahead_only_for_a_plan_that_logs() -> None:
    from coach.plan import expand
    from coach.session.catalog import session_texts
    from coach.session.phrases import Phrases

    plain = session_texts(expand(_workout()), Phrases())
    logged = session_texts(expand(_workout(log=("load", "rpe", "rir"))), Phrases())
    ahead = ["Load?", "RPE?", "Reps in reserve?", "RPE seven and a half.", "Zero in reserve."]
    assert all(text in logged for text in ahead)
    assert not any(text in plain for text in ahead)
    assert "Seven reps." not in logged  # reps are not logged by this plan
    assert [text for text in logged if text in plain] == plain  # the rest as before
    assert "Not logged." in plain and "Logged." in plain


def test_another_kind_said_with_its_marker_is_logged_and_the_asked_one_still_asked() -> None:
    events = simulate(_workout(log=("load", "rpe")), "12:log rpe 8,15:log 80,18:log 82.5")
    logged = [(e["t"], e["kind"], e["value"]) for e in of(events, "logged")]
    # Load is still the kind asked: a bare number said again corrects it.
    assert logged == [(12.0, "rpe", 8.0), (15.0, "load", 80.0), (18.0, "load", 82.5)]
    said = _said(events)
    assert (12.0, "RPE eight.") in said and (15.0, "Eighty kilos.") in said
    assert [text for _, text in said].count("RPE?") == 0  # given before it was asked


def test_a_bare_zero_typed_or_scripted_is_nothing_in_reserve_when_that_is_asked() -> None:
    typing = ValueTyping()
    for key in "0":
        typing.take(key)
    assert typing.take("\n") == (True, LoggedValue("bare", 0.0))  # the kind asked decides
    events = simulate(_workout(log=("load", "rir")), "12:log 80,15:log 0")
    assert [(e["kind"], e["value"]) for e in of(events, "logged")] == [("load", 80.0), ("rir", 0.0)]
    assert (15.0, "Zero in reserve.") in _said(events)


def test_a_bare_number_out_of_the_asked_kinds_range_is_ignored() -> None:
    events = simulate(_workout(log=("rpe",)), "12:log 80,15:log 8")
    assert [(e["kind"], e["value"]) for e in of(events, "logged")] == [("rpe", 8.0)]
    assert of(events, "command")[0]["ignored"] is True


def test_log_where_no_value_would_be_asked_is_a_validation_error(tmp_path: Path) -> None:
    script = tmp_path / "nowhere.yaml"
    script.write_text(
        "workout: W\ndefaults:\n  log: [rpe]\nexercises:\n"
        "  - {name: Plank, seconds: 30, log: [rpe]}\n"
        "  - {name: Mixed, amrap: 5, log: [rpe]}\n"
        "  - circuit: C\n    exercises:\n      - {name: Squat, reps: 5, log: [load]}\n"
        "      - {name: Hang, seconds: 20}\n"
        "  - {name: Row, reps: 5}\n"
    )
    result = coach("validate", str(script), home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    where = "logging works on sets of reps outside a circuit, so take it off here"
    assert result.stdout.splitlines() == [
        f"{script}:5:32: log: 'Plank' is a timed hold, with no set to log; {where}",
        f"{script}:6:29: log: 'Mixed' is an AMRAP, with no set to log; {where}",
        f"{script}:9:32: log: 'Squat' is in a circuit, which rests only between rounds; {where}",
    ]  # the log of defaults passes over the hang, and is asked after each set of rows
    run = coach("run", str(script), "--simulate", home=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"coach: {script}:5:32: log: 'Plank' is a timed hold")


REFUSED_LOAD = "Can't log that. A load is one to three hundred, in halves."


@pytest.mark.parametrize("value", ["-5", "-1 rir", "- 2.5 kg", "minus five"])
def test_a_minus_sign_is_never_dropped_a_negative_value_is_refused(
    tmp_path: Path, value: str
) -> None:
    result = coach("run", "demo", "--simulate", "--commands", f"12:log {value}", home=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"coach: --commands: {value!r} is not a value to log: no value is negative "
        "(e.g. '40:log 80 kg', '45:log rpe 8', '50:log 2 in reserve')\n"
    )
    assert value_for_line(value) is None


def test_minus_then_a_number_typed_live_is_refused_not_logged_positive() -> None:
    typing = ValueTyping()
    assert typing.take("-", at=10.0) == (False, None)  # "-" is slower, as always
    assert typing.take("5", at=10.3) == (True, None)
    assert typing.take("\n", at=10.6) == (True, None)
    assert typing.ended == "-5"  # ended, and no value: posted to be refused out loud
    # A number typed well after "slower" is a value of its own.
    assert typing.take("-", at=20.0) == (False, None)
    for key in "80":
        typing.take(key, at=25.0)
    assert typing.take("\n", at=25.5) == (True, LoggedValue("bare", 80.0))


def test_a_bare_zero_while_load_is_asked_is_refused_out_loud_never_logged_as_rir() -> None:
    events = simulate(_workout(log=("load",)), "12:log 0,15:log 80")
    assert [(e["t"], e["kind"], e["value"]) for e in of(events, "logged")] == [
        (15.0, "load", 80.0)
    ]
    assert (12.0, REFUSED_LOAD) in _said(events)
    assert of(events, "command")[0] == {"t": 12.0, "event": "command", "command": "log",
                                        "ignored": True}  # fmt: skip


def test_a_typed_value_that_cant_be_logged_is_answered() -> None:
    typed: queue.Queue[Event] = queue.Queue()
    start_keyboard(typed, io.StringIO("-5\n301.5\n80 bananas\n0\n"))
    commands = [typed.get(timeout=5) for _ in range(4)]
    assert [(c.name, c.text, c.value) for c in commands if isinstance(c, Command)] == [
        ("log", "-5", None), ("log", "301.5", None), ("log", "80 bananas", None),
        ("log", "0", LoggedValue("bare", 0.0)),
    ]  # fmt: skip
    session = Session(expand(_workout(log=("load",))), EstimatedSpeech())
    session.start(0.0)
    while session.state != "rest":
        deadline = session.deadline
        assert deadline is not None
        session.handle(Tick(), deadline)
    said = []
    for number, command in enumerate(commands):
        actions = session.handle(command, REST_AT + 2 + 4 * number)
        said += [a.text for a in actions if isinstance(a, Say)]
        assert not [a for a in actions if isinstance(a, ValueLogged)]
    assert said == [REFUSED_LOAD] * 4


def test_logging_is_rows_of_the_machine_in_the_rest_and_paused_it_waits() -> None:
    session = Session(expand(_workout(log=("load",))), EstimatedSpeech())
    machine = session._machine
    # A value to log is a trigger of the rest alone, like every other command's table row.
    assert [s for s in machine.states if "log" in machine.get_triggers(s)] == ["rest"]
    events = simulate(_workout(log=("load",)), "12:pause,13:log 80,14:resume,16:log 82")
    assert [(e["t"], e["value"]) for e in of(events, "logged")] == [(16.0, 82.0)]
    assert [(e["command"], "ignored" in e) for e in of(events, "command")] == [
        ("pause", False), ("log", True), ("resume", False), ("log", False)
    ]  # fmt: skip
