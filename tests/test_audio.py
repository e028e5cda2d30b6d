"""Sound output: the mixer's sample placement, what `--output-wav` records, and a
session with no sound device at all."""

from __future__ import annotations

import json
import textwrap
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from cli import isolated_env, run_coach
from cue_onsets import groups, json_events, locate, render, timeline_cues

from coach.app.speaker import sample_at
from coach.audio.mixer import FADE_SECONDS, SPANS_FORGOTTEN_AFTER, Mixer

# -- the mixer -------------------------------------------------------------------------


def play(mixer: Mixer, total: int, block_sizes: list[int]) -> np.ndarray:
    """Pull `total` samples out of the mixer in blocks of the given sizes (cycled)."""
    out = []
    got, i = 0, 0
    while got < total:
        block = np.empty(min(block_sizes[i % len(block_sizes)], total - got), np.float32)
        mixer.render_into(block)
        out.append(block.copy())
        got += block.size
        i += 1
    return np.concatenate(out)


def clip(length: int, seed: int) -> np.ndarray:
    data = np.random.default_rng(seed).uniform(-0.3, 0.3, length).astype(np.float32)
    data.setflags(write=False)
    return data


@pytest.mark.parametrize("block_sizes", [[1], [7], [64], [1024], [5, 300, 17, 1000]])
def test_clips_land_on_their_exact_samples_across_block_boundaries(
    block_sizes: list[int],
) -> None:
    mixer = Mixer(8000)
    placed = [(0, clip(10, 1)), (63, clip(130, 2)), (64, clip(1, 3)), (1000, clip(2500, 4))]
    for start, samples in placed:
        mixer.schedule(samples, start)
    total = 4000
    expected = np.zeros(total, np.float32)
    for start, samples in placed:
        expected[start : start + samples.size] += samples
    np.testing.assert_array_equal(play(mixer, total, block_sizes), expected)
    assert mixer.late_clips == 0 and mixer.position == total


def test_overlapping_clips_are_summed() -> None:
    mixer = Mixer(8000)
    a, b, c = clip(500, 5), clip(300, 6), clip(50, 7)
    mixer.schedule(a, 100)
    mixer.schedule(b, 400)  # overlaps a's tail
    mixer.schedule(c, 100)  # same start as a
    out = play(mixer, 1000, [128])
    expected = np.zeros(1000, np.float32)
    expected[100:600] += a
    expected[400:700] += b
    expected[100:150] += c
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-7)


def test_a_clip_scheduled_while_playing_lands_on_its_sample() -> None:
    mixer = Mixer(8000)
    first = play(mixer, 256, [100])  # the render head is mid-stream
    assert not first.any()
    later = clip(40, 8)
    mixer.schedule(later, 300)
    out = play(mixer, 200, [100])
    assert np.flatnonzero(out)[0] == 300 - 256
    assert mixer.late_clips == 0


def test_a_late_clip_plays_whole_at_once_and_is_counted() -> None:
    mixer = Mixer(8000)
    play(mixer, 300, [100])
    late = clip(50, 9)
    mixer.schedule(late, 250)  # 50 samples already gone
    mixer.schedule(clip(10, 10), 300)  # exactly at the render head: on time
    out = play(mixer, 100, [100])
    assert mixer.late_clips == 1
    assert mixer.worst_lateness == 50
    np.testing.assert_allclose(out[:50], late + np.pad(clip(10, 10), (0, 40)), atol=1e-7)


def test_an_empty_clip_is_ignored() -> None:
    mixer = Mixer(8000)
    mixer.schedule(np.zeros(0, np.float32), 10)
    assert not play(mixer, 100, [64]).any()
    assert mixer.busy_until() == 0


def _spans(mixer: Mixer) -> list[tuple[int, int]]:
    """What a watcher that comes now is told is scheduled, (start, stop) in samples."""
    told: list[tuple[int, int]] = []
    mixer.watch(lambda start, stop, _: told.append((start, stop)))()
    return told


def test_a_watcher_is_told_what_is_scheduled_and_forgotten_long_over() -> None:
    mixer = Mixer(1000)
    mixer.schedule(clip(100, 11), 500)
    assert _spans(mixer) == [(500, 600)]
    assert mixer.busy_until() == 600
    kept = 1000 * SPANS_FORGOTTEN_AFTER
    play(mixer, kept, [1000])
    mixer.schedule(clip(100, 12), kept)  # the first ended under SPANS_FORGOTTEN_AFTER ago: kept
    assert _spans(mixer) == [(500, 600), (kept, kept + 100)]
    play(mixer, 1000, [1000])
    mixer.schedule(clip(100, 13), kept + 1000)  # and now longer ago: let go
    assert _spans(mixer) == [(kept, kept + 100), (kept + 1000, kept + 1100)]


def test_a_cut_ends_the_clip_on_its_sample_with_a_short_fade() -> None:
    mixer = Mixer(8000)
    fade = round(FADE_SECONDS * 8000)
    long, queued = np.full(2000, 0.5, np.float32), clip(300, 12)
    mixer.schedule(long, 100)
    mixer.schedule(queued, 2500)  # never begun: dropped whole
    play(mixer, 500, [128])
    mixer.cut(1000)
    reply = clip(200, 13)
    mixer.schedule(reply, 1000)  # scheduled after the cut: untouched
    out = play(mixer, 3000, [128])
    start = 500
    np.testing.assert_array_equal(out[: 1000 - fade - start], 0.5)
    ramp = out[1000 - fade - start : 1000 - start]
    assert ramp[0] == pytest.approx(0.5) and ramp[-1] < 0.5 / fade * 1.5
    assert np.all(np.diff(ramp) < 0)  # no step: no click
    np.testing.assert_array_equal(out[1000 - start : 1200 - start], reply)
    assert not out[1200 - start :].any()
    assert mixer.busy_until() == 1200
    assert _spans(mixer) == [(100, 1000), (1000, 1200)]  # cut, and the reply after it


def test_a_cut_behind_the_render_head_fades_out_at_once() -> None:
    mixer = Mixer(8000)
    fade = round(FADE_SECONDS * 8000)
    mixer.schedule(np.full(1000, 0.5, np.float32), 0)
    play(mixer, 600, [100])
    mixer.cut(300)
    out = play(mixer, 400, [100])
    assert np.all(np.diff(out[:fade]) < 0) and not out[fade:].any()


def test_watchers_are_told_of_cuts() -> None:
    mixer = Mixer(8000)
    cuts: list[int] = []
    unwatch = mixer.watch(lambda start, stop, clip: None, on_cut=cuts.append)
    mixer.cut(42)
    unwatch()
    mixer.cut(43)
    assert cuts == [42]


# -- a whole session through the real command ---------------------------------------


@pytest.mark.slow
def test_output_wav_holds_every_cue_on_its_scheduled_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    wav = tmp_path / "session.wav"
    # Rendered first: at 50 times real time a cue rendered on demand on a loaded machine
    # comes after its sample; this test is about where cues land, not how fast they render.
    assert run_coach("render", "demo", env=isolated_env(home)).returncode == 0
    done = run_coach(
        "run", "demo", "--no-audio", "--speed", "50", "--output-wav", str(wav), "--json",
        env=isolated_env(home),
    )
    assert done.returncode == 0, done.stderr
    events = json_events(done.stdout)
    assert events[-1]["event"] == "done"
    recorded, rate = soundfile.read(str(wav), dtype="float32")
    monkeypatch.setenv("COACH_HOME", str(home))  # the clips come from the run's cache
    monkeypatch.setenv("COACH_CONFIG", str(home / "no-user-config.yaml"))
    cues = timeline_cues(events, rate)
    assert len(cues) == sum(e["event"] in ("say", "tone") for e in events) > 20

    # Cue by cue: each one (with whatever starts on the same sample) is found
    # exactly where its `t` says, searching a quarter of a second either side.
    misplaced = {}
    for group in groups(cues, rate):
        match = locate(recorded, group.template, group.start, rate // 4)
        if match.found != group.start or match.score < 0.99:
            # How loud the recording and the cue are there tells a silent render
            # from a misplaced one.
            there = recorded[group.start : group.start + group.template.size]
            misplaced[group.labels] = (
                match.found - group.start,
                round(match.score, 3),
                round(float(np.abs(there).max(initial=0.0)), 4),
                round(float(np.abs(group.template).max(initial=0.0)), 4),
            )
    assert not misplaced, (
        "cues off their sample (error in samples, score, recording's peak there, "
        f"cue's peak): {misplaced}; {len(recorded)} samples recorded"
    )

    # And nothing else: the file is the cues at their samples, bit for bit, and
    # it lasts until the last one (the finishing chime) has played out.
    expected = render(cues, rate, recorded.size)
    np.testing.assert_allclose(recorded, expected, rtol=0, atol=1e-6)
    last_end = max(c.start(rate) + c.clip.size for c in cues)
    assert recorded.size >= last_end


@pytest.mark.slow
def test_output_wav_holds_exactly_what_was_heard_when_commands_cut_the_coach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    wav = tmp_path / "session.wav"
    # Rendered ahead, as `coach run` does live, so no render holds up the answers.
    assert run_coach("render", "demo", env=isolated_env(home)).returncode == 0
    done = run_coach(
        "run", "demo", "--no-audio", "--speed", "20", "--output-wav", str(wav), "--json",
        "--commands", "3.5:pause,6:resume,8:repeat,15.5:stop", env=isolated_env(home),
    )
    assert done.returncode == 0, done.stderr
    events = json_events(done.stdout)
    cut_at = [e["t"] for e in events if e["event"] == "cut"]
    commands = {e["t"]: e["command"] for e in events if e["event"] == "command"}
    assert len(cut_at) >= 2 and all(t in commands for t in cut_at)
    recorded, rate = soundfile.read(str(wav), dtype="float32")
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_CONFIG", str(home / "no-user-config.yaml"))
    cues = timeline_cues(events, rate)
    cuts = [sample_at(t, rate) for t in cut_at]
    fade = round(FADE_SECONDS * rate)
    ramp = np.linspace(1.0, 0.0, fade, endpoint=False, dtype=np.float32)
    expected = np.zeros(recorded.size, np.float32)
    for cue in cues:
        start = cue.start(rate)
        samples = cue.clip.copy()
        ends = [c for c in cuts if start < c < start + samples.size]
        if ends:  # said, then cut: it ends on the cut's sample, fading out
            samples = samples[: ends[0] - start]
            samples[-fade:] *= ramp[max(0, fade - samples.size) :]
        stop = min(recorded.size, start + samples.size)
        expected[start:stop] += samples[: stop - start]
    np.testing.assert_allclose(recorded, expected, rtol=0, atol=1e-6)


# -- no sound device ---------------------------------------------------------------------

TINY_SCRIPT = """\
workout: Tiny check
defaults:
  tempo: {setup: 0.3, brace: 0.3, drive: 0.3, hold: 0.3, lower: 0.3}
  countdown: 0
exercises:
  - name: Bridge
    sets: 1
    reps: 2
    cues:
      brace: "Brace."
"""


def no_sound_env(tmp_path: Path, home: Path) -> dict[str, str]:
    """No PulseAudio to reach, and an ALSA whose only device, `default`, can't open."""
    alsa = tmp_path / "alsa.conf"
    alsa.write_text(
        textwrap.dedent("""\
            pcm.!default { type hw card 99 }
            ctl.!default { type hw card 99 }
        """)
    )
    no_pulse = f"unix:{tmp_path / 'no-pulse'}"
    env = isolated_env(home, PULSE_SERVER=no_pulse, ALSA_CONFIG_PATH=str(alsa))
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def history(home: Path) -> list[dict[str, Any]]:
    done = run_coach("history", "--json", env=isolated_env(home))
    assert done.returncode == 0, done.stderr
    sessions: list[dict[str, Any]] = json.loads(done.stdout)
    return sessions


@pytest.mark.slow
@pytest.mark.parametrize("how", ["no sound system", "--device nonexistent --no-listen"])
def test_without_a_sound_device_the_session_coaches_on_screen(tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    script = tmp_path / "tiny.yaml"
    script.write_text(TINY_SCRIPT)
    if how == "no sound system":
        done = run_coach("run", str(script), "--json", env=no_sound_env(tmp_path, home))
    else:
        done = run_coach("run", str(script), "--json", *how.split(), env=isolated_env(home))
    assert done.returncode == 0, done.stderr
    notes = done.stderr.strip().splitlines()
    assert all(note.startswith("coach: ") for note in notes), done.stderr
    # One line for the sound; the microphone, when it's missing too, has its own.
    about_sound = [note for note in notes if "coaching on screen" in note]
    assert len(about_sound) == 1 and "no sound" in about_sound[0], done.stderr
    others = [note for note in notes if note not in about_sound]
    assert all("no voice commands" in note for note in others), done.stderr
    if "--no-listen" in how:
        assert not others, done.stderr

    events = json_events(done.stdout)
    assert [e["event"] for e in events if e["event"] in ("say", "done")][-1] == "done"
    assert sum(e["event"] == "say" and e["text"] == "Brace." for e in events) == 2
    assert events[-1] == {**events[-1], "completed_reps": 2, "planned_reps": 2}

    (session,) = history(home)
    assert session["status"] == "completed"
    assert session["completed_reps"] == session["planned_reps"] == 2


def test_sample_at_recovers_the_sample_from_the_printed_time() -> None:
    rate = 48000
    for sample in (0, 1, 47999, 48001, 123456789, 172_800_000):  # up to an hour
        t = round(sample / rate, 6)  # what the timeline prints
        assert sample_at(t, rate) == sample


@pytest.mark.slow
def test_a_real_time_session_keeps_the_scripts_tempo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run_coach("run", "demo", "--no-audio", "--speed", "50", "--json", env=isolated_env(home))
    assert done.returncode == 0, done.stderr
    tempo = {"brace": 2.0, "drive": 1.0, "hold": 1.0, "lower": 2.0}
    phases = [e for e in json_events(done.stdout) if e["event"] == "phase"]
    overrun_ms = [
        round((b["t"] - a["t"] - tempo[a["phase"]]) * 1000, 3)
        for a, b in pairwise(phases)
        if a["phase"] in tempo and b["rep"] is not None and b["set"] == a["set"]
    ]
    assert len(overrun_ms) > 10
    assert max(abs(ms) for ms in overrun_ms) <= 1.0, overrun_ms
