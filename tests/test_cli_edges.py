"""Odd input at the command line gets one line and exit 2, never a traceback, and the
listings say what the scripts say (issue 30, items 12 and 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coach.app.keyboard import KEYS
from tests.cli import REPO, isolated_env, run_coach
from tests.weeks import build

NOTHING_TO_SAY = "coach: nothing to say; give the words in quotes, e.g. coach say 'Ready?'"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["say", ""], NOTHING_TO_SAY),
        (["say", "   "], NOTHING_TO_SAY),
        (["history", "show", "99999999999999999999999"],
         "coach: no session 99999999999999999999999 in the history; `coach history` lists them"),
        (["new", "a" * 300], f"coach: {'a' * 30}…{'a' * 24}.yaml: the name is too long (305 "
         "bytes; a file name can have at most 255); give a shorter one"),
        (["stats", "--html", "b" * 300 + ".html"], f"coach: {'b' * 30}…{'b' * 24}.html: the name "
         "is too long (305 bytes; a file name can have at most 255); give a shorter one"),
    ],
    ids=["say nothing", "say spaces", "a session id past SQLite's", "new, a long name",
         "stats --html, a long name"],
)  # fmt: skip
def test_one_line_and_exit_2(tmp_path: Path, args: list[str], said: str) -> None:
    build(tmp_path / "history.sqlite3")
    result = run_coach(*args, env=isolated_env(tmp_path))
    assert (result.returncode, result.stderr, result.stdout) == (2, said + "\n", "")
    assert all(p.name.startswith("history.sqlite3") for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    "args", [["stats", "--csv"], ["stats", "--json"], ["stats"], ["history"], ["list"]]
)
def test_an_output_that_cant_be_written(tmp_path: Path, args: list[str]) -> None:
    """`coach stats --csv > /dev/full`: the disk full under the output."""
    build(tmp_path / "history.sqlite3")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "coach", *args], cwd=REPO, env=isolated_env(tmp_path),
            stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert result.stderr == "coach: can't write: No space left on device\n"
    assert result.returncode == 2


def test_list_counts_an_emoms_reps(tmp_path: Path) -> None:
    """The EMOM script says "Eight minutes, sixty-four push-ups"; its listing said 0."""
    listed = run_coach("list", env=isolated_env(tmp_path))
    rows = {line.split()[0]: line.split()[1] for line in listed.stdout.splitlines()[1:]}
    assert (rows["emom"], rows["demo"], rows["hip-thrust"]) == ("64", "6", "48")
    assert rows["tabata"] == rows["wall-sit-ladder"] == "–"  # intervals and holds: no reps


def test_run_help_names_every_key(tmp_path: Path) -> None:
    shown = run_coach("run", "--help", env=isolated_env(tmp_path)).stdout
    keys = shown[shown.index("keys while running"):]
    for key, command in KEYS.items():
        if key.strip():
            word = "continue" if command == "resume" else command
            assert f"{key} {word}" in keys or f"/{key} {word}" in keys, (key, keys)
