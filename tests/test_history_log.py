"""Schema version 4: the training log, practice runs, resumes and duration, on real SQLite
files — and the upgrade of a file written by version 3 with nothing lost."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from coach.history.journal import BufferedWrites, ValueSaid
from coach.history.store import SCHEMA_VERSION, History

V3_FILE = Path(__file__).parent / "data" / "history_v3.sqlite3"  # see make_history_v3.py


def _rows(db: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


def _columns(db: Path, table: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def test_a_version_3_file_upgrades_in_place_keeping_every_row(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copy(V3_FILE, db)
    tables = ("sessions", "reps", "commands", "session_shapes", "work")
    before = {table: _rows(db, table) for table in tables}
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 3
    assert sum(len(rows) for rows in before.values()) > 10

    with History.open(db) as history:
        records = {r.id: r for r in history.sessions()}
        sets = history.sets()

    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    for table in tables:
        after = _rows(db, table)
        # Each old row is still there, unchanged, with the new columns' defaults after it.
        assert [row[: len(old)] for row, old in zip(after, before[table], strict=True)] == before[
            table
        ], table
    assert {"practice", "resumed", "resumed_at", "earlier_seconds"} <= set(_columns(db, "sessions"))
    assert "tempo_seconds" in _columns(db, "reps")
    assert _columns(db, "set_values")[1:] == [
        "session_id", "step_key", "exercise", "side", "set_number", "kind", "value", "unit",
        "logged_at",
    ]  # fmt: skip
    assert [r.practice for r in records.values()] == [False, False, False]
    assert [r.resumed for r in records.values()] == [0, 0, 0]
    assert records[1].completed_reps == 6 and records[1].duration is not None
    assert records[3].duration is None  # never finished
    assert records[2].seconds_held == 30.0
    assert [(s.session_id, s.exercise, [(d.side, d.reps) for d in s.sides])
            for s in sets if s.reps] == [
        (1, "Dead bug", [("left", 3), ("right", 3)]), (3, "Goblet squat", [(None, 1)])
    ]  # fmt: skip


def test_a_version_3_file_read_only_is_read_upgraded_and_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copy(V3_FILE, db)
    bytes_before = db.read_bytes()
    with History.open(db, read_only=True) as history:
        assert [r.id for r in history.sessions()] == [3, 2, 1]
        assert history.sets(1)[0].values == {}
    assert db.read_bytes() == bytes_before


def test_logged_values_correct_the_earlier_and_keep_it(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("bench", "/s/bench.yaml", "Bench", 8)
        for rep in range(1, 9):
            history.record_rep(sid, f"0/-/1/{rep}", "Bench press", None, 1, rep, 3.5)
        writes = BufferedWrites(history, lambda message: None)
        writes.write(ValueSaid(sid, "0/-/1", "Bench press", None, 1, "load", 60.0, "kg"))
        writes.write(ValueSaid(sid, "0/-/1", "Bench press", None, 1, "rpe", 8.0, None))
        writes.write(ValueSaid(sid, "0/-/1", "Bench press", None, 1, "load", 62.5, "kg"))
        with pytest.raises(ValueError, match="value kind"):
            history.record_value(sid, "0/-/1", "Bench press", None, 1, "weight", 1.0)
    # Committed as they were written: a second connection sees them at once.
    assert len(_rows(db, "set_values")) == 3
    with History.open(db, read_only=True) as history:
        (only,) = history.sets(sid)
    assert (only.reps, only.tempo_seconds, only.value("load"), only.value("rpe")) == (
        8, 28.0, 62.5, 8.0
    )  # fmt: skip
    assert only.values["load"].corrected == 1 and only.values["load"].unit == "kg"


def test_practice_runs_are_marked_and_can_be_left_out(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        real = history.start_session("a", "/a.yaml", "A", 1)
        fast = history.start_session("a", "/a.yaml", "A", 1, practice=True)
        for sid in (real, fast):
            history.record_rep(sid, "0/-/1/1", "Squat", None, 1, 1)
        assert [s.session_id for s in history.sets(practice=False)] == [real]
        assert [s.session_id for s in history.sets()] == [real, fast]
        record = history.get(fast)
        assert record is not None and record.practice and record.to_json()["practice"] is True


def test_resume_counts_and_duration_leaves_out_the_time_stopped(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 2)
        history.finish_session(sid, "stopped")
    conn = sqlite3.connect(db)
    conn.execute(  # ran ten minutes, yesterday
        "UPDATE sessions SET started = '2026-01-01T10:00:00.000+00:00',"
        " ended = '2026-01-01T10:10:00.000+00:00' WHERE id = ?", (sid,)
    )  # fmt: skip
    conn.commit()
    conn.close()
    with History.open(db) as history:
        history.reopen_session(sid)
        history.finish_session(sid, "completed")
        record = history.get(sid)
    assert record is not None and record.resumed == 1
    assert record.duration is not None and 600.0 <= record.duration < 610.0
    assert record.to_json()["resumed"] == 1
