"""A file or folder here named like a bundled script: the coach says which one it used
(issue 19, item 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cli import REPO, isolated_env


def _run_in(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", "run", "demo", "--simulate", "--json"],
        cwd=folder, env={**isolated_env(home), "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )


def test_a_script_file_here_wins_and_says_so(tmp_path: Path) -> None:
    here = tmp_path / "work"
    here.mkdir()
    (here / "demo").write_text(
        "workout: Mine\nexercises: [{name: Plank, sets: 1, reps: 1, tempo: {setup: 1}}]\n",
        encoding="utf-8",
    )
    done = _run_in(here, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"exercise": "Plank"' in done.stdout
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "using the file 'demo' here, not the bundled script " in done.stderr
    assert str(REPO / "scripts" / "demo.yaml") in done.stderr


def test_a_folder_here_does_not_hide_the_bundled_script(tmp_path: Path) -> None:
    here = tmp_path / "work"
    (here / "demo").mkdir(parents=True)
    done = _run_in(here, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"exercise": "Glute bridge"' in done.stdout
    assert "'demo' here is a folder: using the bundled script " in done.stderr
