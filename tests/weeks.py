"""A history of a few simulated weeks, written through History into a real SQLite file.

History stamps sessions with the time they are written; the dates are then moved to
spread the sessions over the weeks, as if they had been done then.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from coach.history.store import History

FIRST_MONDAY = date(2026, 1, 5)
TODAY = date(2026, 2, 1)  # a Sunday: the fourth week is this week
BENCH_TEMPO = 4.0  # seconds a rep: 1 drive, 1 hold, 2 lower


def _stamp(db: Path, session_id: int, day: date, minutes: float) -> None:
    start = datetime(day.year, day.month, day.day, 18, 0, tzinfo=timezone.utc)
    end = start + timedelta(minutes=minutes)
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE sessions SET started = ?, ended = ? WHERE id = ?",
        (start.isoformat(timespec="milliseconds"), end.isoformat(timespec="milliseconds"),
         session_id),
    )  # fmt: skip
    conn.commit()
    conn.close()


def build(db: Path) -> None:
    """4 weeks, Monday and Thursday: bench press 3×8, two reps more a week and 2.5 kg more
    a session (RPE logged); a plank held 5 s longer each session; and one practice run
    with a silly load that stats must leave out."""
    with History.open(db) as history:
        for number in range(8):
            day = FIRST_MONDAY + timedelta(weeks=number // 2, days=3 * (number % 2))
            sid = history.start_session("bench", "/s/bench.yaml", "Bench day", 24)
            load = 60.0 + 2.5 * number
            for set_number in (1, 2, 3):
                for rep in range(1, 9):
                    history.record_rep(sid, f"0/-/{set_number}/{rep}", "Bench press", None,
                                       set_number, rep, BENCH_TEMPO)  # fmt: skip
                history.record_value(sid, f"0/-/{set_number}", "Bench press", None, set_number,
                                     "load", load, "kg")  # fmt: skip
                history.record_value(sid, f"0/-/{set_number}", "Bench press", None, set_number,
                                     "rpe", 7.0 + set_number / 2)  # fmt: skip
            history.record_work(sid, "1/-/1/hold", "Plank", None, 1, "hold", 30.0 + 5 * number,
                                None)  # fmt: skip
            history.finish_session(sid, "completed")
            _stamp(db, sid, day, 40)
        practice = history.start_session("bench", "/s/bench.yaml", "Bench day", 24, practice=True)
        history.record_rep(practice, "0/-/1/1", "Bench press", None, 1, 1, BENCH_TEMPO)
        history.record_value(practice, "0/-/1", "Bench press", None, 1, "load", 250.0, "kg")
        history.finish_session(practice, "completed")
        _stamp(db, practice, TODAY, 1)
