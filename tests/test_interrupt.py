"""A coach that answers at once: commands cut its speech, and answers keep the tempo."""

from __future__ import annotations

from itertools import pairwise

import pytest
from simulate import cues, exercise, of, phase_starts, simulate

from coach.script.model import CueItem, Workout

LONG = (
    "Lie on your back, arms straight up over your shoulders, knees over your hips "
    "and bent to ninety. Press your low back into the floor."
)


def workout(**fields: object) -> Workout:
    fields.setdefault("sets", 1)
    fields.setdefault("reps", 2)
    return Workout(name="W", exercises=(exercise(**fields),))


def said(events: list[dict[str, object]]) -> list[str]:
    return [str(e["text"]) for e in of(events, "say")]


def test_pause_mid_cue_cuts_it_and_answers_at_the_pause() -> None:
    events = simulate(workout(cues=cues(setup=LONG)), commands="2:pause,6:resume", auto_next=None)
    assert of(events, "cut") == [{"t": 2.0, "event": "cut"}]
    paused = next(e for e in of(events, "say") if e["text"].startswith("Paused."))
    assert paused["t"] == 2.0
    # the instruction that was cut is said again, whole, after "Resuming."
    after = [e["text"] for e in of(events, "say") if e["t"] >= 6.0]
    assert after[:2] == ["Resuming.", LONG]


def test_a_cut_drops_what_was_queued_behind_the_cue() -> None:
    second = "Keep the bench still."
    events = simulate(
        workout(cues=cues(setup=[LONG, second])), commands="2:pause,40:stop", auto_next=None
    )
    paused_at = [e["text"] for e in of(events, "say") if 2.0 <= e["t"] < 40.0]
    assert paused_at == ["Paused. Say resume when you're ready."]


def test_no_cut_when_the_coach_is_silent() -> None:
    events = simulate(workout(), commands="30:pause,31:resume", auto_next=None)
    assert of(events, "cut") == []


def test_next_during_a_long_setup_cue_starts_the_set_at_once() -> None:
    events = simulate(
        workout(tempo={"setup": None, "brace": 2.0, "drive": 1.0, "hold": 1.0, "lower": 2.0},
                cues=cues(setup=LONG)),
        commands="2:next", auto_next=None,
    )
    assert of(events, "cut")[0]["t"] == 2.0
    assert phase_starts(events, "brace")[0] == 2.0


def test_status_in_a_hold_keeps_the_hold_within_the_slack() -> None:
    hold = 1.0
    # setup 4, brace 4-6, drive 6-7, hold 7-8
    events = simulate(workout(cues=cues(hold="Squeeze.")), commands="7.2:status")
    holds, lowers = phase_starts(events, "hold"), phase_starts(events, "lower")
    assert lowers[0] - holds[0] == pytest.approx(hold)
    answer = next(e for e in of(events, "say") if e["t"] >= 7.2 and e["text"] != "Squeeze.")
    assert answer["t"] + answer["duration"] <= lowers[0] + 0.2 + 1e-6
    assert answer["text"] == "Two left."


def test_status_that_fits_nowhere_now_is_said_short_in_the_next_phase() -> None:
    # Said at the very end of the hold: not even "Two left." fits before the lower
    # phase; it is said as that phase starts, which keeps its length, not at the rest.
    events = simulate(workout(sets=2, reps=1, rest=20.0), commands="7.9:status")
    holds, lowers = phase_starts(events, "hold"), phase_starts(events, "lower")
    assert lowers[0] - holds[0] == pytest.approx(1.0)
    answer = [e for e in of(events, "say") if e["t"] > 7.0]
    assert answer[0] == {**answer[0], "t": lowers[0], "text": "Two left."}
    assert of(events, "rest")[0]["t"] - lowers[0] == pytest.approx(2.0)
    rest_said = [e["text"] for e in of(events, "say") if e["t"] >= of(events, "rest")[0]["t"]]
    assert "Resting, 20 seconds left." not in rest_said  # answered once


def test_status_that_fits_in_no_phase_is_said_at_the_next_rest() -> None:
    # Every phase of the rep full of its own cue: the answer waits for the rest.
    full = cues(lower="Lower slowly, all the way down, control it.")
    events = simulate(workout(sets=2, reps=1, rest=20.0, cues=full), commands="7.9:status")
    rest = of(events, "rest")[0]["t"]
    answer = [e for e in of(events, "say") if e["t"] > 7.9 and not e["text"].startswith("Lower")]
    assert answer[0] == {**answer[0], "t": rest, "text": "Resting, 20 seconds left."}
    assert answer[1]["text"] == "Bridge, set 1 of 2. 1 reps to go."


def test_help_in_the_countdown_keeps_the_beeps_on_time() -> None:
    plain = simulate(workout(countdown=3))
    beeps = [t["t"] for t in of(plain, "tone") if t["kind"] in ("countdown", "go")]
    for at in (4.05, 4.5, 5.5, 6.5, 6.9):
        events = simulate(workout(countdown=3), commands=f"{at}:help")
        heard = [t["t"] for t in of(events, "tone") if t["kind"] in ("countdown", "go")]
        assert heard == pytest.approx(beeps, abs=0.2), at
        assert [b - a for a, b in pairwise(heard)] == pytest.approx([1.0] * 3, abs=0.2)


def test_an_answer_in_the_countdown_is_short_when_only_that_fits() -> None:
    events = simulate(workout(countdown=3), commands="4.05:help")
    assert "Say next, pause, or stop." in said(events)
    events = simulate(workout(countdown=3), commands="6.5:help")
    # Nothing fits before the last beat: said short in the first rep phase with room.
    brace = phase_starts(events, "brace")[0]
    answers = [e for e in of(events, "say") if e["text"].startswith("Say next")]
    assert [e["t"] for e in answers] == [brace]


def test_repeat_cuts_the_cue_and_says_it_again_from_the_start() -> None:
    events = simulate(workout(cues=cues(setup=LONG)), commands="2:repeat,30:next", auto_next=None)
    assert of(events, "cut")[0]["t"] == 2.0
    assert [e["t"] for e in of(events, "say") if e["text"] == LONG][1] == 2.0


def test_stop_mid_cue_says_goodbye_at_once() -> None:
    events = simulate(workout(cues=cues(setup=LONG)), commands="1.5:stop", auto_next=None)
    assert of(events, "cut")[0]["t"] == 1.5
    assert said(events)[-1] == "Stopping here. Your progress is saved."
    assert of(events, "say")[-1]["t"] == 1.5


def test_a_step_waiting_behind_cut_speech_starts_at_the_cut() -> None:
    intro = "Today we warm up slowly, then bridge for a while, and then we stretch it all out."
    w = Workout(name="W", intro=(CueItem(intro),), exercises=(exercise(sets=1, reps=1),))
    plain = phase_starts(simulate(w), "setup")[0]
    assert plain > 3.0  # the setup waits for the intro
    events = simulate(w, commands="1:pause,5:resume")
    assert phase_starts(events, "setup") == [1.0]  # shown once, where it began
    after = [e["text"] for e in of(events, "say") if e["t"] >= 5.0]
    assert after[:2] == ["Resuming.", intro]
    times = [e["t"] for e in events]
    assert times == sorted(times)
