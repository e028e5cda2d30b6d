"""The session engine on the virtual clock: order, timing and every command."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simulate import cues, exercise, of, phase_starts, simulate

from coach.script.model import REP_PHASES, CueItem, Workout
from coach.words.vocabulary import COMMANDS


def one_sided(**fields: object) -> Workout:
    fields.setdefault("sides", ("left", "right"))
    fields.setdefault("sets", 2)
    fields.setdefault("reps", 3)
    fields.setdefault("rest", 30.0)
    return Workout(name="W", exercises=(exercise(**fields),))


def assert_speech_never_overlaps(events: list[dict[str, Any]]) -> None:
    """Each line ends (in full, or where a cut falls) before the next begins."""
    cuts = [e["t"] for e in of(events, "cut")]
    for a, b in pairwise(of(events, "say")):
        end = a["t"] + a["duration"]
        end = min([end, *(t for t in cuts if a["t"] <= t < end)])
        assert b["t"] >= end - 1e-6


def test_one_sided_set_goes_side_by_side_then_rests() -> None:
    events = simulate(one_sided())
    phases = of(events, "phase")
    sequence = [(e["set"], e["side"], e["rep"], e["phase"]) for e in phases]
    expected = []
    for set_number in (1, 2):
        for side in ("left", "right"):
            expected.append((set_number, side, None, "setup"))
            for rep in (1, 2, 3):
                expected += [(set_number, side, rep, p) for p in REP_PHASES]
    assert sequence == expected
    rests = of(events, "rest")
    assert [r["seconds"] for r in rests] == [30.0]  # between the sets, not after the last
    assert of(events, "done")[-1] == {
        "t": events[-1]["t"], "event": "done", "completed_reps": 12, "planned_reps": 12
    }


def test_timed_phases_last_their_tempo_and_rest_its_seconds() -> None:
    events = simulate(one_sided(sets=2, reps=2, cues={}))
    brace, drive = phase_starts(events, "brace"), phase_starts(events, "drive")
    hold, lower = phase_starts(events, "hold"), phase_starts(events, "lower")
    for i in range(len(brace)):
        assert drive[i] - brace[i] == pytest.approx(2.0)
        assert hold[i] - drive[i] == pytest.approx(1.0)
        assert lower[i] - hold[i] == pytest.approx(1.0)
    rest = of(events, "rest")[0]
    next_setup = [e for e in of(events, "phase") if e["phase"] == "setup" and e["t"] > rest["t"]]
    assert next_setup[0]["t"] - rest["t"] == pytest.approx(30.0)


def test_bilateral_exercise_has_null_side_and_setup_has_null_rep() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=1, reps=2),))
    phases = of(simulate(workout), "phase")
    assert all(e["side"] is None for e in phases)
    assert [e["rep"] for e in phases if e["phase"] == "setup"] == [None]
    assert len(phases) == 1 + 2 * 4


def test_variables_are_filled_in() -> None:
    workout = Workout(
        name="Leg day",
        intro=(CueItem("Welcome to {workout}."),),
        exercises=(
            exercise(
                "Thrust",
                sides=("left", "right"),
                sets=2,
                reps=2,
                rest=45.0,
                cues=cues(
                    before_set="Set {set} of {sets}, {side} leg, then {other_side}.",
                    drive="Rep {rep} of {reps}, {reps_left} left.",
                    rest="Rest {rest} seconds. Next up: {next}.",
                ),
            ),
            exercise("Deadbug", sets=1, reps=1),
        ),
    )
    said = [e["text"] for e in of(simulate(workout), "say")]
    assert said[0] == "Welcome to Leg day."
    assert "Set 1 of 2, left leg, then right." in said
    assert "Set 2 of 2, right leg, then left." in said
    assert "Rep 1 of 2, 1 left." in said and "Rep 2 of 2, 0 left." in said
    assert "Rest 45 seconds. Next up: set 2 of 2, left side." in said
    assert "Rest 45 seconds. Next up: Deadbug." in said


def test_cue_lists_rotate_and_conditions_take_precedence() -> None:
    drive = (
        CueItem("Drive!"),
        CueItem("Heel!"),
        CueItem("Hips high!"),
        CueItem("Every third.", every=3),
        CueItem("Final rep of the last set.", reps=("last",), sets=("last",)),
    )
    workout = Workout(
        name="W", exercises=(exercise(sets=2, reps=6, cues={"drive": drive}),)
    )
    drives = [
        e["text"]
        for e in of(simulate(workout), "say")
        if e["text"] not in ("Workout complete. 12 of 12 reps.",)
    ]
    assert drives == [
        "Drive!", "Heel!", "Every third.", "Hips high!", "Drive!", "Every third.",
        "Heel!", "Hips high!", "Every third.", "Drive!", "Heel!", "Final rep of the last set.",
    ]


def test_milestone_and_set_cues() -> None:
    workout = Workout(
        name="W",
        exercises=(
            exercise(
                sets=2, reps=4,
                cues=cues(halfway="Halfway.", last_rep="Last one.", final_set="Final set.",
                          form=["Heels.", "Ribs."], brace="Brace."),
            ),
        ),
    )
    said = [e["text"] for e in of(simulate(workout), "say")]
    assert said.count("Halfway.") == 2 and said.count("Last one.") == 2
    assert said.count("Final set.") == 1
    assert said.index("Final set.") > said.index("Heels.")
    assert "Ribs." in said
    # halfway comes before the brace cue of rep 3
    assert said[said.index("Halfway.") + 1] == "Brace."


def test_countdown_beeps_then_go() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=1, reps=1, countdown=3),))
    events = simulate(workout)
    tones = of(events, "tone")
    assert [t["kind"] for t in tones] == ["start"] + ["countdown"] * 3 + ["go", "finish"]
    beeps = [t["t"] for t in tones[1:5]]
    assert [b - a for a, b in pairwise(beeps)] == pytest.approx([1.0, 1.0, 1.0])
    assert tones[4]["t"] == phase_starts(events, "brace")[0]


def test_speech_never_overlaps_and_phases_wait_for_their_cue() -> None:
    long_cue = "Drive through the whole heel and keep a straight line from shoulders to hips."
    workout = Workout(
        name="W",
        exercises=(exercise(sets=1, reps=2, cues=cues(drive=long_cue, hold="Hold.")),),
    )
    events = simulate(workout, commands="8:status,9:help")
    assert_speech_never_overlaps(events)
    # the drive phase is stretched to the end of its long cue
    events = simulate(workout)
    for say in of(events, "say"):
        if say["text"] == long_cue:
            hold = min(t for t in phase_starts(events, "hold") if t > say["t"])
            assert hold == pytest.approx(say["t"] + say["duration"], abs=0.002)
            assert say["duration"] > 1.0


def test_manual_setup_waits_for_next() -> None:
    workout = Workout(
        name="W", exercises=(exercise(sets=1, reps=1, tempo={**FAST, "setup": None}),)
    )
    events = simulate(workout, commands="40:next", auto_next=None)
    assert phase_starts(events, "brace") == [40.0]
    assert of(events, "command") == [{"t": 40.0, "event": "command", "command": "next"}]


FAST = {"setup": 4.0, "brace": 2.0, "drive": 1.0, "hold": 1.0, "lower": 2.0}


def test_next_in_a_timed_phase_is_ignored_and_next_in_rest_skips_it() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=2, reps=1, rest=60.0),))
    # setup 4 s, brace at 4, drive at 6, hold 7, lower 8, rest at 10
    events = simulate(workout, commands="6.5:next,20:next")
    commands = of(events, "command")
    assert commands[0] == {"t": 6.5, "event": "command", "command": "next", "ignored": True}
    assert commands[1] == {"t": 20.0, "event": "command", "command": "next"}
    assert phase_starts(events, "hold")[0] == pytest.approx(7.0)
    assert phase_starts(events, "setup")[1] == pytest.approx(20.0)


def test_pause_freezes_the_clock_until_resume() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=1, reps=1),))
    plain = phase_starts(simulate(workout), "lower")[0]
    events = simulate(workout, commands="4.5:pause,30:resume")
    paused_for = 30 - 4.5
    assert phase_starts(events, "lower")[0] == pytest.approx(plain + paused_for, abs=0.01)
    said = [e["text"] for e in of(events, "say")]
    assert said[:2] == ["Paused. Say resume when you're ready.", "Resuming."]


def test_back_restarts_the_rep_and_at_set_start_the_previous_sets_last_rep() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=2, reps=2, rest=10.0),))
    # rep 2 of set 1: brace 10, drive 12, hold 13, lower 14; rest at 16
    events = simulate(workout, commands="12.5:back,25:back")
    reps = [(e["set"], e["rep"], e["phase"]) for e in of(events, "phase") if e["rep"]]
    assert reps[:12] == [
        (1, 1, "brace"), (1, 1, "drive"), (1, 1, "hold"), (1, 1, "lower"),
        (1, 2, "brace"), (1, 2, "drive"),  # back at 12.5
        (1, 2, "brace"), (1, 2, "drive"), (1, 2, "hold"), (1, 2, "lower"),
        (1, 2, "brace"), (1, 2, "drive"),  # back during the rest at 25
    ]
    assert of(events, "done")[0]["completed_reps"] == 4


def test_skip_goes_to_the_next_exercise() -> None:
    workout = Workout(
        name="W",
        exercises=(exercise("A", sets=3, reps=2), exercise("B", sets=1, reps=1)),
    )
    events = simulate(workout, commands="5:skip")
    names = {e["exercise"] for e in of(events, "phase") if e["t"] > 5}
    assert names == {"B"}
    assert of(events, "done")[0] == {
        "t": events[-1]["t"], "event": "done", "completed_reps": 1, "planned_reps": 7
    }


def test_stop_ends_the_session_with_progress() -> None:
    workout = Workout(name="W", exercises=(exercise(sets=1, reps=5),))
    events = simulate(workout, commands="17:stop")  # reps end at 10, 16
    done = of(events, "done")[0]
    assert done["completed_reps"] == 2 and done["planned_reps"] == 5
    assert of(events, "say")[-1]["text"] == "Stopping here. Your progress is saved."


@pytest.mark.parametrize(("command", "scale"), [("slower", 1.1), ("faster", 0.9)])
def test_slower_and_faster_scale_the_next_phases(command: str, scale: float) -> None:
    workout = Workout(name="W", exercises=(exercise(sets=1, reps=3),))
    events = simulate(workout, commands=f"4.5:{command}")
    brace, drive = phase_starts(events, "brace"), phase_starts(events, "drive")
    assert drive[0] - brace[0] == pytest.approx(2.0)  # the phase under way keeps its time
    assert drive[2] - brace[2] == pytest.approx(2.0 * scale)


def test_repeat_says_the_last_cue_again() -> None:
    workout = Workout(
        name="W", exercises=(exercise(sets=1, reps=1, cues=cues(brace="Ribs down.")),)
    )
    events = simulate(workout, commands="5:repeat")
    said = [e["text"] for e in of(events, "say")]
    assert said.count("Ribs down.") == 2


def test_status_and_help_answer_in_every_state() -> None:
    workout = Workout(name="W", exercises=(exercise(sides=("left", "right"), sets=1, reps=2),))
    events = simulate(workout, commands="1:status,5:pause,6:help,7:status,8:resume")
    said = [e["text"] for e in of(events, "say")]
    assert "Bridge, left side, set 1 of 1. 4 reps to go." in said
    assert any(t.startswith("You can say: next, repeat") for t in said)
    assert all(not c.get("ignored") for c in of(events, "command"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 80, allow_nan=False), st.sampled_from(COMMANDS)), max_size=12
    )
)
def test_any_commands_at_any_time_keep_the_rules(commands: list[tuple[float, str]]) -> None:
    workout = Workout(
        name="W",
        exercises=(
            exercise("A", sides=("left", "right"), sets=2, reps=2, rest=5.0, countdown=2,
                     cues=cues(brace="Brace.", drive="Drive!")),
            exercise("B", sets=1, reps=2),
        ),
    )
    spec = ",".join(f"{t:.2f}:{c}" for t, c in commands)
    events = simulate(workout, commands=spec + (",300:resume" if spec else ""))
    assert events[-1]["event"] == "done"
    assert_speech_never_overlaps(events)
    heard = {e["t"] for e in of(events, "command") if not e.get("ignored")}
    assert all(cut["t"] in heard for cut in of(events, "cut"))  # only a command cuts
    times = [e["t"] for e in events]
    assert times == sorted(times)
    assert 0 <= events[-1]["completed_reps"] <= events[-1]["planned_reps"] == 10


@pytest.mark.parametrize("name", ["finish", "enter_step", "tick", "trigger", "to_done"])
def test_a_command_by_another_name_than_the_athletes_is_ignored(name: str) -> None:
    """Only the vocabulary's commands pull the machine's triggers: a Command named
    after one of its own (ending the session, entering a step) does nothing."""
    from coach.plan import expand
    from coach.session.events import Command, CommandHeard
    from coach.session.machine import Session
    from coach.session.speech import EstimatedSpeech

    session = Session(expand(Workout(name="W", exercises=(exercise(),))), EstimatedSpeech())
    session.start(0.0)
    state = session.state
    actions = session.handle(Command(name), 1.0)
    assert session.state == state
    assert [a for a in actions if isinstance(a, CommandHeard)][0].accepted is False
