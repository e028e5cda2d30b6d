"""A live session through a real sound server: every cue is heard when the schedule says.

`coach run` plays into the private PulseAudio server's `speaker` null sink (via
ALSA's default device, as on a desktop), while parecord records the sink's
monitor. The recording can't be tied to the session clock absolutely (when
parecord's first sample was taken isn't known to the millisecond), so cues are
timed relative to the first one, the start tone at the session's start.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from cue_onsets import SHORT_SCRIPT, groups, json_events, locate, percentile, timeline_cues
from pulse import PulseServer

REPO = Path(__file__).resolve().parent.parent


TOLERANCE_P95_MS = 30.0
TOLERANCE_MAX_MS = 80.0
SEARCH_S = 0.25  # either side of where a cue should be (cues are ≥ 0.3 s apart)


def wait_for_more_audio(path: Path, seconds: float, timeout: float = 10) -> None:
    """Let the recorder take `seconds` more of audio, so the last sound reaches the file."""
    def recorded() -> int:
        return path.stat().st_size // 4

    target = recorded() + int(seconds * 48000)
    deadline = time.monotonic() + timeout
    while recorded() < target and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_a_live_session_sounds_every_cue_on_schedule(
    pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    script = tmp_path / "short.yaml"
    script.write_text(SHORT_SCRIPT)
    env = {k: v for k, v in pulse.env.items() if not k.startswith("COACH_")}
    env.update(COACH_HOME=str(home), COACH_CONFIG=str(tmp_path / "no-user-config.yaml"))

    recording = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "coach", "run", str(script), "--json"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=90,
        )
        wait_for_more_audio(recording.path, 0.3)
    finally:
        recording.stop()
    assert done.returncode == 0, done.stderr
    # The session really used the sound server, not the on-screen fallback.
    report = re.search(r"audio: (\d+) underruns, (\d+) late cues", done.stderr)
    assert report, done.stderr

    events = json_events(done.stdout)
    assert events[-1]["event"] == "done" and events[-1]["completed_reps"] == 2
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_CONFIG", str(tmp_path / "no-user-config.yaml"))
    played, rate = soundfile.read(str(recording.path), dtype="float32")
    cues = timeline_cues(events, rate)
    moments = groups(cues, rate)
    assert moments[0].labels[0] == "tone: start"

    # The start tone anywhere in the recording fixes where session time 0 fell.
    first = locate(played, moments[0].template, 0, played.size)
    assert first.score > 0.9, f"the start tone isn't in the recording ({first})"
    offset = first.found - moments[0].start

    errors_ms: list[float] = []
    faint: list[str] = []
    for moment in moments:
        expected = moment.start + offset
        match = locate(played, moment.template, expected, int(SEARCH_S * rate))
        errors_ms.append((match.found - expected) / rate * 1000)
        if match.score < 0.9:
            faint.append(f"{moment.labels} at {moment.start / rate:.3f}s: {match}")
    table = "\n".join(
        f"  {m.start / rate:8.3f}s {e:+7.1f} ms  {', '.join(m.labels)}"
        for m, e in zip(moments, errors_ms, strict=True)
    )
    context = f"{report.group(0)}\nonset errors (relative to the start tone):\n{table}"
    assert not faint, "cues missing or garbled in the recording:\n" + "\n".join(faint)
    absolute = np.abs(errors_ms)
    assert percentile(list(absolute), 95) <= TOLERANCE_P95_MS, context
    assert absolute.max() <= TOLERANCE_MAX_MS, context
