"""End to end, hands free: a PulseAudio server with a virtual speaker and a virtual
microphone, the real coach, and a scripted athlete who listens and talks back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
from athlete import Athlete, CoachProcess, Event, spoken
from cli import REPO, coach
from pulse import PulseServer
from retries import Retries

SCRIPT = """\
workout: Hands-free check
exercises:
  - name: Bridge
    sets: 2
    reps: 3
    rest: 4
    countdown: 2
    tempo: {setup: manual, brace: 2, drive: 1, hold: 2, lower: 4}
    cues:
      setup: "Lie back. Say ready."
      brace: "Brace."
      drive: "Up."
  - name: Plank
    sets: 1
    reps: 2
    countdown: 0
    tempo: {setup: manual, brace: 2, drive: 2, hold: 2, lower: 2}
    cues:
      setup: "Plank. Say ready."
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    (tmp_path / "voice").mkdir()
    (tmp_path / "check.yaml").write_text(SCRIPT)
    return tmp_path


# Of the commands said in the coach's gaps, the least share each backend must hear:
# bench/live.py hears 94 % of them with moonshine; pocketsphinx hears far fewer
# (bench/README.md). Set so that a run fails on a real loss, not one unlucky saying.
HEARD_RATE = {"auto": 0.5, "pocketsphinx": 0.4}


# The default (moonshine, for English, where its wheel installs) and pocketsphinx.
@pytest.fixture(params=["auto", "pocketsphinx"])
def session(
    request: pytest.FixtureRequest, pulse: PulseServer, workspace: Path
) -> Iterator[tuple[CoachProcess, Athlete]]:
    config = workspace / "config.yaml"
    config.write_text(f"listen:\n  backend: {request.param}\n")
    process = CoachProcess(
        ["run", str(workspace / "check.yaml"), "--json", "--plain"],
        pulse, workspace / "home", REPO, extra_env={"COACH_CONFIG": str(config)},
    )
    athlete = Athlete(pulse, process, workspace / "voice")
    athlete.backend = request.param
    try:
        yield process, athlete
    finally:
        athlete.close()
        process.kill()


def _phase(phase: str, **where: object) -> object:
    return lambda e: e["event"] == "phase" and e["phase"] == phase and all(
        e.get(k) == v for k, v in where.items()
    )


def _index(events: list[Event], event: Event) -> int:
    return next(i for i, e in enumerate(events) if e is event or e == event)


def test_a_whole_session_by_voice(session: tuple[CoachProcess, Athlete], workspace: Path) -> None:
    coach_process, athlete = session
    coach_process.wait_for(_phase("setup", exercise="Bridge", set=1), timeout=60)

    # "ready" ends the manual setup.
    heard = athlete.command("next", "ready", "next")
    events = coach_process.snapshot()
    coach_process.wait_for(_phase("brace", rep=1), timeout=15, after=_index(events, heard))

    # "pause" freezes the clock mid-set; "resume" carries on where it was.
    coach_process.wait_for(_phase("hold", rep=1), timeout=20)
    paused = athlete.command("pause", "pause", "hold on")
    resumed = athlete.command("resume", "resume", "continue")
    events = coach_process.snapshot()
    between = events[_index(events, paused) + 1 : _index(events, resumed)]
    assert not [e for e in between if e["event"] == "phase"], "the clock ran while paused"
    assert resumed["t"] - paused["t"] >= 1.0

    # "repeat" says the last cue again.
    said_before = [e["text"] for e in coach_process.snapshot() if e["event"] == "say"]
    repeat = athlete.command("repeat", "repeat", "say again")
    again = coach_process.wait_for(
        lambda e: e["event"] == "say", timeout=10, after=_index(coach_process.snapshot(), repeat)
    )
    assert again["text"] in said_before

    # "skip" moves on to the next exercise, once the first rep is done.
    coach_process.wait_for(_phase("brace", rep=2), timeout=30)
    athlete.command("skip", "skip exercise", "skip")
    coach_process.wait_for(_phase("setup", exercise="Plank"), timeout=20)

    # "stop" ends the session, saving progress.
    athlete.stop()
    done = coach_process.wait_for(lambda e: e["event"] == "done", timeout=20)
    # Each command said until heard, every saying counted against the backend's rate.
    athlete.assert_heard_rate(HEARD_RATE[athlete.backend])
    code, stderr = coach_process.finish()
    assert code == 0, stderr

    events = coach_process.snapshot()
    completed = _completed_reps(events)
    assert done["completed_reps"] == completed >= 1
    history = json.loads(coach("history", "--json", home=workspace / "home", check=True).stdout)
    assert history[0]["status"] == "stopped"
    assert history[0]["completed_reps"] == completed
    assert history[0]["planned_reps"] == 2 * 3 + 2


def _completed_reps(events: list[Event]) -> int:
    """Reps whose lower phase ran to its end (another phase or the rest followed, and not
    because a command cut the lower short: "skip" heard in it moves on without the rep)."""
    phases = [e for e in events if e["event"] in ("phase", "rest", "done")]
    cut_at = {e["t"] for e in events if e["event"] == "command"}
    keys = set()
    for this, following in zip(phases, phases[1:], strict=False):
        ran_out = following["event"] != "done" and following["t"] not in cut_at
        if this["event"] == "phase" and this["phase"] == "lower" and ran_out:
            keys.add((this["exercise"], this["set"], this["rep"]))
    return len(keys)


TIMED = """\
workout: Talking to itself
exercises:
  - name: Bridge
    sets: 1
    reps: 3
    countdown: 2
    tempo: {setup: 3, brace: 2, drive: 1, hold: 1, lower: 2}
    cues:
      setup: "Say ready when you're set. Next, pause, resume, repeat, skip or stop."
      brace: ["Brace.", "Ready?"]
      drive: "Next!"
      hold: "Hold on."
      lower: "Stop. Slower."
"""


def test_the_coach_never_hears_itself(pulse: PulseServer, workspace: Path) -> None:
    """The coach's own cues, full of command words, looped into its microphone."""
    script = workspace / "timed.yaml"
    script.write_text(TIMED)
    loop = pulse.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=mic",
                       "latency_msec=30").strip()
    try:
        code, stderr, process, recording = _run_into_the_mic(
            pulse, workspace, script, "--no-barge-in"
        )
    finally:
        pulse.pactl("unload-module", loop)
    _nothing_heard(code, stderr, process, recording)


def test_with_barge_in_the_coach_never_hears_itself_either(
    pulse: PulseServer, workspace: Path
) -> None:
    """Listening while it talks, its cues played straight into its microphone: the
    echo canceller takes them out."""
    script = workspace / "timed.yaml"
    script.write_text(TIMED)
    # PULSE_SINK: the coach plays into the microphone's sink itself. (Through
    # module-loopback, whose resampler keeps moving the echo by a fraction of a
    # sample, the canceller takes only 15-25 dB off and "Next!" gets through.)
    code, stderr, process, recording = _run_into_the_mic(
        pulse, workspace, script, "--barge-in", env={"PULSE_SINK": "mic"}
    )
    _nothing_heard(code, stderr, process, recording)


def _run_into_the_mic(
    pulse: PulseServer,
    workspace: Path,
    script: Path,
    *flags: str,
    env: dict[str, str] | None = None,
) -> tuple[int, str, CoachProcess, Path]:
    with pulse.record("mic.monitor", workspace / "mic.wav") as recording:
        process = CoachProcess(["run", str(script), "--json", "--plain", *flags], pulse,
                               workspace / "home", REPO, extra_env=env)
        try:
            code, stderr = process.finish(timeout=120)
        finally:
            process.kill()
    return code, stderr, process, recording.path


def _nothing_heard(code: int, stderr: str, process: CoachProcess, recording: Path) -> None:
    assert code == 0, stderr
    heard, _ = soundfile.read(str(recording), dtype="float32")
    assert float(np.sqrt(np.mean(heard**2))) > 0.005, "the loopback brought no sound to the mic"
    events = process.snapshot()
    assert [e for e in events if e["event"] == "command"] == []
    assert events[-1]["event"] == "done"
    assert events[-1]["completed_reps"] == 3


LONG_CUE = """\
workout: Barge-in check
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
    reps: 2
    countdown: 0
    tempo: {setup: manual, brace: 1, drive: 1, hold: 1, lower: 1}
    cues:
      setup: >-
        Lie on your back with your knees bent and your feet flat on the floor, arms
        long by your sides, chin tucked and ribs down. Take one slow breath out
        before we begin, and say ready whenever you are set.
"""


def test_with_barge_in_a_command_said_over_the_coach_is_heard(
    pulse: PulseServer, workspace: Path
) -> None:
    script = workspace / "long.yaml"
    script.write_text(LONG_CUE)
    process = CoachProcess(["run", str(script), "--json", "--plain", "--barge-in"], pulse,
                           workspace / "home", REPO, extra_env={"PULSE_SINK": "mic"})
    try:
        # The warm-up's cues teach the canceller the way from speaker to microphone
        # (until it takes the coach's voice down, the listener is deaf while it talks).
        cue = process.wait_for(
            lambda e: e["event"] == "say" and e["text"].startswith("Lie on"), timeout=60
        )
        time.sleep(2.0)  # well into the cue
        heard = None
        for attempt in Retries(allowed=2).tries("ready over the coach", 3):
            voice = ("espeak", "hibari", "espeak")[attempt]
            mark = len(process.snapshot())
            pulse.play("mic", spoken("ready", workspace / "voice", voice))
            try:
                heard = process.wait_for(
                    lambda e: e["event"] == "command" and e["command"] == "next",
                    timeout=2, after=mark,
                )
                break
            except AssertionError:
                continue
        assert heard is not None, "the coach never heard 'ready' over its own voice"
        assert heard["t"] < cue["t"] + cue["duration"], "heard only once the coach was quiet"
        process.wait_for(_phase("brace", exercise="Bridge", rep=1), timeout=10)
        code, stderr = process.finish(timeout=60)
    finally:
        process.kill()
    assert code == 0, stderr
    events = process.snapshot()
    assert [e for e in events if e["event"] == "command"] == [heard]
    assert events[-1]["event"] == "done" and events[-1]["completed_reps"] == 4


def test_serve_starts_a_workout_by_voice_and_stops_it(
    pulse: PulseServer, workspace: Path
) -> None:
    process = CoachProcess(["serve", "--json", "--sessions", "1"], pulse,
                           workspace / "home", REPO)
    athlete = Athlete(pulse, process, workspace / "voice")
    try:
        process.wait_for(lambda e: e["event"] == "say" and "start" in e["text"], timeout=60)
        for attempt in Retries(allowed=3).tries("start demo", 4):
            athlete.say("start demo", ("espeak", "hibari")[attempt % 2])
            try:
                process.wait_for(_phase("setup", exercise="Glute bridge"), timeout=8)
                break
            except AssertionError:
                continue
        process.wait_for(lambda e: e["event"] == "rest", timeout=90)
        athlete.stop()
        done = process.wait_for(lambda e: e["event"] == "done", timeout=30)
        code, stderr = process.finish(timeout=60)
    finally:
        athlete.close()
        process.kill()
    assert code == 0, stderr
    assert done["completed_reps"] == 3  # the first set of the demo
    history = json.loads(coach("history", "--json", home=workspace / "home", check=True).stdout)
    assert [(h["script"], h["status"]) for h in history] == [("demo", "stopped")]
