"""A resumed AMRAP starts again, and only the new attempt's rounds count: the history
says what the coach says at "Time!" (issue 30, item 2). Killed with SIGKILL, as in the
issue, over a real SQLite history."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli import REPO, isolated_env, json_lines, run_coach
from simulate import of

from coach.app.launch import HistoryTarget, launch
from coach.app.options import RunOptions
from coach.history.store import History
from coach.plan import expand
from coach.script.loader import load_workout
from coach.session.scripted import parse_commands
from coach.session.speech import EstimatedSpeech

AMRAP = """\
workout: Two minutes
exercises:
  - name: Mixed
    amrap: 2
    countdown: 0
    tempo: {setup: 1}
"""


def _rounds(db: Path) -> int:
    if not db.exists():
        return 0
    with History.open(db, read_only=True) as history:
        found = history.get(1)
    return 0 if found is None else found.rounds


def test_a_killed_amrap_resumed_counts_only_the_new_attempt(tmp_path: Path) -> None:
    script = tmp_path / "amrap.yaml"
    script.write_text(AMRAP, encoding="utf-8")
    env = isolated_env(tmp_path)
    db = tmp_path / "history.sqlite3"
    run = subprocess.Popen(
        [sys.executable, "-m", "coach", "run", str(script), "--no-audio", "--speed", "10",
         "--json", "--no-listen", "--commands", "3:done,4:done,5:done"],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while _rounds(db) < 3:  # the three rounds are saved as they are said
            assert time.monotonic() < deadline, "three rounds were never saved"
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
    finally:
        run.kill()
    shown = run_coach("history", "show", "1", env=env)
    assert "interrupted · no end saved" in shown.stdout  # not "still running"

    resumed = run_coach("resume", "--no-audio", "--speed", "50", "--json", "--no-listen",
                        "--commands", "10:done,20:done", env=env)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.startswith(
        "Resuming session 1 (Two minutes) at the start of Mixed: the AMRAP starts again; only "
        "its new rounds count.\n"
    )
    said = [e["text"] for e in of(json_lines(resumed.stdout), "say")]
    assert "Time! 2 rounds." in said
    session = json.loads(run_coach("history", "show", "1", "--json", env=env).stdout)
    assert session["status"] == "completed" and session["rounds"] == 2
    assert [s["rounds"] for s in session["sets"]] == [2]


def test_back_in_an_amrap_starts_it_again_in_the_history_too(tmp_path: Path) -> None:
    script = tmp_path / "amrap.yaml"
    script.write_text(AMRAP, encoding="utf-8")
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("amrap", str(script), "Two minutes", 0)
        out = io.StringIO()
        options = RunOptions(simulate=True, json=True, auto_next=3.0,
                             commands=tuple(parse_commands("10:done,20:done,30:back,40:done")))
        launch(expand(load_workout(str(script))), options, speech=EstimatedSpeech(), out=out,
               record=HistoryTarget(history, sid))  # fmt: skip
        record = history.get(sid)
    said = [e["text"] for e in of(json_lines(out.getvalue()), "say")]
    assert "Time! 1 round." in said
    assert record is not None and record.rounds == 1
