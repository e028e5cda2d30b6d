"""Ctrl-C at any moment of a command: one line (or the session's own goodbye), never a
traceback (issue 19, item 5). The signal goes to the whole process group, as a
terminal sends it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli import REPO, isolated_env


def _running_python_code(pid: int) -> None:
    """Wait until the interpreter has started and runs coach's imports (its first
    extension module is mapped): a Ctrl-C before that is Python's own start-up, which
    prints its own traceback whatever coach does."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            maps = Path(f"/proc/{pid}/maps").read_text()
        except OSError:  # it has ended already
            return
        if ".cpython-" in maps:
            return
        time.sleep(0.002)


def _interrupted(args: list[str], after: float, home: Path) -> subprocess.CompletedProcess[str]:
    """Ctrl-C `after` seconds into coach's own start-up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", *args], cwd=REPO, env=isolated_env(home),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    _running_python_code(process.pid)
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"coach {' '.join(args)} hung after Ctrl-C") from None
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 130), (done.returncode, done.stderr)
    if done.returncode == 130:
        assert done.stderr.strip() == "coach: interrupted"  # after a progress bar's blank line


@pytest.mark.parametrize("after", [0.1, 0.25, 0.4])
def test_ctrl_c_as_a_session_starts(tmp_path: Path, after: float) -> None:
    _clean(_interrupted(["run", "demo", "--no-audio", "--speed", "10", "--plain"], after,
                        tmp_path))


@pytest.mark.parametrize("after", [0.5, 1.0])
def test_ctrl_c_during_recognize(tmp_path: Path, after: float) -> None:
    wav = tmp_path / "quiet.wav"
    import numpy as np
    import soundfile

    soundfile.write(str(wav), np.zeros(16000 * 60, dtype=np.float32), 16000)
    _clean(_interrupted(["recognize", str(wav)], after, tmp_path))


@pytest.mark.parametrize("command", [["render", "hip-thrust", "deadbug", "band-hip-thrust"],
                                     ["export", "hip-thrust", "-o", "session.ogg"]])
def test_ctrl_c_during_render_and_export(tmp_path: Path, command: list[str]) -> None:
    command = [tmp_path / c if c.endswith(".ogg") else c for c in command]  # type: ignore[misc]
    _clean(_interrupted([str(c) for c in command], 1.0, tmp_path))


def test_ctrl_c_during_startup_again_and_again(tmp_path: Path) -> None:
    """Now and then a Ctrl-C among the imports ended in SIGINT after the message, or in
    an ImportError traceback from a native module: a dozen tries over the imports' first
    third of a second catch most of them."""
    for step in range(12):
        _clean(_interrupted(["run", "demo", "--no-audio", "--speed", "10", "--plain"],
                            0.025 * step, tmp_path))
