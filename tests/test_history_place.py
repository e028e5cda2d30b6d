"""What is wrong with where history goes, said as it is (issue 19, item 7): a read-only
folder (the database is fine, and `coach history` reads it), a full disk, a symlink
to /dev/null. The first two need a tmpfs of our own, so root."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli import isolated_env, run_coach
from tmpfs import mounted_tmpfs


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "mnt", "size=20m") as mount:
        yield mount


def _one_line(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
    assert "move it" not in done.stderr  # a healthy database is never sent aside


def test_a_read_only_history_folder(tmpfs: Path) -> None:
    env = isolated_env(tmpfs)
    first = run_coach("run", "demo", "--no-audio", "--speed", "50", "--plain", env=env,
                      timeout=120)
    assert first.returncode == 0, first.stderr
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    listed = run_coach("history", "--json", env=env, timeout=30)
    assert listed.returncode == 0, listed.stderr
    assert '"status": "completed"' in listed.stdout
    again = run_coach("run", "demo", "--no-audio", "--speed", "50", "--plain", env=env,
                      timeout=60)
    _one_line(again, f"history folder {tmpfs} is read-only, so sessions can't be saved (the "
                     "history in it is fine, and `coach history` still reads it)")


def test_a_full_disk_with_no_database_yet(tmpfs: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=16k", str(tmpfs)], check=True)
    with contextlib.suppress(OSError), (tmpfs / "fill").open("wb") as f:  # fill it up
        f.write(b"\0" * 32768)
    done = run_coach("run", "demo", "--no-audio", "--speed", "50", "--plain",
                     env=isolated_env(tmpfs), timeout=60)
    _one_line(done, f"no room left on the disk for the history database "
                    f"{tmpfs / 'history.sqlite3'}; free some space and try again")


def test_a_history_that_is_dev_null(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite3").symlink_to("/dev/null")
    for command in (["history"], ["run", "demo", "--no-audio", "--speed", "50", "--plain"]):
        done = run_coach(*command, env=isolated_env(tmp_path), timeout=60)
        _one_line(done, f"history database {tmp_path / 'history.sqlite3'} is not a file (it is "
                        "/dev/null)")
