"""A history edited by hand, or damaged, never stops a run or a report (issue 30, item 7):
a row that can't be right is skipped with one warning naming it, and a schema version
that says less than the file holds is upgraded over what is there."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from cli import isolated_env, run_coach

LIFT = """\
workout: Lift
exercises:
  - name: Bench press
    reps: 2
    sets: 1
    log: [load]
    progression: {start_load: 60, add_load: 2.5}
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
    rest: 20
"""
ONE_SET = "Bench press          1     2"


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history of one session of the script above, its set logged at 60 kg."""
    home = tmp_path_factory.mktemp("logged")
    (home / "lift.yaml").write_text(LIFT, encoding="utf-8")
    done = run_coach("run", str(home / "lift.yaml"), "--no-audio", "--speed", "50", "--plain",
                     "--commands", "25:log 60", env=isolated_env(home))  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = run_coach("history", "show", "1", env=isolated_env(home)).stdout
    assert f"{ONE_SET}  60 kg" in shown
    return home


def _copy(logged: Path, tmp_path: Path, sql: str) -> dict[str, str]:
    shutil.copy(logged / "lift.yaml", tmp_path / "lift.yaml")
    shutil.copy(logged / "history.sqlite3", tmp_path / "history.sqlite3")
    conn = sqlite3.connect(tmp_path / "history.sqlite3")
    conn.execute(sql)
    conn.commit()
    conn.close()
    return isolated_env(tmp_path)


@pytest.mark.parametrize(
    ("value", "said"),
    [("1e309", "load inf is out of range"), ("1e12", "load 1e+12 is out of range"),
     ("'eighty'", "load 'eighty' is not a number")],
)  # fmt: skip
def test_a_bad_logged_value_is_skipped_with_one_warning(
    logged: Path, tmp_path: Path, value: str, said: str
) -> None:
    env = _copy(logged, tmp_path, f"UPDATE set_values SET value = {value}")
    warning = (f"WARNING coach.history.store: history {tmp_path / 'history.sqlite3'}: skipped "
               f"set_values row 1 (session 1, Bench press set 1): {said}")  # fmt: skip
    for command in (["stats", "--practice"], ["history", "show", "1"],
                    ["run", str(tmp_path / "lift.yaml"), "--no-audio", "--speed", "50",
                     "--plain"]):  # fmt: skip
        result = run_coach(*command, env=env)
        assert (result.returncode, result.stderr.splitlines()) == (0, [warning]), command
    stats = run_coach("stats", "--practice", env=env).stdout
    assert "volume" not in stats and "reps 4" in stats  # the two sessions' reps, no load
    shown = run_coach("history", "show", "1", env=env).stdout
    assert shown.splitlines()[-1] == ONE_SET
    sessions = json.loads(run_coach("history", "--json", env=env).stdout)
    assert [s["status"] for s in sessions] == ["completed", "completed"]  # none interrupted


def test_bad_work_and_tempo_and_start_are_skipped_too(logged: Path, tmp_path: Path) -> None:
    env = _copy(logged, tmp_path, "UPDATE reps SET tempo_seconds = 'slow' WHERE rep = 2")
    conn = sqlite3.connect(tmp_path / "history.sqlite3")
    conn.execute("INSERT INTO work (session_id, step_key, exercise, side, set_number, kind,"
                 " seconds, rounds, completed_at) VALUES (1, '1/-/1/hold', 'Plank', NULL, 1,"
                 " 'hold', 1e12, NULL, '2026-01-01')")  # fmt: skip
    conn.commit()
    conn.close()
    result = run_coach("stats", "--practice", "--json", env=env)
    assert result.returncode == 0
    assert [line.split(": skipped ")[1] for line in result.stderr.splitlines()] == [
        "work row 1 (session 1, Plank set 1): a hold of 1000000000000.0 seconds can't be right",
        "the time under tension of reps row 2 (session 1, Bench press set 1): 'slow' seconds "
        "can't be right; the rep still counts",
    ]
    figures = json.loads(result.stdout)["exercises"]
    assert [(e["exercise"], e["reps"], e["seconds_held"], e["time_under_tension_seconds"])
            for e in figures] == [("Bench press", 2, 0.0, 4.0)]  # fmt: skip
    env = _copy(logged, tmp_path, "UPDATE sessions SET started = 'yesterday'")
    result = run_coach("stats", "--practice", env=env)
    assert result.returncode == 0 and result.stderr.splitlines()[0].endswith(
        "skipped sessions row 1: its start 'yesterday' is no time"
    )
    assert result.stdout.startswith("No sets in the history yet.")
    assert run_coach("history", env=env).returncode == 0


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_a_schema_version_edited_down_is_upgraded_over_what_is_there(
    logged: Path, tmp_path: Path, version: int
) -> None:
    env = _copy(logged, tmp_path, f"PRAGMA user_version = {version}")
    listed = run_coach("history", env=env)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert "No sessions yet" not in listed.stdout and "Lift  (practice)" in listed.stdout
    stats = run_coach("stats", "--practice", env=env)
    assert (stats.returncode, stats.stderr) == (0, "") and "volume 120 kg" in stats.stdout
    ran = run_coach("run", str(tmp_path / "lift.yaml"), "--no-audio", "--speed", "50",
                    "--plain", env=env)  # fmt: skip
    assert (ran.returncode, ran.stderr) == (0, "")
    assert "sixty two and a half" in ran.stdout  # progressed from the 60 kg logged
    conn = sqlite3.connect(tmp_path / "history.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
