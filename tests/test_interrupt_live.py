"""Live, on PulseAudio: "pause" said over a long cue stops the coach at once and
"Paused." follows; "resume" brings the session back (barge-in, on by default).

The coach plays into the microphone's sink (as in test_hands_free's barge-in check:
an exact echo path the canceller can learn), so the recording of that sink's monitor
holds what the coach played and what the athlete said, on one time line.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from athlete import CoachProcess, Event, spoken
from cli import REPO
from cue_onsets import locate, timeline_cues
from pulse import MIC_RATE, PulseServer
from retries import Retries

from coach.base.samples import resample

SCRIPT = """\
workout: Interrupt check
exercises:
  - name: Warm-up
    sets: 1
    reps: 2
    rest: 2
    countdown: 0
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 2}
    cues:
      setup: "Warm up first: two slow ones, nice and easy."
      brace: "Brace your middle."
      lower: "Lower all the way down, slowly."
  - name: Bridge
    sets: 1
    reps: 1
    countdown: 0
    tempo: {setup: manual, brace: 1, drive: 1, hold: 1, lower: 1}
    cues:
      setup: >-
        Lie on your back with your knees bent and your feet flat on the floor, arms
        long by your sides, chin tucked and ribs down. Take one slow breath out
        before we begin, and say ready whenever you are set.
"""

STOP_WITHIN = 0.15  # seconds from the cut's place to the cue's last sound
_WINDOW = 0.02


def _say_until_heard(
    pulse: PulseServer, process: CoachProcess, voice_dir: Path, retries: Retries, command: str,
    *phrases: str,
) -> Event:  # fmt: skip
    for attempt in retries.tries(command, 6):
        mark = len(process.snapshot())
        voice = ("espeak", "hibari")[attempt // len(phrases) % 2]
        pulse.play("mic", spoken(phrases[attempt % len(phrases)], voice_dir, voice))
        try:
            return process.wait_for(
                lambda e: e["event"] == "command" and e["command"] == command,
                timeout=2.5, after=mark,
            )
        except AssertionError:
            continue
    raise AssertionError(f"the coach never heard {command!r} over its voice")


def _last_match(recording: np.ndarray, clip: np.ndarray, onset: int, upto: int) -> int:
    """The end of the last run of short windows where the recording still carries
    `clip` (three in a row: one window of the same voice saying something else can
    match by chance)."""
    n = int(_WINDOW * MIC_RATE)
    last, run = onset, 0
    for at in range(onset, min(upto, recording.size - n, onset + clip.size - n), n):
        a, b = recording[at : at + n], clip[at - onset : at - onset + n]
        power = float(np.dot(b, b))
        if power < 1e-6:
            continue
        score = float(np.dot(a, b)) / np.sqrt(float(np.dot(a, a)) * power + 1e-12)
        run = run + 1 if score > 0.8 else 0
        if run >= 3:
            last = at + n
    return last


@pytest.mark.slow
def test_pause_over_a_long_cue_cuts_it_and_resume_brings_the_session_back(
    pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, voice_dir = tmp_path / "home", tmp_path / "voice"
    home.mkdir()
    voice_dir.mkdir()
    script = tmp_path / "interrupt.yaml"
    script.write_text(SCRIPT)
    with pulse.record("mic.monitor", tmp_path / "heard.wav") as recording:
        process = CoachProcess(["run", str(script), "--json", "--plain"], pulse, home, REPO,
                               extra_env={"PULSE_SINK": "mic"})
        try:
            cue = process.wait_for(
                lambda e: e["event"] == "say" and e["text"].startswith("Lie on"), timeout=90
            )
            time.sleep(2.0)  # well into the cue
            # Three commands over the coach's voice: four sayings again in all, at most.
            retries = Retries(allowed=4)
            paused = _say_until_heard(pulse, process, voice_dir, retries, "pause", "pause",
                                      "hold on")  # fmt: skip
            answer = process.wait_for(
                lambda e: e["event"] == "say" and e["text"].startswith("Paused."), timeout=5
            )
            time.sleep(answer["duration"] + 0.5)
            resumed = _say_until_heard(pulse, process, voice_dir, retries, "resume", "resume",
                                       "continue")  # fmt: skip
            process.wait_for(lambda e: e["event"] == "say" and e["text"].startswith("Lie on")
                             and e["t"] > resumed["t"], timeout=5)
            time.sleep(1.5)
            _say_until_heard(pulse, process, voice_dir, retries, "next", "ready", "next")
            done = process.wait_for(lambda e: e["event"] == "done", timeout=30)
            code, stderr = process.finish(timeout=60)
        finally:
            process.kill()
    assert code == 0, stderr
    assert done["completed_reps"] == 3
    events = process.snapshot()
    cuts = [e for e in events if e["event"] == "cut"]
    assert {"t": paused["t"], "event": "cut"} in cuts
    assert answer["t"] == paused["t"] < cue["t"] + cue["duration"]

    # In the recording: the cue is found by its opening, then followed until it stops.
    heard, rate = soundfile.read(str(recording.path), dtype="float32")
    assert rate == MIC_RATE
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_CONFIG", str(home / "no-user-config.yaml"))
    clips = {c.label: c for c in timeline_cues([cue, answer], 48000)}
    long = resample(clips[f"say: {cue['text']}"].clip, 48000, MIC_RATE)
    reply = resample(clips[f"say: {answer['text']}"].clip, 48000, MIC_RATE)
    opening = long[: MIC_RATE]
    onset = locate(heard, opening, heard.size // 2, heard.size).found
    assert locate(heard, opening, onset, 0).score > 0.8, "the cue isn't in the recording"
    # The cue is said again after "resume", the same to the sample: the first is the cut one.
    if onset > opening.size:
        earlier = locate(heard[:onset], opening, onset // 2, onset)
        if earlier.score > 0.8:
            onset = earlier.found
    cut_at = onset + round((paused["t"] - cue["t"]) * MIC_RATE)
    stopped = _last_match(heard, long, onset, cut_at + MIC_RATE)
    assert stopped <= cut_at + STOP_WITHIN * MIC_RATE, (stopped - cut_at) / MIC_RATE
    assert stopped >= cut_at - 0.5 * MIC_RATE  # it did play up to the pause
    found = locate(heard, reply, cut_at, MIC_RATE // 2)
    assert found.score > 0.8
    assert abs(found.found - cut_at) <= STOP_WITHIN * MIC_RATE, (found.found - cut_at) / MIC_RATE
