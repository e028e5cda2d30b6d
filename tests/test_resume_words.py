"""What `coach resume` says about where it starts again, in the words of the kind of
work left (issue 30, item 14): never "rep 7 of 6" or "rep 1" for a hold, never "the rest
after round 3" when round 3 is only half done."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli import isolated_env, run_coach

HOLDS = """\
workout: Holds
exercises:
  - {name: Plank, seconds: 5, sets: 6, rest: 5, countdown: 0, tempo: {setup: 2}}
"""
MIXED = """\
workout: Mixed
exercises:
  - {name: Squat, reps: 3, sets: 2, rest: 5, countdown: 0,
     tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}}
  - {name: Plank, seconds: 5, sets: 6, rest: 5, countdown: 0, tempo: {setup: 2}}
"""
NAMED_INTERVALS = """\
workout: Named
exercises:
  - name: Legs
    rounds: 4
    countdown: 0
    tempo: {setup: 2}
    intervals:
      - {name: Squats, work: 10, rest: 5}
      - {name: Lunges, work: 10, rest: 5}
"""
EMOM = """\
workout: E
exercises:
  - {name: Swings, emom: 5, reps: 10, tempo: {setup: 3}, countdown: 0}
"""
CIRCUIT = """\
workout: Circ
exercises:
  - circuit: Core
    rounds: 3
    rest: 10
    exercises:
      - {name: Plank, seconds: 10, tempo: {setup: 2}, countdown: 0}
      - {name: Dead bug, reps: 2, sides: [left, right], countdown: 0,
         tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}}
"""


@pytest.mark.parametrize(
    ("text", "stop_at", "where"),
    [
        (HOLDS, 20, "Plank, set 3 of 6"),  # was "rep 1"
        (MIXED, 60, "Plank, set 3 of 6"),  # was "rep 7 of 6"
        (MIXED, 10, "rep 3 of 6"),
        (NAMED_INTERVALS, 80, "round 3 of 4 (Lunges)"),  # was "the rest after round 3 of 4"
        (EMOM, 150, "minute 3 of 5"),  # was "rep 1"
        (CIRCUIT, 20, "round 1 of 3, Dead bug, left side"),
    ],
)
def test_resume_says_where_in_the_words_of_the_work_left(
    tmp_path: Path, text: str, stop_at: float, where: str
) -> None:
    env = isolated_env(tmp_path)
    script = tmp_path / "w.yaml"
    script.write_text(text, encoding="utf-8")
    fast = ("--no-audio", "--speed", "50", "--plain", "--no-listen")
    stopped = run_coach("run", str(script), *fast, "--commands", f"{stop_at}:stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    resumed = run_coach("resume", *fast, "--commands", "1:stop", env=env)
    assert resumed.returncode == 0, resumed.stderr
    workout = text.split("\n", 1)[0].removeprefix("workout: ")
    assert resumed.stderr.splitlines()[0] == f"Resuming session 1 ({workout}) at {where}."
