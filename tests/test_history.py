"""History against real SQLite files, including a process killed with SIGKILL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import platformdirs
import pytest

from coach.base.errors import CoachError
from coach.history.store import History, history_path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_round_trip_survives_reopen(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("hip-thrust", "/s/hip.yaml", "Single-leg hip thrust", 48)
        history.record_rep(sid, "0/1/left/1", "Single-leg hip thrust", "left", 1, 1)
        history.record_rep(sid, "0/1/left/2", "Single-leg hip thrust", "left", 1, 2)
        history.record_command(sid, 12.5, "pause", "voice")
        history.finish_session(sid, "completed")

    with History.open(db) as history:
        record = history.get(sid)
        assert record is not None
        assert (record.script, record.script_path, record.workout) == (
            "hip-thrust",
            "/s/hip.yaml",
            "Single-leg hip thrust",
        )
        assert record.status == record.display_status == "completed"
        assert record.completed_reps == 2
        assert record.planned_reps == 48
        assert record.ended is not None and record.ended >= record.started
        assert record.started.endswith("+00:00")
        assert history.completed_step_keys(sid) == {"0/1/left/1", "0/1/left/2"}
        assert history.last_completed_step_key(sid) == "0/1/left/2"
        assert history.get(sid + 1) is None

        payload = json.loads(json.dumps([r.to_json() for r in history.sessions()]))
        assert {"id", "script", "started", "ended", "status", "completed_reps", "planned_reps"} <= (
            payload[0].keys()
        )
        assert payload[0]["workout"] == "Single-leg hip thrust"

    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert raw.execute("SELECT t, command, source FROM commands").fetchall() == [
            (12.5, "pause", "voice")
        ]


def test_repeated_rep_counts_once_and_last_is_by_completion_order(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("s", "s.yaml", "W", 3)
        history.record_rep(sid, "a", "Bridge", None, 1, 1)
        history.record_rep(sid, "b", "Bridge", None, 1, 2)
        history.record_rep(sid, "a", "Bridge", None, 1, 1)  # athlete said "back" twice
        record = history.get(sid)
        assert record is not None and record.completed_reps == 2
        assert history.completed_step_keys(sid) == {"a", "b"}
        assert history.last_completed_step_key(sid) == "a"
        other = history.start_session("s", "s.yaml", "W", 3)
        assert history.last_completed_step_key(other) is None
        assert history.completed_step_keys(other) == set()


def test_sessions_newest_first_and_latest_unfinished_skips_completed(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as history:
        assert history.latest_unfinished() is None
        first = history.start_session("one", "1.yaml", "W", 1)
        history.finish_session(first, "stopped")
        second = history.start_session("two", "2.yaml", "W", 1)
        history.finish_session(second, "completed")
        assert [r.id for r in history.sessions()] == [second, first]
        latest = history.latest_unfinished()
        assert latest is not None and latest.id == first and latest.status == "stopped"

        history.reopen_session(first)
        reopened = history.get(first)
        assert reopened is not None
        assert (reopened.status, reopened.ended) == ("running", None)
        assert reopened.display_status == "running"  # this very process holds it
        history.finish_session(first, "completed")
        assert history.latest_unfinished() is None


def test_bad_status_and_unknown_session_are_refused(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as history:
        sid = history.start_session("s", "s.yaml", "W", 1)
        with pytest.raises(ValueError):
            history.finish_session(sid, "running")
        with pytest.raises(CoachError, match="no session 999"):
            history.reopen_session(999)
        with pytest.raises(sqlite3.IntegrityError):
            history.record_rep(999, "a", "Bridge", None, 1, 1)


def test_running_session_of_dead_process_is_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("s", "s.yaml", "W", 4)
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE sessions SET pid = ? WHERE id = ?", (_dead_pid(), sid))
    with History.open(db) as history:
        record = history.get(sid)
        assert record is not None
        assert record.status == "running"
        assert record.display_status == "interrupted"
        assert record.to_json()["status"] == "interrupted"
        unfinished = history.latest_unfinished()
        assert unfinished is not None and unfinished.id == sid


def test_coach_home_is_respected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "nested" / "coach-home"
    monkeypatch.setenv("COACH_HOME", str(home))
    assert history_path() == home / "history.sqlite3"
    with History.open() as history:
        history.start_session("s", "s.yaml", "W", 1)
    assert (home / "history.sqlite3").is_file()

    monkeypatch.delenv("COACH_HOME")
    assert history_path() == Path(platformdirs.user_data_dir("coach")) / "history.sqlite3"


def test_corrupt_file_is_a_one_line_coach_error(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is not sqlite, just garbage bytes\x00\xff" * 200)
    with pytest.raises(CoachError) as info:
        History.open(db)
    message = str(info.value)
    assert "\n" not in message
    assert str(db) in message
    assert "aside" in message


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(CoachError, match="newer"):
        History.open(db)


@pytest.mark.slow
def test_committed_reps_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from coach.history.store import History

        history = History.open(Path({str(db)!r}))
        sid = history.start_session("s", "s.yaml", "W", 50)
        for rep in range(1, 51):
            history.record_rep(sid, f"k{{rep}}", "Bridge", None, 1, rep)
        history.record_command(sid, 3.0, "stop", "keyboard")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()

    with History.open(db) as history:
        (record,) = history.sessions()
        assert record.completed_reps == 50
        assert history.completed_step_keys(record.id) == {f"k{n}" for n in range(1, 51)}
        assert history.last_completed_step_key(record.id) == "k50"
        assert record.display_status == "interrupted"
        latest = history.latest_unfinished()
        assert latest is not None and latest.id == record.id
