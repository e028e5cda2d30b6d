"""Histories of every kind of work over a given span, written through History into a real
SQLite file: a week of a new user's sessions (two on one day), or a year of them.

Each session: a loaded bench press (3 sets of 5), a plank held, a Tabata of squats,
an EMOM of push-ups and an AMRAP of burpees, as `coach run` records them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from coach.history.store import History

WEEK_TODAY = date(2026, 3, 8)  # a Sunday
# A new user's first week: Monday, Wednesday morning and evening, Friday, Sunday.
WEEK = tuple(
    datetime(2026, 3, day, hour, 0, tzinfo=timezone.utc)
    for day, hour in ((2, 18), (4, 7), (4, 19), (6, 18), (8, 10))
)
YEAR_TODAY = date(2026, 12, 31)
# Three sessions a week for a year, with a fortnight off in August.
YEAR = tuple(
    datetime(2026, 1, 5, 18, 0, tzinfo=timezone.utc) + timedelta(weeks=week, days=day)
    for week in range(51)
    for day in (0, 2, 4)
    if week not in (31, 32)
)


def build_kinds(db: Path, starts: Sequence[datetime]) -> None:
    with History.open(db) as history:
        # A fixture of a few thousand writes: each needn't reach the disk before the next.
        history._conn.execute("PRAGMA synchronous = OFF")
        for n, start in enumerate(starts):
            sid = history.start_session("all", "/s/all.yaml", "Every kind", 15)
            for set_number in (1, 2, 3):
                for rep in range(1, 6):
                    history.record_rep(sid, f"0/-/{set_number}/{rep}", "Bench press", None,
                                       set_number, rep, 4.0)  # fmt: skip
                history.record_value(sid, f"0/-/{set_number}", "Bench press", None, set_number,
                                     "load", 60.0 + 2.5 * (n // 3), "kg")  # fmt: skip
            held = 30.0 + n // 6 + 3 * (n % 2)  # longer, with a better and a worse day
            history.record_work(sid, "1/-/1/hold", "Plank", None, 1, "hold", held, None)
            for interval in range(1, 9):
                history.record_work(sid, f"2/-/1/{interval}", "Squats", None, 1, "interval",
                                    20.0, None)  # fmt: skip
            for minute in range(1, 9):
                history.record_work(sid, f"3/-/1/m{minute}", "Push-ups", None, 1, "emom", 60.0,
                                    None)  # fmt: skip
            rounds = 4 + n // 30 + n % 3  # more, by fits and starts
            for done in range(1, rounds + 1):
                history.record_work(sid, f"4/-/1/round{done}", "Burpees", None, 1, "round", 0.0,
                                    1)  # fmt: skip
            history.record_work(sid, "4/-/1", "Burpees", None, 1, "amrap", 300.0, rounds)
            history.finish_session(sid, "completed")
            _stamp(history, sid, start, 35)


def _stamp(history: History, session_id: int, start: datetime, minutes: float) -> None:
    end = start + timedelta(minutes=minutes)
    conn: sqlite3.Connection = history._conn
    conn.execute(
        "UPDATE sessions SET started = ?, ended = ? WHERE id = ?",
        (start.isoformat(timespec="milliseconds"), end.isoformat(timespec="milliseconds"),
         session_id),
    )  # fmt: skip
