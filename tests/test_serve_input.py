"""`coach serve` with nothing to hear fails at once; input lost later is retried with a
clear log line (issue 19, item 15)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from cli import REPO, isolated_env, run_coach


def test_serve_without_a_microphone_or_recording_fails_in_one_line(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, COACH_AUDIO_INPUT_DEVICE="no-such-microphone")
    done = run_coach("serve", env=env, timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "coach: serve has nothing to listen to: no microphone 'no-such-microphone' (check "
        "`coach devices`); plug in a microphone, set audio.input_device, or give "
        "--listen-file AUDIO"
    ]


def test_serve_with_a_missing_recording_fails_in_one_line(tmp_path: Path) -> None:
    done = run_coach("serve", "--no-audio", "--listen-file", str(tmp_path / "nope.wav"),
                     env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == f"coach: --listen-file: {tmp_path / 'nope.wav'}: no such audio file\n"


def test_input_lost_later_is_retried_with_a_clear_line(tmp_path: Path) -> None:
    recording = tmp_path / "room.wav"
    made = run_coach("say", "Hello there.", "--output-wav", str(recording),
                     env=isolated_env(tmp_path), timeout=60)
    assert made.returncode == 0, made.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--no-audio", "--speed", "20",
         "--listen-file", str(recording), "--requests", "1:start demo"],
        cwd=REPO, env=isolated_env(tmp_path), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    expected = (f"can't hear requests ({recording}: no such audio file); trying the recording "
                "again in 10 s")
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(process.stderr or ()), daemon=True)
    reader.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the session has started: its idle spell is over
            if "▶" in line:
                recording.unlink()
                break
        give_up = time.monotonic() + 60
        while not any(expected in line for line in err) and time.monotonic() < give_up:
            time.sleep(0.2)  # the demo at 20x, then the idle spell that can't open the file
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
    text = "".join(err)
    assert "Traceback" not in text
    assert expected in text
    assert "the keys still work" not in text
