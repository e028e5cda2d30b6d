"""Resuming a session whose script changed since it stopped: refused in one line that
says what changed, and `--restart` starts it again (issue 19, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

from cli import isolated_env, run_coach

SCRIPT = """\
workout: Bridges
exercises:
  - name: Bridge
    sets: 2
    reps: {reps}
    rest: 1
    tempo: {{setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}}
"""

FAST = ("--no-audio", "--speed", "50", "--plain", "--no-listen")


def test_resume_after_the_script_changed(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    script = tmp_path / "bridges.yaml"
    script.write_text(SCRIPT.format(reps=3), encoding="utf-8")
    stopped = run_coach("run", str(script), *FAST, "--commands", "12:stop", env=env, timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    script.write_text(SCRIPT.format(reps=4), encoding="utf-8")

    refused = run_coach("resume", *FAST, env=env, timeout=60)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr == (
        f"coach: {script} changed since session 1 stopped ('Bridge' has 4 reps per set, not 3), "
        "so its reps no longer line up; `coach resume --restart` starts it again from the "
        "beginning\n"
    )

    restarted = run_coach("resume", "--restart", *FAST, env=env, timeout=60)
    assert restarted.returncode == 0, restarted.stderr
    sessions = json.loads(run_coach("history", "--json", env=env, timeout=30).stdout)
    assert [(s["id"], s["status"], s["completed_reps"], s["planned_reps"]) for s in sessions] \
        == [(2, "completed", 8, 8), (1, "stopped", sessions[1]["completed_reps"], 6)]


def test_resume_of_an_unchanged_script_goes_on(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    script = tmp_path / "bridges.yaml"
    script.write_text(SCRIPT.format(reps=3), encoding="utf-8")
    run_coach("run", str(script), *FAST, "--commands", "12:stop", env=env, timeout=60)
    script.write_text(SCRIPT.format(reps=3).replace("rest: 1", "rest: 2"), encoding="utf-8")
    resumed = run_coach("resume", *FAST, env=env, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    sessions = json.loads(run_coach("history", "--json", env=env, timeout=30).stdout)
    assert [(s["status"], s["completed_reps"]) for s in sessions] == [("completed", 6)]
