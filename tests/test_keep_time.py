"""Holds, intervals, EMOM minutes and AMRAPs keep time like an interval timer, whatever
their cues: a cue that would run past the end of its stretch is cut there (said from
the start of the stretch) or not said at all (a spread `during` cue that wouldn't
finish), and the history keeps what happened. Real YAML through the real loader, on
the virtual clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli import coach
from simulate import of
from test_work_kinds import run, said_at, script

from coach.app.launch import HistoryTarget
from coach.history.store import History
from coach.script.loader import bundled_scripts, check_script, load_workout
from coach.script.pace import spoken_seconds

LONG = " ".join(["Keep the hips level, the ribs down and the breath slow."] * 8)


def test_a_hold_with_a_start_cue_longer_than_it_ends_on_time_and_is_kept_as_held(
    tmp_path: Path,
) -> None:
    path = script(tmp_path, f"""\
workout: Long cue
exercises:
  - name: Plank
    seconds: 5
    sets: 2
    rest: 10
    tempo: {{setup: 2}}
    cues:
      start: "{LONG}"
      end: Down.
""")
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("w", str(path), "Long cue", 0)
        events = run(path, record=HistoryTarget(history, sid))
        record = history.get(sid)
    holds, held = of(events, "hold"), of(events, "held")
    long_said = [e for e in of(events, "say") if e["text"] == LONG]
    assert long_said and long_said[0]["duration"] > 10  # far longer than the hold
    assert [round(h["t"] - s["t"], 3) for s, h in zip(holds, held, strict=True)] == [5.0, 5.0]
    assert [h["seconds"] for h in held] == [5.0, 5.0]
    cuts = [round(e["t"], 3) for e in of(events, "cut")]
    assert [round(h["t"], 3) for h in held] == cuts  # the cue ends with the hold
    assert said_at(events, "Down.") == [round(h["t"], 1) for h in held]
    assert record is not None and record.seconds_held == pytest.approx(10.0)


def test_an_amrap_with_a_during_cue_longer_than_what_is_left_skips_it_and_ends_on_time(
    tmp_path: Path,
) -> None:
    path = script(tmp_path, f"""\
workout: Long cue
exercises:
  - name: Burpees
    amrap: 0.5
    tempo: {{setup: 2}}
    countdown: 0
    cues:
      start: Go!
      during: ["{LONG}", Breathe.]
""")
    events = run(path)
    start = of(events, "amrap")[0]["t"]
    assert [round(e["t"] - start, 3) for e in of(events, "rounds")] == [30.0]
    assert said_at(events, LONG) == []  # it couldn't have finished inside the AMRAP
    assert len(said_at(events, "Breathe.")) == 1  # a cue that fits is still said
    assert of(events, "cut") == []


def test_intervals_and_their_rests_start_on_the_beat_whatever_their_cues_say(
    tmp_path: Path,
) -> None:
    path = script(tmp_path, f"""\
workout: Long cues
exercises:
  - name: Squats
    rounds: 3
    intervals: {{work: 20, rest: 10}}
    tempo: {{setup: 2}}
    cues:
      start: "{LONG}"
      rest: "{LONG}"
  - name: Push-ups
    emom: 2
    reps: 5
    tempo: {{setup: 2}}
    cues:
      start: "{LONG} {LONG}"
""")
    events = run(path)
    parts = [(e["part"], round(e["t"], 3)) for e in of(events, "interval")]
    first = parts[0][1]
    assert parts == [
        ("work", first), ("rest", first + 20), ("work", first + 30), ("rest", first + 50),
        ("work", first + 60),
    ]
    minutes = [round(e["t"], 3) for e in of(events, "emom")]
    assert minutes[1] - minutes[0] == 60.0
    # every long cue ends where its stretch does
    cuts = [round(e["t"], 3) for e in of(events, "cut")]
    assert cuts == [first + 20, first + 30, first + 50, first + 60, first + 80, minutes[1],
                    minutes[1] + 60]  # fmt: skip


def test_validate_warns_of_cues_longer_than_their_stretch_where_they_were_written(
    tmp_path: Path,
) -> None:
    path = script(tmp_path, f"""\
workout: Long cues
exercises:
  - name: Plank
    seconds: 5
    cues:
      start: "{LONG}"
      end: "{LONG}"
  - name: Burpees
    amrap: 0.5
    cues:
      during: [Breathe., "{LONG}"]
  - name: Sprints
    rounds: 2
    intervals:
      - {{name: Fast, work: 20, rest: 10, cues: {{rest: "{LONG}"}}}}
      - {{name: Slow, work: 40, rest: 0}}
    cues:
      start: "{LONG}"
""")
    result = coach("validate", str(path), home=tmp_path)
    said = f"this cue takes about {round(spoken_seconds(LONG), 1):g} s to say at a steady pace"
    fix = "(shorten it, or split it into a list)"
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"{path}:6:14: warning: start: {said}, longer than the 5 s hold; it is cut as the "
        f"hold ends {fix}",
        f"{path}:11:26: warning: during: {said}, longer than the 10 s left of the 30 s AMRAP "
        f"where it falls; it won't be said {fix}",
        f"{path}:15:55: warning: rest: {said}, longer than the 10 s rest; it is cut as the "
        f"rest ends {fix}",
        f"{path}:18:14: warning: start: {said}, longer than the 20 s interval; it is cut as "
        f"the interval ends {fix}",
        "1 script OK (4 warnings)",
    ]
    # a warning is no problem: the script loads and runs as it is
    assert check_script(path) == []
    assert load_workout(str(path)).name == "Long cues"


def test_the_bundled_scripts_have_no_cue_longer_than_its_stretch(tmp_path: Path) -> None:
    result = coach("validate", *(str(p) for p in bundled_scripts()), home=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"{len(bundled_scripts())} scripts OK")
