"""End to end over a TV: a newsreader plays into the virtual microphone for the whole
session, 15 dB under the athlete, and the athlete drives the session by voice
over it. The news, command words and all, drives nothing."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile
from athlete import Athlete, CoachProcess, Event, spoken
from cli import REPO
from listen_audio import RATE, tv
from pulse import PulseServer

SCRIPT = """\
workout: Over the news
exercises:
  - name: Bridge
    sets: 2
    reps: 2
    rest: 12
    countdown: 0
    tempo: {setup: manual, brace: 2, drive: 1, hold: 3, lower: 3}
    cues:
      setup: "Lie back. Say ready."
      brace: "Brace."
      drive: "Up."
"""

# By RMS, the news's pauses included (its loud syllables come within some 10 dB of the
# athlete's). Closer, the listener misses commands and hears the news's own command
# words now and then (bench/README.md: one talker at 10 dB).
UNDER_THE_ATHLETE_DB = 15.0
TRIES = 6  # a person says it again when the coach didn't react
QUIET_SPELL = 12.0  # seconds of news, with nobody near the microphone, before "ready"


def _phase(phase: str) -> Callable[[Event], bool]:
    return lambda e: e["event"] == "phase" and e["phase"] == phase


def _speech_rms(path: Path) -> float:
    audio, _ = soundfile.read(str(path), dtype="float32")
    loud = audio[np.abs(audio) > 0.01]
    return float(np.sqrt(np.mean(loud.astype(np.float64) ** 2)))


def _news(folder: Path, athlete_rms: float, seconds: float = 240.0) -> Path:
    """A newsreader reading on end, UNDER_THE_ATHLETE_DB under the athlete's quieter
    voice."""
    audio = tv(int(seconds * RATE), np.random.default_rng(7))
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    audio *= np.float32(athlete_rms / rms / 10 ** (UNDER_THE_ATHLETE_DB / 20))
    rng = np.random.default_rng(8)
    audio += rng.normal(0, 1e-4, audio.size).astype(np.float32)  # a room is never silent
    path = folder / "news.wav"
    soundfile.write(str(path), audio, RATE)
    return path


# Run on purpose (`pytest -m on_purpose`): over news this close, a command said is
# now and then misheard or the news's own word heard (about 1 run in 3; bench/README.md
# has the rates this listener reaches over one talker).
@pytest.mark.on_purpose
def test_commands_said_over_a_tv_drive_the_session(pulse: PulseServer, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    voice = tmp_path / "voice"
    voice.mkdir()
    script = tmp_path / "news.yaml"
    script.write_text(SCRIPT)
    config = tmp_path / "config.yaml"
    config.write_text("listen:\n  backend: auto\n")
    news = _news(tmp_path, _speech_rms(spoken("pause", voice, "hibari")))
    # What the microphone heard, kept beside the test's files for a look when it fails.
    heard_by_mic = pulse.record("mic.monitor", tmp_path / "mic.wav")
    television = subprocess.Popen(
        ["paplay", "--device=mic", str(news)], env=pulse.env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    process = CoachProcess(
        ["run", str(script), "--json", "--plain"], pulse, tmp_path / "home", REPO,
        extra_env={"COACH_CONFIG": str(config)},
    )
    athlete = Athlete(pulse, process, voice)
    spoke: list[float] = []  # when the athlete began each command (time.monotonic)
    say = athlete.say

    def say_and_note(phrase: str, voice_name: str = "espeak") -> None:
        athlete.ears.wait_quiet()
        spoke.append(time.monotonic())
        say(phrase, voice_name)

    athlete.say = say_and_note  # type: ignore[method-assign]
    try:
        process.wait_for(_phase("setup"), timeout=60)
        time.sleep(QUIET_SPELL)  # the news alone: nothing may come of it
        assert [e for e in process.snapshot() if e["event"] == "command"] == []

        athlete.command("next", "ready", "next", tries=TRIES)
        process.wait_for(_phase("hold"), timeout=20)
        # Each said where the coach is quiet a while: paused, and in the rest.
        athlete.command("pause", "pause", "hold on", tries=TRIES)
        athlete.command("repeat", "repeat", "say again", tries=TRIES)
        athlete.command("resume", "resume", "continue", tries=TRIES)
        process.wait_for(lambda e: e["event"] == "rest", timeout=30)
        athlete.stop(tries=TRIES)
        process.wait_for(lambda e: e["event"] == "done", timeout=20)
        code, stderr = process.finish()
    finally:
        athlete.close()
        process.kill()
        television.kill()
        television.wait()
        heard_by_mic.stop()
    assert code == 0, stderr
    events = process.snapshot()
    heard = [(e, at) for e, at in zip(events, process.arrived, strict=True)
             if e["event"] == "command"]
    # Acted on: just what the athlete asked, in order (a word of theirs misheard as a
    # command that changes nothing is ignored by the session, and said again).
    assert [e["command"] for e, _ in heard if not e.get("ignored")] == [
        "next", "pause", "repeat", "resume", "stop"]
    # And every command acted on came while the athlete spoke, none from the news.
    for event, at in heard:
        since = [round(at - began, 1) for began in spoke]
        assert event.get("ignored") or any(0.0 < after < 4.0 for after in since), (event, since)
