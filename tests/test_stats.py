"""`coach stats` and `coach history show` on a few simulated weeks in a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from coach.app.stats import stats_report
from coach.history.progress import all_stats, epley, weekly_streak
from coach.history.store import History
from tests.cli import coach, isolated_env, run_coach
from tests.weeks import TODAY, build


@pytest.fixture
def home(tmp_path: Path) -> Path:
    build(tmp_path / "history.sqlite3")
    return tmp_path


def test_figures_over_four_weeks(home: Path) -> None:
    with History.open(home / "history.sqlite3", read_only=True) as history:
        bench, plank = all_stats(history.sets(practice=False), TODAY)
    assert (bench.exercise, bench.sessions, bench.sets, bench.reps) == ("Bench press", 8, 24, 192)
    # Loads 60, 62.5 … 77.5 kg, 3 sets of 8 each session.
    assert bench.volume == sum(3 * 8 * (60 + 2.5 * n) for n in range(8)) == 13200
    assert bench.one_rep_max == round(epley(77.5, 8), 1) == 98.2
    assert bench.best_set == "77.5 kg × 8 (2026-01-29)"
    assert bench.tempo_seconds == 192 * 4.0
    assert bench.streak == 4 and bench.unit == "kg"
    assert [p.one_rep_max for p in bench.points] == [
        round(epley(60 + 2.5 * n, 8), 1) for n in range(8)
    ]
    assert list(bench.weeks.values()) == [2940, 3180, 3420, 3660]
    held = sum(30 + 5 * n for n in range(8))
    assert (plank.sessions, plank.seconds_held, plank.reps) == (8, held, 0)
    assert plank.best_set == "65 s held (2026-01-29)"
    with History.open(home / "history.sqlite3", read_only=True) as history:
        (practice_bench, _) = all_stats(history.sets(practice=True), TODAY)
    assert practice_bench.sessions == 9 and practice_bench.one_rep_max == 250.0


def test_weekly_streak_counts_back_from_this_week_or_the_last() -> None:
    from datetime import date

    days = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 26)]
    assert weekly_streak(days, date(2026, 1, 27)) == 1
    assert weekly_streak(days, date(2026, 2, 3)) == 1  # this week may still come
    assert weekly_streak(days, date(2026, 2, 10)) == 0
    assert weekly_streak(days[:2], date(2026, 1, 13)) == 2


CHART = """\
Bench press — 8 sessions, 24 sets, weekly streak 4 weeks
  reps 192 · under tension 12:48 · volume 13,200 kg
  best set 77.5 kg × 8 (2026-01-29)
  est. 1RM 98.2 kg (Epley: load × (1 + reps / 30))
  1RM by session  ▁▂▃▄▅▆▇█  76 → 98.2 kg
  week of      volume kg
  2026-01-05  ███████████████████▎···· 2,940
  2026-01-12  ████████████████████▉··· 3,180
  2026-01-19  ██████████████████████▍· 3,420
  2026-01-26  ████████████████████████ 3,660

Plank — 8 sessions, 8 sets, weekly streak 4 weeks
  held 6:20
  best set 65 s held (2026-01-29)
  held by session ▁▂▃▄▅▆▇█  30s → 65s
  week of      seconds held
  2026-01-05  ████████████▌··········· 65
  2026-01-12  ████████████████▍······· 85
  2026-01-19  ████████████████████▏··· 105
  2026-01-26  ████████████████████████ 125

1 practice run left out; --practice counts them.
"""


def test_the_terminal_chart_as_printed(home: Path) -> None:
    out = io.StringIO()
    with History.open(home / "history.sqlite3", read_only=True) as history:
        stats_report(history, None, today=TODAY, out=out)
    print(out.getvalue())
    assert out.getvalue() == CHART


def test_csv_and_json_export_every_set(home: Path) -> None:
    result = coach("stats", "--csv", home=home, check=True)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 8 * 4  # 3 bench sets and a plank a session; no practice
    assert rows[0]["exercise"] == "Bench press" and rows[0]["load"] == "60.0"
    assert rows[0]["load_unit"] == "kg" and rows[0]["rpe"] == "7.5" and rows[0]["reps"] == "8"
    document = json.loads(coach("stats", "bench PRESS", "--json", home=home, check=True).stdout)
    assert [e["exercise"] for e in document["exercises"]] == ["Bench press"]
    assert document["exercises"][0]["one_rep_max_formula"].startswith("Epley")
    assert len(document["sets"]) == 24 and document["sets"][-1]["load"]["value"] == 77.5
    practice = json.loads(coach("stats", "--practice", "--json", home=home, check=True).stdout)
    assert len(practice["sets"]) == 8 * 4 + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "deadlift"), "no exercise 'deadlift' in the history; there are: Bench"),
        (("stats", "--html", "/nonexistent/d/p.html"), "the folder '/nonexistent/d' doesn't exist"),
        (("history", "show", "99"), "no session 99 in the history"),
        (("history", "show", "x"), "'x' is not a whole number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(home: Path, args: tuple[str, ...], message: str) -> None:
    result = coach(*args, home=home)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or "usage" in result.stderr


def test_no_history_is_said_like_history_says_it_and_exit_0(tmp_path: Path) -> None:
    """Issue 30, item 15: `stats` exited 2 on an empty history while `history` exits 0."""
    listed = coach("history", home=tmp_path)
    assert (listed.returncode, listed.stderr) == (0, "")
    result = coach("stats", home=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "No sets in the history yet. Train with `coach run demo`.\n"
    document = json.loads(coach("stats", "--json", home=tmp_path, check=True).stdout)
    assert document == {"exercises": [], "sets": []}
    assert coach("stats", "--csv", home=tmp_path, check=True).stdout.startswith("session,")
    unknown = coach("stats", "squat", home=tmp_path)
    assert (unknown.returncode, unknown.stderr) == (
        2, "coach: no exercise 'squat' in the history: it has no sets yet\n"
    )  # fmt: skip
    assert not (tmp_path / "history.sqlite3").exists()  # reading creates nothing


def test_only_practice_runs_say_how_to_count_them(home: Path) -> None:
    conn = sqlite3.connect(home / "history.sqlite3")
    conn.execute("UPDATE sessions SET practice = 1")
    conn.commit()
    conn.close()
    result = coach("stats", home=home)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Only practice runs (sped up or without audio)")


def test_history_lists_duration_and_marks_and_shows_a_session(home: Path) -> None:
    listing = coach("history", home=home, check=True).stdout.splitlines()
    assert listing[0].split() == ["id", "started", "status", "reps", "time", "workout"]
    assert "40:00" in listing[-2] and "Bench day" in listing[-2]
    assert listing[1].endswith("Bench day  (practice)")
    assert listing[-1].startswith("practice: sped up or without audio")
    sessions = json.loads(coach("history", "--json", home=home, check=True).stdout)
    assert sessions[-1]["duration_seconds"] == 2400.0 and sessions[0]["practice"] is True
    assert set(sessions[0]) >= {"id", "script", "workout", "started", "ended", "status",
                                "completed_reps", "planned_reps", "seconds_held", "rounds",
                                "intervals", "resumed"}  # fmt: skip
    shown = coach("history", "show", "8", home=home, check=True).stdout
    print(shown)
    assert shown.splitlines()[2:] == [
        "exercise     side  set  reps  held     load  RPE",
        "Bench press          1     8        77.5 kg  7.5",
        "Bench press          2     8        77.5 kg    8",
        "Bench press          3     8        77.5 kg  8.5",
        "Plank                1        1:05",
    ]
    document = json.loads(coach("history", "show", "8", "--json", home=home, check=True).stdout)
    assert document["id"] == 8 and len(document["sets"]) == 4


SPLIT_SQUATS = """\
workout: Split squats
exercises:
  - name: Split squat
    reps: 3
    sets: 1
    sides: [left, right]
    log: [load]
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
    rest: 20
"""


def test_a_one_sided_set_is_one_set_with_its_load(tmp_path: Path) -> None:
    """Issue 31, item 1: a one-sided set's load, logged once for the set, was a record of
    its own with 0 reps, so stats said volume 0, no 1RM, and 3 sets for one."""
    script = tmp_path / "split.yaml"
    script.write_text(SPLIT_SQUATS, encoding="utf-8")
    env = isolated_env(tmp_path)
    ran = run_coach("run", str(script), "--no-audio", "--speed", "50", "--plain",
                    "--commands", "40:log 20", env=env)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    with History.open(tmp_path / "history.sqlite3", read_only=True) as history:
        (record,) = history.sets()
    assert [(s.side, s.reps) for s in record.sides] == [("left", 3), ("right", 3)]
    assert (record.reps, record.reps_a_side, record.done_reps, record.value("load")) == (
        6, 3, 3, 20.0
    )  # fmt: skip
    document = json.loads(run_coach("stats", "--practice", "--json", env=env).stdout)
    (figures,) = document["exercises"]
    assert (figures["sets"], figures["reps"], figures["volume"]) == (1, 6, 120.0)  # 20 kg × 6
    assert figures["one_rep_max"] == round(epley(20, 3), 1) == 22.0  # from a side's reps
    assert figures["best_set"].startswith("20 kg × 3 a side (")
    (one_set,) = document["sets"]
    assert [side["reps"] for side in one_set["sides"]] == [3, 3]
    assert one_set["load"]["value"] == 20.0 and one_set["reps"] == 6
    (row,) = csv.DictReader(io.StringIO(run_coach("stats", "--practice", "--csv", env=env).stdout))
    assert (row["sides"], row["reps"], row["reps_a_side"], row["load"]) == (
        "left right", "6", "3", "20.0"
    )  # fmt: skip
    shown = run_coach("history", "show", "1", env=env).stdout.splitlines()
    assert shown[2:] == [
        "exercise           side  set  reps   load",
        "Split squat  left/right    1   3/3  20 kg",
    ]
    again = run_coach("run", str(script), "--no-audio", "--speed", "50", "--plain", env=env)
    assert "“Last time: three at twenty kilos.”" in again.stdout
