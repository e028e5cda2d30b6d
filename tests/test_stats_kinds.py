"""`coach stats` for every kind of work — holds, intervals, EMOM, AMRAP — from real runs
of `coach run` into a real SQLite history: the terminal summary, JSON, CSV and the page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coach.app.charts import chart
from coach.history.progress import all_stats
from coach.history.store import History
from tests.cli import isolated_env, run_coach
from tests.spans import WEEK, WEEK_TODAY, build_kinds

KINDS = """\
workout: Every kind
exercises:
  - name: Plank
    seconds: 10
    sets: 2
    rest: 5
    tempo: {setup: 1}
  - name: Squats
    rounds: 3
    intervals: {work: 10, rest: 5}
    tempo: {setup: 1}
    rest: 5
  - name: Push-ups
    emom: 2
    reps: 8
    tempo: {setup: 1}
    rest: 5
  - name: Burpees
    amrap: 1
    tempo: {setup: 1}
"""
# The AMRAP runs from 3:40 to 4:40 of the session: three rounds said done in it.
DONE = "235:done,250:done,265:done"


@pytest.fixture(scope="module")
def kinds_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("kinds")
    (home / "kinds.yaml").write_text(KINDS, encoding="utf-8")
    done = run_coach(
        "run", str(home / "kinds.yaml"), "--no-audio", "--speed", "40", "--plain",
        "--commands", DONE, env=isolated_env(home),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return home


def test_tabata_from_the_issue_draws_its_page(tmp_path: Path) -> None:
    """Issue 30, item 1: the page crashed for anyone who had done intervals."""
    pytest.importorskip("matplotlib")
    env = isolated_env(tmp_path)
    ran = run_coach("run", "tabata", "--no-audio", "--speed", "20", "--auto-next", "1",
                    "--plain", env=env)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    page = tmp_path / "x.html"
    result = run_coach("stats", "--practice", "--html", str(page), env=env)
    assert result.returncode == 0 and result.stderr == f"Wrote {page}\n", result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 1 and "<h2>Squats</h2>" in text
    assert "<td>Intervals done</td><td>8</td>" in text
    assert "<td>Time worked</td><td>2:40</td>" in text  # 8 × 20 s
    terminal = run_coach("stats", "--practice", env=env).stdout.splitlines()
    assert terminal[:3] == [
        "Squats — 1 session, 1 set, weekly streak 1 week",
        "  intervals 8 · worked 2:40",
        "  best set 8 intervals, 2:40 worked (" + terminal[2][-11:],
    ]
    assert "  week of      seconds worked" in terminal


def test_every_kind_in_the_terminal_summary(kinds_home: Path) -> None:
    out = run_coach("stats", "--practice", env=isolated_env(kinds_home))
    assert out.returncode == 0, out.stderr
    blocks = [block.splitlines() for block in out.stdout.split("\n\n")]
    summaries = {block[0].split(" — ")[0]: block[1] for block in blocks}
    assert summaries == {
        "Plank": "  held 0:20",
        "Squats": "  intervals 3 · worked 0:30",
        "Push-ups": "  minutes 2",
        "Burpees": "  rounds 3 · worked 1:00",
    }
    weeks = {block[0].split(" — ")[0]: block[-2].strip() for block in blocks}
    assert weeks == {
        "Plank": "week of      seconds held",
        "Squats": "week of      seconds worked",
        "Push-ups": "week of      minutes",
        "Burpees": "week of      rounds",
    }
    assert [block[-1].split()[-1] for block in blocks] == ["20", "30", "2", "3"]
    assert "1 sets" not in out.stdout and "1 weeks" not in out.stdout


def test_every_kind_in_json_and_csv(kinds_home: Path) -> None:
    env = isolated_env(kinds_home)
    document = json.loads(run_coach("stats", "--practice", "--json", env=env).stdout)
    figures = {e["exercise"]: e for e in document["exercises"]}
    assert (figures["Plank"]["seconds_held"], figures["Plank"]["weeks_measure"]) == (
        20.0, "seconds_held"
    )  # fmt: skip
    squats = figures["Squats"]
    assert (squats["intervals"], squats["seconds_worked"], squats["minutes"]) == (3, 30.0, 0)
    assert (figures["Push-ups"]["minutes"], figures["Push-ups"]["intervals"]) == (2, 0)
    assert (figures["Burpees"]["rounds"], figures["Burpees"]["weeks_measure"]) == (3, "rounds")
    assert [list(e["weeks"].values()) for e in document["exercises"]] == [[20], [30], [2], [3]]
    rows = list(csv.DictReader(io.StringIO(run_coach("stats", "--practice", "--csv",
                                                     env=env).stdout)))  # fmt: skip
    by_exercise = {
        (row["exercise"], row["set"]): (row["seconds_held"], row["intervals"], row["minutes"],
                                        row["seconds_worked"], row["rounds"])
        for row in rows
    }  # fmt: skip
    assert by_exercise == {
        ("Plank", "1"): ("10.0", "0", "0", "0.0", "0"),
        ("Plank", "2"): ("10.0", "0", "0", "0.0", "0"),
        ("Squats", "1"): ("0.0", "3", "0", "30.0", "0"),
        ("Push-ups", "1"): ("0.0", "0", "2", "0.0", "0"),
        ("Burpees", "1"): ("0.0", "0", "0", "60.0", "3"),
    }


def test_every_kind_on_the_page(kinds_home: Path) -> None:
    pytest.importorskip("matplotlib")
    page = kinds_home / "kinds.html"
    result = run_coach("stats", "--practice", "--html", str(page), env=isolated_env(kinds_home))
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 4
    for row in ("<td>Time held</td><td>0:20</td>", "<td>Intervals done</td><td>3</td>",
                "<td>EMOM minutes</td><td>2</td>", "<td>AMRAP rounds</td><td>3</td>",
                "<td>Best set</td><td>3 rounds ("):  # fmt: skip
        assert row in text


def test_every_kind_over_a_week_of_sessions(tmp_path: Path) -> None:
    build_kinds(tmp_path / "history.sqlite3", WEEK)
    with History.open(tmp_path / "history.sqlite3", read_only=True) as history:
        figures = {s.exercise: s for s in all_stats(history.sets(), WEEK_TODAY)}
    burpees = figures["Burpees"]
    assert [p.rounds for p in burpees.points] == [4, 5, 6, 4, 5]
    assert burpees.rounds == 24 and burpees.best_set == "6 rounds (2026-03-04)"
    assert figures["Push-ups"].minutes == 40 and figures["Squats"].intervals == 40
    assert figures["Squats"].seconds_worked == 40 * 20.0
    assert all(s.streak == 1 for s in figures.values())
    text = chart([figures["Push-ups"]])
    assert text.splitlines()[0] == "Push-ups — 5 sessions, 5 sets, weekly streak 1 week"
    assert text.splitlines()[-1] == "  2026-03-02  ████████████████████████ 40"
