"""A stop that is meant: a lone "stop" by voice asks first; keys and --commands don't."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli import coach
from simulate import exercise, of, simulate

from coach.script.model import Workout
from coach.session.events import Command
from coach.session.stop_check import CONFIRM_WINDOW, StopCheck

ASK = "Paused. Stop the workout? Say stop again, or resume."
STOPPED = "Stopping here. Your progress is saved."
WORKOUT = Workout(name="W", exercises=(exercise(sets=1, reps=5),))  # reps end at 10, 16, 22…


def test_a_lone_stop_by_voice_pauses_asks_and_resume_goes_on() -> None:
    events = simulate(WORKOUT, commands="17:heard stop,30:heard resume")
    heard = of(events, "command")
    assert heard[0] == {"t": 17.0, "event": "command", "command": "stop", "confirm": True}
    said = [e["text"] for e in of(events, "say")]
    assert ASK in said and STOPPED not in said
    assert of(events, "done")[0]["completed_reps"] == 5  # never stopped
    # Paused from 17 to 30: the rep under way at 17 (16–22) ends 13 s late.
    assert of(events, "done")[0]["t"] > 13 + of(simulate(WORKOUT), "done")[0]["t"] - 1


def test_stop_said_again_in_the_window_stops() -> None:
    events = simulate(WORKOUT, commands="17:heard stop,21:heard stop")
    done = of(events, "done")[0]
    assert done["completed_reps"] == 2
    assert of(events, "say")[-1]["text"] == STOPPED
    assert [e.get("confirm", False) for e in of(events, "command")] == [True, False]


def test_stop_said_again_after_the_window_only_asks_again() -> None:
    late = 17 + 4 + CONFIRM_WINDOW + 1  # the question lasts ~3 s
    events = simulate(WORKOUT, commands=f"17:heard stop,{late}:heard stop,{late + 20}:resume")
    assert [e.get("confirm", False) for e in of(events, "command")] == [True, True, False]
    assert of(events, "done")[0]["completed_reps"] == 5


def test_another_command_between_withdraws_the_question() -> None:
    events = simulate(WORKOUT, commands="17:heard stop,19:heard repeat,21:heard stop,30:resume")
    assert [e.get("confirm", False) for e in of(events, "command")] == [True, False, True, False]
    assert of(events, "done")[0]["completed_reps"] == 5


def test_stop_workout_said_whole_stops_at_once() -> None:
    events = simulate(WORKOUT, commands="17:heard stop workout")
    assert of(events, "command") == [{"t": 17.0, "event": "command", "command": "stop"}]
    assert of(events, "done")[0]["completed_reps"] == 2


def test_a_lone_stop_while_paused_asks_too() -> None:
    events = simulate(WORKOUT, commands="17:pause,20:heard stop,23:heard stop")
    assert [e.get("confirm", False) for e in of(events, "command")] == [False, True, False]
    assert of(events, "done")[0]["completed_reps"] == 2


@pytest.mark.parametrize("source", ["script", "keyboard", "signal"])
def test_keys_commands_and_signals_stop_at_once(source: str) -> None:
    check = StopCheck()
    assert check.meant(Command("stop", source=source, text="stop"), now=0.0)


def test_the_window_counts_from_the_question_s_end() -> None:
    check = StopCheck(window=5.0)
    lone = Command("stop", source="voice", text="stop")
    assert not check.meant(lone, now=0.0)
    check.asked(question_ends=2.0)
    assert check.meant(lone, now=7.0) and not check.meant(lone, now=7.1)


def test_scripted_stop_still_stops_at_once_from_the_command_line(tmp_path: Path) -> None:
    result = coach(
        "run", "demo", "--simulate", "--json", "--commands", "20:stop", home=tmp_path, check=True
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert of(events, "command") == [{"t": 20.0, "event": "command", "command": "stop"}]
    assert of(events, "done")[0]["t"] < 30


def test_heard_commands_from_the_command_line_ask_first(tmp_path: Path) -> None:
    result = coach(
        "run", "demo", "--simulate", "--commands", "20:heard stop,40:resume", home=tmp_path,
        check=True,
    )
    assert "stop (say it again to stop)" in result.stdout
    assert ASK in result.stdout


def test_heard_with_no_command_is_one_clear_line(tmp_path: Path) -> None:
    result = coach("run", "demo", "--simulate", "--commands", "20:heard banana", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip()
    ] and "'banana' is not a command" in result.stderr


def test_an_addressed_stop_is_said_whole() -> None:
    # With an attention word the listener passes "coach stop": addressed, not cut from talk.
    assert StopCheck().meant(Command("stop", source="voice", text="coach stop"), now=0.0)
