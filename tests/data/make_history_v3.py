"""Writes history_v3.sqlite3: a history file as schema version 3 made it.

Run once, with coach/history.py as committed on main at 2bcd6c8 (schema v3):
    COACH_HOME= .venv/bin/python tests/data/make_history_v3.py
The file is committed; don't regenerate it with a newer coach, or the migration
test stops testing the upgrade from version 3.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coach.history import SCHEMA_VERSION, History

assert SCHEMA_VERSION == 3, "make this file with the version 3 code"
path = Path(__file__).with_name("history_v3.sqlite3")
for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
    leftover.unlink(missing_ok=True)
with History.open(path) as h:
    a = h.start_session("deadbug", "/scripts/deadbug.yaml", "Dead bug", 6)
    h.save_shape(a, '[{"name": "Dead bug", "sides": ["left", "right"], "sets": 1, "reps": 3}]')
    for side in ("left", "right"):
        for rep in (1, 2, 3):
            h.record_rep(a, f"0/{side}/1/{rep}", "Dead bug", side, 1, rep)
    h.record_command(a, 12.5, "pause", "voice")
    h.record_command(a, 20.0, "resume", "keyboard")
    h.finish_session(a, "completed")
    b = h.start_session("plank", "/scripts/plank.yaml", "Plank", 0)
    h.save_shape(b, '[{"name": "Plank", "sides": [], "sets": 2, "reps": 1, "kind": "hold"}]')
    h.record_work(b, "0/-/1/hold", "Plank", None, 1, "hold", 30.0, None)
    h.record_work(b, "0/-/2/round1", "Burpees", None, 2, "round", 0.0, 1)
    h.finish_session(b, "stopped")
    c = h.start_session("goblet", "/scripts/goblet.yaml", "Goblet squat", 8)
    h.record_rep(c, "0/-/1/1", "Goblet squat", None, 1, 1)
    h.record_rep(c, "0/-/1/1", "Goblet squat", None, 1, 1)  # again after "back"
# Fold the WAL into the file so that one file is the whole history.
conn = sqlite3.connect(path)
conn.execute("PRAGMA journal_mode = DELETE")
conn.close()
print(path)
