"""The history's journal (issue 31, item 4): each write is a typed record that takes its
time when it is made, so a write held back and replayed a day later keeps the time it
happened, and a session resumed after the replay keeps its duration. Real SQLite files."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from coach.history.journal import (
    BufferedWrites,
    CommandTaken,
    RepDone,
    RoundsForgotten,
    SessionEnded,
    ValueSaid,
    WorkDone,
    Write,
    from_json,
    journal_path,
    replay,
    to_json,
)
from coach.history.store import History

YESTERDAY = "2026-01-01T10:{:02d}:00.000+00:00"


def _started_yesterday(db: Path) -> int:
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 2)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sessions SET started = ? WHERE id = ?", (YESTERDAY.format(0), sid))
    conn.commit()
    conn.close()
    return sid


def _column(db: Path, sql: str) -> list[object]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute(sql)]
    finally:
        conn.close()


def test_writes_held_yesterday_and_replayed_today_keep_their_times(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    sid = _started_yesterday(db)
    # Yesterday: the history can't be written (opened read-only here, as a full disk or a
    # lock would refuse it), so every write is held and kept in the journal.
    warned: list[str] = []
    with History.open(db, read_only=True) as history:
        writes = BufferedWrites(history, warned.append, final_wait=0.0)
        for write in (
            RepDone(sid, "0/-/1/1", "Squat", None, 1, 1, 3.0, at=YESTERDAY.format(2)),
            RepDone(sid, "0/-/1/2", "Squat", None, 1, 2, 3.0, at=YESTERDAY.format(4)),
            ValueSaid(sid, "0/-/1", "Squat", None, 1, "load", 80.0, "kg", at=YESTERDAY.format(5)),
            WorkDone(sid, "1/-/1", "Plank", None, 1, "hold", 30.0, None, at=YESTERDAY.format(8)),
            CommandTaken(sid, 590.0, "stop", "voice", at=YESTERDAY.format(9)),
            SessionEnded(sid, "stopped", at=YESTERDAY.format(10)),
        ):
            writes.write(write)
        writes.close()
        assert writes.held == 6
    assert warned[0].startswith("history is not being saved")
    assert "6 history writes could not be saved; they are kept in" in warned[-1]

    # Today: the journal is replayed, then the session is resumed and finished.
    with History.open(db) as history:
        assert replay(history) == 6
        assert not journal_path(history).exists()
        stopped = history.get(sid)
        assert stopped is not None and stopped.ended == YESTERDAY.format(10)
        assert stopped.duration == 600.0
        history.reopen_session(sid)
        history.finish_session(sid, "completed")
        finished = history.get(sid)
    assert _column(db, "SELECT completed_at FROM reps ORDER BY id") == [
        YESTERDAY.format(2), YESTERDAY.format(4)
    ]  # fmt: skip
    assert _column(db, "SELECT logged_at FROM set_values") == [YESTERDAY.format(5)]
    assert _column(db, "SELECT completed_at FROM work") == [YESTERDAY.format(8)]
    assert _column(db, "SELECT heard_at FROM commands") == [YESTERDAY.format(9)]
    # Ten minutes yesterday and the moment it ran today; not the day it lay stopped.
    assert finished is not None and finished.status == "completed"
    assert finished.duration is not None and 600.0 <= finished.duration < 610.0


def test_a_write_takes_its_time_when_it_is_made() -> None:
    first = RepDone(1, "0/-/1/1", "Squat", None, 1, 1, None)
    assert first.at.endswith("+00:00")
    assert from_json(to_json(first)) == first  # the time goes with it into the journal


def test_every_type_of_write_goes_through_the_journal_unchanged() -> None:
    for write in (
        RepDone(1, "0/-/1/1", "Squat", "left", 1, 1, None),
        WorkDone(1, "1/-/1", "AMRAP", None, 1, "amrap", 300.0, 7),
        RoundsForgotten(1, "1/-/1"),
        ValueSaid(1, "0/-/1", "Squat", None, 1, "rpe", 8.0, None),
        CommandTaken(1, 12.5, "next", "keyboard"),
        SessionEnded(1, "completed"),
    ):
        line = json.loads(to_json(write))
        assert line["type"] == write.TYPE
        assert from_json(to_json(write)) == write


@pytest.mark.parametrize(
    "line",
    [
        '{"type": "start_session", "session_id": 1}',  # no such type: not any History method
        '{"type": "rep", "session_id": 1}',  # fields missing
        '{"type": "finish", "session_id": 1, "status": "completed", "at": "x"}',  # no time
        '{"type": "finish", "session_id": 1, "status": "deleted", '
        '"at": "2026-01-01T10:00:00.000+00:00"}',
        '{"type": "command", "session_id": "1", "t": 1.0, "command": "next", "source": "v", '
        '"at": "2026-01-01T10:00:00.000+00:00"}',  # a field of the wrong type
        '{"type": "forget_rounds", "session_id": 1, "step_key": "1/-/1", "sql": "DROP"}',
        '{"kind": "close", "args": []}',  # the old form, naming a method that is no write
        '{"kind": "record_value", "args": [1, "0/-/1", "Squat", null, 1, "weight", 1, null]}',
        '{"type": "rep", "session_id": 1, "step_ke',  # cut short by a full disk
        "[1, 2]",
    ],
)
def test_a_line_that_is_no_known_write_is_skipped_with_one_warning(
    tmp_path: Path, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 2)
        good = CommandTaken(sid, 1.0, "next", "voice")
        journal_path(history).write_text(f"{line}\n{to_json(good)}\n", encoding="utf-8")
        with caplog.at_level(logging.WARNING, logger="coach.history.journal"):
            assert replay(history) == 1
    skipped = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(skipped) == 1 and ".journal:1 skipped" in skipped[0].getMessage()
    assert _column(db, "SELECT command FROM commands") == ["next"]


def test_a_journal_of_the_older_untyped_form_still_replays(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 1)
        old = [
            {"kind": "record_rep", "args": [sid, "0/-/1/1", "Squat", None, 1, 1, 2.5]},
            {"kind": "record_value", "args": [sid, "0/-/1", "Squat", None, 1, "load", 80, "kg"]},
            {"kind": "record_command", "args": [sid, 3.0, "next", "voice"]},
            {"kind": "finish_session", "args": [sid, "completed"]},
        ]
        journal_path(history).write_text(
            "".join(json.dumps(entry) + "\n" for entry in old), encoding="utf-8"
        )
        assert replay(history) == 4
        record = history.get(sid)
        (done,) = history.sets(sid)
    assert record is not None and (record.status, record.completed_reps) == ("completed", 1)
    assert (done.reps, done.tempo_seconds, done.value("load")) == (1, 2.5, 80.0)


def test_a_replay_the_history_refuses_keeps_the_journal_for_next_time(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 1)
    journal = db.with_name(db.name + ".journal")
    writes: list[Write] = [CommandTaken(sid, 1.0, "next", "voice"), SessionEnded(sid, "completed")]
    journal.write_text("".join(to_json(w) + "\n" for w in writes), encoding="utf-8")
    with History.open(db, read_only=True) as history:
        assert replay(history) == 0
    assert [from_json(line) for line in journal.read_text().splitlines()] == writes
    with History.open(db) as history:
        assert replay(history) == 2
    assert not journal.exists()


def test_a_journalled_write_of_a_session_since_deleted_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with History.open(db) as history:
        sid = history.start_session("a", "/a.yaml", "A", 1)
        journal_path(history).write_text(
            to_json(SessionEnded(sid + 1, "completed")) + "\n"
            + to_json(SessionEnded(sid, "completed")) + "\n",
            encoding="utf-8",
        )  # fmt: skip
        assert replay(history) == 1
        record = history.get(sid)
    assert record is not None and record.status == "completed"
