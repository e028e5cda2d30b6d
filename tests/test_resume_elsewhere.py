"""`coach resume` from another folder than the one the session started in: the script
is read from where it was, never from a file of the same name here (issue 30, item 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli import REPO, isolated_env

SCRIPT = """\
workout: {name}
exercises:
  - name: {name} bridge
    sets: 2
    reps: 3
    rest: 1
    countdown: 0
    tempo: {{setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}}
"""

FAST = ("--no-audio", "--speed", "50", "--json", "--no-listen")


def _coach(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _folders(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    started, elsewhere = tmp_path / "started", tmp_path / "elsewhere"
    started.mkdir()
    elsewhere.mkdir()
    env = isolated_env(tmp_path / "home", PYTHONPATH=str(REPO))
    (started / "kill1.yaml").write_text(SCRIPT.format(name="Bridges"), encoding="utf-8")
    stopped = _coach("run", "kill1.yaml", *FAST, "--commands", "6:stop", cwd=started, env=env)
    assert stopped.returncode == 0, stopped.stderr
    return started, elsewhere, env


def test_resume_from_another_folder_reads_the_script_where_it_was(tmp_path: Path) -> None:
    started, elsewhere, env = _folders(tmp_path)
    # A file of that name here is another script: it must not be used.
    (elsewhere / "kill1.yaml").write_text(SCRIPT.format(name="Impostor"), encoding="utf-8")
    resumed = _coach("resume", *FAST, cwd=elsewhere, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming session 1 (Bridges)" in resumed.stderr
    sessions = json.loads(_coach("history", "--json", cwd=elsewhere, env=env).stdout)
    assert [(s["workout"], s["status"], s["completed_reps"]) for s in sessions] == [
        ("Bridges", "completed", 6)
    ]


def test_a_script_gone_is_one_line_and_another_of_its_name_is_not_taken(tmp_path: Path) -> None:
    started, elsewhere, env = _folders(tmp_path)
    original = started / "kill1.yaml"
    original.unlink()
    (elsewhere / "kill1.yaml").write_text(SCRIPT.format(name="Impostor"), encoding="utf-8")
    refused = _coach("resume", *FAST, cwd=elsewhere, env=env)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == (
        f"coach: the script of session 1, {original}, is gone (moved or deleted), and "
        "'kill1.yaml' here is another workout ('Impostor', not 'Bridges'); put the script "
        "back to resume it\n"
    )
    gone = _coach("resume", *FAST, cwd=tmp_path, env=env)
    assert gone.returncode == 2 and gone.stderr == (
        f"coach: the script of session 1, {original}, is gone (moved or deleted); put it back "
        "to resume\n"
    )
    # Moved here, the same workout: taken, and the session goes on.
    (elsewhere / "kill1.yaml").write_text(SCRIPT.format(name="Bridges"), encoding="utf-8")
    resumed = _coach("resume", *FAST, cwd=elsewhere, env=env)
    assert resumed.returncode == 0, resumed.stderr
