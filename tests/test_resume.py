"""A session killed with SIGKILL loses at most the rep in progress; resume finishes it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli import REPO, coach, coach_env, json_lines

from coach.history.store import History
from coach.plan import expand
from coach.script.loader import load_workout


def _wait_for_reps(db: Path, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            with History.open(db) as history:
                sessions = history.sessions()
                if sessions and sessions[0].completed_reps >= at_least:
                    return
        time.sleep(0.05)
    raise AssertionError(f"no {at_least} completed reps within {timeout}s")


def test_sigkill_loses_at_most_the_rep_in_progress_and_resume_finishes(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "run", "demo", "--no-audio", "--speed", "15", "--json"],
        cwd=REPO,
        env=coach_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_for_reps(db, at_least=2)
        time.sleep(0.25)  # let it get into the middle of a rep
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL

    started_reps = {
        (e["exercise"], e["side"], e["set"], e["rep"])
        for e in json_lines(out)
        if e["event"] == "phase" and e["rep"] is not None
    }
    history = json.loads(coach("history", "--json", home=tmp_path, check=True).stdout)
    assert len(history) == 1
    killed = history[0]
    assert killed["status"] == "interrupted"
    assert killed["completed_reps"] >= len(started_reps) - 1  # at most the rep in progress lost
    assert killed["planned_reps"] == load_workout("demo").planned_reps

    with History.open(db) as h:
        done_keys = h.completed_step_keys(killed["id"])
        last_key = h.last_completed_step_key(killed["id"])
    plan = expand(load_workout("demo"))
    next_rep = plan.steps[plan.resume_start(done_keys, last_key)]

    resumed = coach("resume", "--no-audio", "--speed", "50", "--json", home=tmp_path, check=True)
    events = json_lines(resumed.stdout)
    first_phase = next(e for e in events if e["event"] == "phase")
    assert first_phase["phase"] == "setup"  # set up again before the interrupted rep
    assert (first_phase["exercise"], first_phase["side"], first_phase["set"]) == (
        next_rep.exercise, next_rep.side, next_rep.set,
    )
    first_rep = next(e for e in events if e["event"] == "phase" and e["rep"] is not None)
    expected = next(
        s for s in plan.steps[plan.resume_start(done_keys, last_key):]
        if s.rep_key is not None and s.rep_key not in done_keys
    )
    assert (first_rep["set"], first_rep["side"], first_rep["rep"]) == (
        expected.set, expected.side, expected.rep,
    )
    assert events[-1]["event"] == "done"
    assert events[-1]["completed_reps"] == events[-1]["planned_reps"]

    after = json.loads(coach("history", "--json", home=tmp_path, check=True).stdout)
    assert len(after) == 1  # resume continues the same entry
    assert after[0]["status"] == "completed"
    assert after[0]["completed_reps"] == after[0]["planned_reps"]
    # Marked: resumed once; run with --no-audio, so practice; and how long it ran.
    assert after[0]["resumed"] == 1 and after[0]["practice"] is True
    assert after[0]["duration_seconds"] > 0
    listing = coach("history", home=tmp_path, check=True).stdout.splitlines()
    assert listing[1].endswith("(practice, resumed)")
    with History.open(db) as h:
        sets = h.sets(killed["id"])
    assert sum(s.reps for s in sets) == after[0]["planned_reps"]
    assert all(s.tempo_seconds > 0 for s in sets if s.reps)  # from the plan's tempo


def test_resume_with_nothing_to_resume_says_so(tmp_path: Path) -> None:
    result = coach("resume", "--no-audio", home=tmp_path)
    assert result.returncode == 2
    assert "no unfinished session" in result.stderr
