"""Timed holds, intervals, EMOM, AMRAP and circuits on the virtual clock, to the tenth
of a second: when each stretch starts, when the time is called, what a pause, a
"done" and a resume do. Scripts are real YAML through the real loader."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from simulate import of

from coach.app.launch import HistoryTarget, launch
from coach.app.options import RunOptions
from coach.history.store import History
from coach.plan import expand
from coach.script.loader import check_script, load_workout
from coach.session.scripted import parse_commands
from coach.session.speech import EstimatedSpeech


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(
    path: Path,
    commands: str = "",
    *,
    record: HistoryTarget | None = None,
    completed: frozenset[str] = frozenset(),
    resume_from: str | None = None,
) -> list[dict[str, Any]]:
    plan = expand(load_workout(str(path)))
    if resume_from is not None or completed:
        plan = plan.resumed(set(completed), resume_from)
    out = io.StringIO()
    options = RunOptions(
        simulate=True, json=True, commands=tuple(parse_commands(commands)), auto_next=3.0
    )
    launch(plan, options, speech=EstimatedSpeech(), out=out, record=record, completed=completed)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def times(events: list[dict[str, Any]], kind: str, **where: object) -> list[float]:
    return [
        round(e["t"], 1)
        for e in of(events, kind)
        if all(e.get(key) == value for key, value in where.items())
    ]


def said_at(events: list[dict[str, Any]], text: str) -> list[float]:
    return [round(e["t"], 1) for e in of(events, "say") if e["text"] == text]


PLANK = """\
workout: Core holds
exercises:
  - name: Side plank
    seconds: 40
    sides: [left, right]
    sets: 2
    rest: 30
    tempo: {setup: 5}
    cues:
      setup: Elbow under shoulder.
      start: Hold.
      during: [Hips high., Breathe.]
      end: Down.
      rest: Rest {rest} seconds.
"""


def test_a_timed_hold_runs_per_side_with_its_calls_and_counts_seconds(tmp_path: Path) -> None:
    events = run(script(tmp_path, PLANK))
    holds = of(events, "hold")
    assert [(h["side"], h["set"], h["seconds"]) for h in holds] == [
        ("left", 1, 40.0), ("right", 1, 40.0), ("left", 2, 40.0), ("right", 2, 40.0)
    ]
    # setup 5 s, a three-beat countdown, the hold on the beat
    first = holds[0]["t"]
    assert first == pytest.approx(8.0, abs=0.05)
    calls = [(round(c["t"] - first, 1), c["left"], c["call"]) for c in of(events, "time_call")]
    assert calls[:2] == [(20.0, 20.0, "halfway"), (30.0, 10.0, "left")]
    # the form cues share the hold, clear of the calls
    assert said_at(events, "Hips high.")[0] - first == pytest.approx(40 / 3, abs=0.05)
    assert said_at(events, "Breathe.")[0] - first == pytest.approx(80 / 3, abs=0.05)
    held = of(events, "held")
    assert [h["seconds"] for h in held] == [40.0] * 4
    assert held[0]["t"] == pytest.approx(first + 40, abs=0.05)
    # the rest between sets gets its halfway and ten-second calls, no 3-2-1 (a setup follows)
    rest = of(events, "rest")[0]
    in_rest = [c for c in of(events, "time_call") if rest["t"] <= c["t"] < rest["t"] + 30]
    assert [(round(c["t"] - rest["t"], 1), c["call"]) for c in in_rest] == [
        (15.0, "halfway"), (20.0, "left")
    ]
    assert of(events, "done")[-1]["planned_reps"] == 0


def test_next_ends_a_hold_early_and_history_keeps_the_seconds(tmp_path: Path) -> None:
    path = script(tmp_path, PLANK)
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "Core holds", 0)
        events = run(path, "33:next", record=HistoryTarget(history, sid))
        first = of(events, "held")[0]
        assert first["t"] == pytest.approx(33.0, abs=0.05)
        assert first["seconds"] == pytest.approx(25.0, abs=0.05)  # the hold began at 8 s
        record = history.get(sid)
        assert record is not None
        assert record.seconds_held == pytest.approx(25.0 + 3 * 40.0, abs=0.05)
        assert record.to_json()["seconds_held"] == record.seconds_held


TABATA = """\
workout: Tabata
exercises:
  - name: Squats
    tempo: {setup: 4}
    rounds: 8
    intervals: {work: 20, rest: 10}
    cues:
      start: Round {round} of {rounds}. Go!
      rest: Rest.
"""


def test_tabata_keeps_time_with_calls_and_a_pause_mid_interval(tmp_path: Path) -> None:
    path = script(tmp_path, TABATA)
    events = run(path)
    work = times(events, "interval", part="work")
    rest = times(events, "interval", part="rest")
    assert work == [7.0 + 30 * k for k in range(8)]
    assert rest == [27.0 + 30 * k for k in range(7)]  # none after the last round
    counts = times(events, "time_call", call="count")
    assert counts[:3] == [34.0, 35.0, 36.0]  # 3-2-1 before round 2
    assert said_at(events, "Three.")[:1] == [34.0]
    assert times(events, "time_call", call="left")[:1] == [17.0]  # ten seconds left of 20
    assert said_at(events, "Workout complete.") == [7.0 + 30 * 7 + 20]

    # Paused 5 s into round 2's work (at 42 s) for 8 s: the rest of the session moves by 8 s.
    paused = run(path, "42:pause,50:resume")
    assert times(paused, "interval", part="work")[:3] == [7.0, 37.0, 75.0]
    assert times(paused, "interval", part="rest")[:2] == [27.0, 65.0]
    assert times(paused, "time_call", call="left")[:2] == [17.0, 55.0]
    assert times(paused, "time_call", call="count")[3:6] == [72.0, 73.0, 74.0]


def test_named_intervals_each_say_their_own_cues(tmp_path: Path) -> None:
    path = script(tmp_path, """\
workout: HIIT
exercises:
  - name: Sprints
    countdown: 0
    tempo: {setup: 2}
    rounds: 2
    intervals:
      - {name: High knees, work: 30, rest: 15, cues: {start: "High knees!"}}
      - {name: Skaters, work: 20, rest: 5, cues: {start: "Skaters, side to side."}}
""")
    events = run(path)
    intervals = [
        (e["name"], e["part"], e["round"], round(e["t"], 1)) for e in of(events, "interval")
    ]
    assert intervals == [
        ("High knees", "work", 1, 2.0), ("High knees", "rest", 1, 32.0),
        ("Skaters", "work", 1, 47.0), ("Skaters", "rest", 1, 67.0),
        ("High knees", "work", 2, 72.0), ("High knees", "rest", 2, 102.0),
        ("Skaters", "work", 2, 117.0),
    ]
    assert said_at(events, "High knees!") == [2.0, 72.0]
    assert said_at(events, "Skaters, side to side.") == [47.0, 117.0]


def test_emom_starts_every_minute_with_a_countdown_into_the_next(tmp_path: Path) -> None:
    path = script(tmp_path, """\
workout: EMOM
exercises:
  - name: Kettlebell swings
    emom: 4
    reps: 12
    tempo: {setup: 3}
    time_calls: {halfway: false}
    cues:
      start: Minute {round}. {reps} swings.
""")
    events = run(path)
    minutes = of(events, "emom")
    assert [(m["minute"], m["minutes"], round(m["t"], 1)) for m in minutes] == [
        (1, 4, 6.0), (2, 4, 66.0), (3, 4, 126.0), (4, 4, 186.0)
    ]
    assert said_at(events, "Minute 2. 12 swings.") == [66.0]
    assert times(events, "time_call", call="count") == [
        63.0, 64.0, 65.0, 123.0, 124.0, 125.0, 183.0, 184.0, 185.0
    ]
    assert times(events, "time_call", call="halfway") == []
    assert times(events, "time_call", call="left") == [56.0, 116.0, 176.0, 236.0]


def test_amrap_counts_the_rounds_said_done(tmp_path: Path) -> None:
    path = script(tmp_path, """\
workout: AMRAP
exercises:
  - name: Burpees and squats
    amrap: 3
    tempo: {setup: 2}
    countdown: 0
    cues:
      start: Go! Say done after each round.
""")
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "AMRAP", 0)
        target = HistoryTarget(history, sid)
        events = run(path, "40:done,81.5:done,130:done,150:done", record=target)
        record = history.get(sid)
    assert [(e["round"], round(e["t"], 1)) for e in of(events, "round")] == [
        (1, 40.0), (2, 81.5), (3, 130.0), (4, 150.0)
    ]
    assert said_at(events, "Round 3.") == [130.0]
    end = of(events, "rounds")
    assert [(e["rounds"], round(e["t"], 1)) for e in end] == [(4, 182.0)]
    assert said_at(events, "Time! 4 rounds.") == [182.0]
    assert times(events, "time_call") == [92.0, 172.0]  # halfway, ten seconds left
    assert record is not None and record.rounds == 4


CIRCUIT = """\
workout: Core circuit
exercises:
  - circuit: Core
    rounds: 3
    rest: 45
    cues:
      start: Round {round} of {rounds}.
      rest: Rest {rest} seconds. Next, {next}.
    exercises:
      - {name: Plank, seconds: 30, tempo: {setup: 3}, cues: {start: Hold.}}
      - {name: Dead bug, reps: 2, sides: [left, right], countdown: 0,
         tempo: {setup: 2, brace: 1, drive: 1, hold: 1, lower: 1}}
"""


def test_a_circuit_goes_round_the_exercises_and_rests_between_rounds(tmp_path: Path) -> None:
    events = run(script(tmp_path, CIRCUIT))
    rounds = [(e["round"], round(e["t"], 1)) for e in of(events, "circuit")]
    # a round: setup 3, countdown 3, hold 30, then dead bug 2 × (setup 2 + 2 reps × 4 s) = 56 s
    assert rounds == [(1, 0.0), (2, 101.0), (3, 202.0)]
    assert times(events, "rest") == [56.0, 157.0]
    assert [r["seconds"] for r in of(events, "rest")] == [45.0, 45.0]
    assert said_at(events, "Rest 45 seconds. Next, round 2 of 3, Plank.") == [56.0]
    assert times(events, "hold") == [6.0, 107.0, 208.0]
    setups = [e for e in of(events, "phase") if e["phase"] == "setup"]
    phases = [(e["exercise"], e["set"], e["side"]) for e in setups]
    assert phases[:3] == [("Plank", 1, None), ("Dead bug", 1, "left"), ("Dead bug", 1, "right")]
    assert of(events, "done")[-1]["completed_reps"] == 12


def test_resume_mid_circuit_continues_at_the_exercise_and_round_it_stopped_in(
    tmp_path: Path,
) -> None:
    path = script(tmp_path, CIRCUIT)
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "Core circuit", 12)
        # stopped during round 2's dead bug, left side, after its first rep
        first = run(path, "143.5:stop", record=HistoryTarget(history, sid))
        assert of(first, "done")[-1]["completed_reps"] == 4 + 1
        done = frozenset(history.completed_step_keys(sid))
        last = history.last_completed_step_key(sid)
    assert "0/-/2/hold" in done and last == "1/left/2/1"
    rest = run(path, completed=done, resume_from=last)
    setups = [(e["exercise"], e["set"], e["side"], round(e["t"], 1))
              for e in of(rest, "phase") if e["phase"] == "setup"]  # fmt: skip
    # from the setup of the interrupted side: its done rep left out, then on round by round
    assert setups[:3] == [("Dead bug", 2, "left", 0.0), ("Dead bug", 2, "right", 6.0),
                          ("Plank", 3, None, 61.0)]  # fmt: skip
    reps = [(e["rep"], round(e["t"], 1)) for e in of(rest, "phase") if e["phase"] == "brace"]
    assert reps[:2] == [(2, 2.0), (1, 8.0)]
    assert times(rest, "rest") == [16.0]  # after 2 s + 4 s left, 2 s + 2 × 4 s right
    assert [(e["round"], round(e["t"], 1)) for e in of(rest, "circuit")] == [(3, 61.0)]
    assert of(rest, "done")[-1]["completed_reps"] == 12


def test_resume_mid_tabata_continues_at_the_next_interval(tmp_path: Path) -> None:
    path = script(tmp_path, TABATA)
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "Tabata", 0)
        run(path, "80:stop", record=HistoryTarget(history, sid))  # in round 3's work
        done = frozenset(history.completed_step_keys(sid))
        last = history.last_completed_step_key(sid)
    assert last == "0/-/2/i1"
    rest = run(path, completed=done, resume_from=last)
    # the rest before round 3, with its 3-2-1, then round 3 on
    assert times(rest, "interval", part="rest")[:1] == [0.0]
    assert [e["round"] for e in of(rest, "interval") if e["part"] == "work"] == [3, 4, 5, 6, 7, 8]
    assert times(rest, "time_call", call="count")[:3] == [7.0, 8.0, 9.0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  - {name: P, seconds: 0}\n", "3:24: seconds: expected seconds > 0"),
        ("  - {name: P, seconds: 30, reps: 5}\n", "3:28: reps: a timed exercise is held"),
        ("  - {name: T, intervals: {work: 20, rset: 10}}\n",
         "3:37: unknown key 'rset' in an interval; did you mean 'rest'?"),
        ("  - {name: E, emom: 2.5}\n", "3:21: emom: expected whole minutes"),
        ("  - {name: A, amrap: 5, seconds: 30}\n",
         "3:15: 'seconds' and 'amrap' can't both be used"),
        ("  - {name: P, seconds: 30, cues: {drive: Up.}}\n", "3:42: cue 'drive' is for rep phases"),
        ("  - {name: B, reps: 5, cues: {during: Up.}}\n", "3:39: cue 'during' is for timed"),
        ("  - {circuit: C, exercises: [{name: P, seconds: 30, sets: 2}]}\n",
         "3:53: sets: in a circuit each exercise is done once a round"),
        ("  - {name: P, seconds: 30, time_calls: {halfwya: 20}}\n",
         "3:41: unknown key 'halfwya' in time_calls; did you mean 'halfway'?"),
    ],
)
def test_mistakes_are_reported_where_they_were_written(
    tmp_path: Path, body: str, expected: str
) -> None:
    path = script(tmp_path, "workout: W\nexercises:\n" + body)
    problems = [str(p) for p in check_script(path)]
    assert any(p.startswith(f"{path}:{expected}") for p in problems), problems


def test_time_calls_as_tones_and_never_over_a_cue(tmp_path: Path) -> None:
    path = script(tmp_path, """\
workout: Calls
time_calls: {halfway: 8, left: 10, countdown: 3, tones: true}
exercises:
  - name: Hang
    seconds: 8
    sets: 2
    rest: 30
    countdown: 0
    tempo: {setup: 2}
    cues:
      start: "Hang. Shoulders down and away from your ears, squeeze the bar hard."
""")
    events = run(path)
    start = times(events, "hold")
    # The halfway call of each hold (4 s in) falls inside its long start cue: not made.
    said = of(events, "say")
    opening = next(e for e in said if e["text"].startswith("Hang."))
    assert opening["t"] + opening["duration"] > start[0] + 4
    calls = [(c["call"], round(c["t"], 1)) for c in of(events, "time_call")]
    assert [c for c in calls if start[0] <= c[1] < start[0] + 8] == []
    # In the rest: halfway and ten seconds left, as ticks, not words.
    rest = times(events, "rest")[0]
    assert calls == [("halfway", rest + 15), ("left", rest + 20)]
    ticks = [round(e["t"], 1) for e in of(events, "tone") if e["kind"] == "tick"]
    assert ticks == [rest + 15, rest + 20]
    assert not [e for e in said if e["text"] in ("Halfway.", "Ten seconds.")]


def test_resume_mid_emom_counts_in_to_the_minute_it_stopped_in(tmp_path: Path) -> None:
    path = script(tmp_path, """\
workout: EMOM
exercises:
  - name: Swings
    emom: 5
    reps: 10
    tempo: {setup: 3}
""")
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "EMOM", 0)
        run(path, "150:stop", record=HistoryTarget(history, sid))  # in minute 3 (126-186 s)
        done = frozenset(history.completed_step_keys(sid))
        last = history.last_completed_step_key(sid)
    assert last == "0/-/1/m2"
    rest = run(path, completed=done, resume_from=last)
    # setup (3 s), the three beeps, then minute 3 on the beat
    assert [(e["minute"], round(e["t"], 1)) for e in of(rest, "emom")] == [
        (3, 6.0), (4, 66.0), (5, 126.0)
    ]


def test_amrap_rounds_are_saved_as_they_are_said_even_when_stopped(tmp_path: Path) -> None:
    path = script(tmp_path, "workout: A\nexercises:\n  - {name: Mixed, amrap: 5, countdown: 0,"
                  " tempo: {setup: 2}}\n")  # fmt: skip
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "A", 0)
        run(path, "30:done,60:done,70:stop", record=HistoryTarget(history, sid))
        record = history.get(sid)
        assert record is not None and record.rounds == 2
        # the AMRAP itself isn't done: a resume starts it again, from its setup
        assert history.completed_step_keys(sid) == set()
        assert history.last_completed_step_key(sid) is None
