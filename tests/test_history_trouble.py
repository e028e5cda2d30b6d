"""A history that can't be written for a while never stops coaching, and loses nothing
(issue 19, item 6): a database locked by another process, a full disk."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli import REPO, isolated_env, run_coach
from tmpfs import mounted_tmpfs

NOT_SAVED = "coach: history is not being saved (cannot write history database "


def _start(env: dict[str, str], speed: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coach", "run", "demo", "--no-audio", "--speed", speed,
         "--plain", "--no-listen"],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def _until_first_rep(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if "rep 1/3" in line and "brace" in line:
            return
    raise AssertionError("the session never reached its first rep")


def _sessions(env: dict[str, str]) -> list[tuple[str, int, int]]:
    listed = run_coach("history", "--json", env=env, timeout=30)
    return [(s["status"], s["completed_reps"], s["planned_reps"])
            for s in json.loads(listed.stdout)]


@contextlib.contextmanager
def _locked(database: Path) -> Iterator[None]:
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_database_locked_for_eight_seconds_mid_set(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    process = _start(env, "5")
    _until_first_rep(process)
    with _locked(tmp_path / "history.sqlite3"):
        time.sleep(8)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and err.count(NOT_SAVED) == 1, err
    assert "coach: history is being saved again; nothing done was lost" in err
    assert _sessions(env) == [("completed", 6, 6)]


def test_writes_still_held_at_the_end_are_saved_next_time(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    process = _start(env, "20")
    _until_first_rep(process)
    with _locked(tmp_path / "history.sqlite3"):
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    journal = tmp_path / "history.sqlite3.journal"
    assert f"they are kept in {journal}, and are saved the next time coach opens" in err
    assert journal.is_file()
    resumed = run_coach("resume", "--no-audio", env=env, timeout=30)  # opens the history
    assert "no unfinished session to resume" in resumed.stderr
    assert not journal.exists()
    assert _sessions(env) == [("completed", 6, 6)]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "mnt", "size=16m") as mount:
        yield mount


def test_a_disk_full_for_a_while_mid_set(tmpfs: Path) -> None:
    env = isolated_env(tmpfs)
    process = _start(env, "10")
    _until_first_rep(process)
    filler = tmpfs / "fill"
    with contextlib.suppress(OSError), filler.open("wb") as f:
        f.write(b"\0" * 64_000_000)  # till the disk is full
    time.sleep(2.5)
    filler.unlink()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and err.count(NOT_SAVED) == 1, err
    assert _sessions(env) == [("completed", 6, 6)]
