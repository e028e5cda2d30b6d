"""Music under the coach: an exported session with music, taken apart again.

Mixing adds, so the export with music minus the same export without it is the
music as it came out: its level under every cue and between cues, the shape of
its ramps, and the cues themselves on the samples the timeline gives.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from cli import coach
from cue_onsets import groups, json_events, locate, timeline_cues

from coach.app.speaker import sample_at
from coach.audio.mixer import Mixer
from coach.audio.music import MusicBed
from coach.audio.tracks import Track

SCRIPT = """\
workout: Music check
intro: "Music check."
exercises:
  - name: Wall sit
    seconds: 20
    sets: 1
    countdown: 2
    tempo: {setup: 3}
    cues:
      setup: "Back flat on the wall, feet forward."
      start: "Sit."
      during: ["Knees over ankles.", "Breathe out slowly."]
      end: "Stand up."
"""
RATE = 48000
DUCK_DB = 15.0  # config.yaml's music.duck
RAMP = 0.25  # config.yaml's music.ramp


def _chord(seconds: float, rate: int) -> np.ndarray:
    """Steady music: a chord, so its level is the same everywhere it isn't ducked."""
    t = np.arange(int(seconds * rate)) / rate
    return (0.2 * sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6))).astype(
        np.float32
    )


def decode(path: Path, rate: int, level: float) -> np.ndarray:
    """A whole track as the bed plays it, block by block, in one array."""
    track, blocks = Track(path, rate, level), []
    while (block := track.read()) is not None:
        blocks.append(block)
    return np.concatenate(blocks)


def _db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples))) + 1e-12))


def _export(tmp_path: Path, name: str, *extra: str) -> tuple[np.ndarray, str]:
    out = tmp_path / name
    result = coach("export", str(tmp_path / "w.yaml"), "-o", str(out), *extra,
                   home=tmp_path, check=True)  # fmt: skip
    samples, rate = soundfile.read(str(out), dtype="float64")
    assert rate == RATE
    return samples, result.stderr


def test_exported_music_ducks_under_every_cue_without_clicks_or_moving_a_cue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path))  # where the runs keep their cue cache
    (tmp_path / "w.yaml").write_text(SCRIPT, encoding="utf-8")
    music = tmp_path / "music"
    music.mkdir()
    soundfile.write(str(music / "a.ogg"), _chord(7.0, 44100), 44100)
    soundfile.write(str(music / "b.mp3"), _chord(5.0, 44100), 44100, format="MP3")
    (music / "c.flac").write_bytes(b"not a flac file")

    timeline = coach("run", str(tmp_path / "w.yaml"), "--simulate", "--json",
                     home=tmp_path, check=True)  # fmt: skip
    events = json_events(timeline.stdout)
    with_music, told = _export(tmp_path, "with.wav", "--music", str(music))
    without, _ = _export(tmp_path, "without.wav")
    assert [line for line in told.splitlines() if "c.flac" in line] == [
        "coach: skipping music 'c.flac': can't read it as an MP3, OGG, FLAC or WAV file "
        "(Format not recognised)"
    ]
    played = with_music - without
    says = [(e["t"], e["t"] + e["duration"]) for e in events if e["event"] == "say"]
    assert len(says) >= 6

    under = [_db(played[sample_at(a, RATE) : sample_at(b, RATE)]) for a, b in says]
    clear = np.ones(played.size, dtype=bool)
    for a, b in says:
        clear[max(0, sample_at(a - RAMP - 0.05, RATE)) : sample_at(b + RAMP + 0.05, RATE)] = False
    finished = next(e["t"] for e in events if e["event"] == "done")
    clear[sample_at(finished, RATE) :] = False  # faded out at the end
    between = _db(played[clear])
    print(f"music between cues {between:.1f} dBFS; under each cue "
          + ", ".join(f"{u:.1f}" for u in under))  # fmt: skip
    assert all(between - level >= 10.0 for level in under)
    assert all(abs(level - (between - DUCK_DB)) < 0.5 for level in under)

    # No click: the ducked music never moves from one sample to the next faster than
    # the music itself does (a gain step would, by most of the wave's height).
    reference = decode(music / "a.ogg", RATE, -20.0)
    steepest = float(np.max(np.abs(np.diff(reference))))
    moves = np.abs(np.diff(played[: sample_at(finished, RATE)]))
    print(f"steepest step {float(moves.max()):.4f} (music's own {steepest:.4f})")
    assert float(moves.max()) <= 1.05 * steepest + 1e-3

    # Every cue sits on the sample the timeline gives, music or not (cues that start
    # together, like the first words and the start chime, are looked for together).
    shifts, scores = [], []
    for group in groups(timeline_cues(events, RATE), RATE):
        found = locate(with_music, group.template, group.start, RATE // 10)
        shifts.append(found.found - group.start)
        if any(label.startswith("say:") for label in group.labels):  # tones aren't ducked
            scores.append(found.score)
    print(f"cue onset shifts (samples): {shifts}; worst match {min(scores):.3f}")
    assert shifts and all(s == 0 for s in shifts)
    assert min(scores) > 0.9


def _chord_under_the_voice(tmp_path: Path) -> tuple[Path, MusicBed, Mixer]:
    """A 3 s chord's file, and it as the music bed of a mixer, at -20 dB, ducked 15 dB
    in 0.25 s ramps."""
    track = tmp_path / "t.wav"
    soundfile.write(str(track), _chord(3.0, RATE), RATE)
    bed = MusicBed([track], RATE, level=-20.0, duck=15.0, ramp=0.25)
    bed.fill()
    mixer = Mixer(RATE)
    mixer.music = bed
    return track, bed, mixer


def test_music_holds_its_place_through_a_pause(tmp_path: Path) -> None:
    track, bed, mixer = _chord_under_the_voice(tmp_path)
    block = np.zeros(4800, dtype=np.float32)
    out: list[Any] = []
    bed.pause(RATE // 2, True)  # paused at 0.5 s, resumed at 1.5 s
    bed.pause(3 * RATE // 2, False)
    for _ in range(30):
        mixer.render_into(block)
        out.append(block.copy())
    played = np.concatenate(out)
    assert _db(played[int(0.6 * RATE) : int(1.5 * RATE)]) < -100  # silent while paused
    reference = decode(track, RATE, -20.0)
    # after fading back in, it carries on from where it faded out (0.5 s + the fade)
    fade = int(0.05 * RATE)
    after = played[3 * RATE // 2 + fade : 3 * RATE // 2 + fade + 4800]
    resumed_from = RATE // 2 + 2 * fade
    assert np.allclose(after, reference[resumed_from : resumed_from + 4800], atol=1e-6)
    # and the fades have no corner: no step bigger than the music's own
    steepest = float(np.max(np.abs(np.diff(reference))))
    assert float(np.max(np.abs(np.diff(played)))) <= 1.05 * steepest


def test_a_cue_that_arrives_late_ducks_without_a_click(tmp_path: Path) -> None:
    """Live, a cue is scheduled a moment before it plays, inside the ramp that should
    have begun before it: the music glides down from where it was instead of jumping."""
    track, bed, mixer = _chord_under_the_voice(tmp_path)
    block = np.zeros(1024, dtype=np.float32)
    out: list[np.ndarray] = []
    silent_voice = np.zeros(RATE // 2, dtype=np.float32)  # the music alone is measured
    for index in range(120):
        if index == 20:  # 0.43 s in: a cue for 0.05 s from now
            mixer.schedule(silent_voice, mixer.position + RATE // 20, voice=True)
        mixer.render_into(block)
        out.append(block.copy())
    played = np.concatenate(out)
    reference = decode(track, RATE, -20.0)
    steepest = float(np.max(np.abs(np.diff(reference))))
    assert float(np.max(np.abs(np.diff(played)))) <= 1.05 * steepest
    start = 20 * 1024 + RATE // 20
    # fully down within a ramp of its arrival, back up a ramp after the cue
    assert _db(played[start + RATE // 4 : start + RATE // 2]) < _db(played[:20000]) - 14.5
    assert abs(_db(played[start + RATE : start + RATE + 20000]) - _db(played[:20000])) < 0.3


def test_a_long_track_is_decoded_a_few_seconds_ahead_and_plays_on_without_a_seam(
    tmp_path: Path,
) -> None:
    """The bed never holds a track whole: some seconds ahead of the output, however long
    the track, and the blocks it was decoded in join without a step."""
    track = tmp_path / "long.wav"
    source_rate = 44100  # resampled to the output's rate on the way, block by block
    stereo = np.stack([_chord(75.0, source_rate), _chord(75.0, source_rate)], axis=1)
    soundfile.write(str(track), stereo, source_rate)
    bed = MusicBed([track], RATE, level=-20.0, duck=15.0, ramp=0.25)
    mixer = Mixer(RATE)
    mixer.music = bed
    block = np.zeros(4800, dtype=np.float32)
    out, most = [], 0
    for _ in range(80 * RATE // block.size):  # once through, and on into the second time
        bed.fill()  # as the loader thread does
        most = max(most, bed.buffered)
        mixer.render_into(block)
        out.append(block.copy())
    played = np.concatenate(out)
    print(f"at most {most / RATE:.1f} s decoded ahead of a 75 s track")
    assert most < 20 * RATE
    seconds = [_db(played[s * RATE : (s + 1) * RATE]) for s in range(1, 79) if s not in (74, 75)]
    assert all(abs(level + 20.0) < 0.2 for level in seconds), seconds
    steepest = float(np.max(np.abs(np.diff(played[RATE : 70 * RATE]))))
    wave = float(np.max(np.abs(np.diff(decode(track, RATE, -20.0)[RATE : 2 * RATE]))))
    assert steepest <= 1.05 * wave


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_a_bad_music_file_is_skipped_in_one_line_of_the_coachs_own(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(SCRIPT, encoding="utf-8")
    empty, garbage = tmp_path / "empty.mp3", tmp_path / "garbage.mp3"
    empty.write_bytes(b"")
    garbage.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    without = "the session goes on without music"
    for music, why in [
        (empty, "the file is empty"),
        (garbage, "can't read it as an MP3, OGG, FLAC or WAV file (its data is not sound)"),
    ]:
        result = coach("export", str(tmp_path / "w.yaml"), "-o", str(tmp_path / "out.wav"),
                       "--music", str(music), home=tmp_path)  # fmt: skip
        assert result.returncode == 0
        assert _lines(result.stderr) == [
            f"coach: skipping music '{music.name}': {why}; {without}"
        ]


def test_music_that_is_a_pipe_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(SCRIPT, encoding="utf-8")
    fifo = tmp_path / "music.fifo"
    os.mkfifo(fifo)
    line = (f"coach: --music: '{fifo}' is not a file or a folder; give an MP3, OGG, FLAC or "
            "WAV file or a folder")  # fmt: skip
    for args in (["export", str(tmp_path / "w.yaml"), "-o", str(tmp_path / "out.wav")],
                 ["run", str(tmp_path / "w.yaml"), "--no-audio", "--output-wav",
                  str(tmp_path / "out.wav")]):  # fmt: skip
        result = coach(*args, "--music", str(fifo), home=tmp_path, timeout=60)
        assert (result.returncode, result.stderr.strip()) == (2, line)


def test_simulate_refuses_a_bad_music_path_as_export_does(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(SCRIPT, encoding="utf-8")
    missing = tmp_path / "no-such-music"
    line = f"coach: --music: no such file or folder: '{missing}'"
    export = coach("export", str(tmp_path / "w.yaml"), "-o", str(tmp_path / "out.wav"),
                   "--music", str(missing), home=tmp_path)  # fmt: skip
    simulated = coach("run", str(tmp_path / "w.yaml"), "--simulate", "--music", str(missing),
                      home=tmp_path)  # fmt: skip
    assert (export.returncode, export.stderr.strip()) == (2, line)
    assert (simulated.returncode, simulated.stderr.strip(), simulated.stdout) == (2, line, "")


def test_shuffled_music_plays_every_track_whole_once_a_round(tmp_path: Path) -> None:
    tones = {300.0: tmp_path / "a.wav", 500.0: tmp_path / "b.flac", 700.0: tmp_path / "c.ogg"}
    t = np.arange(RATE) / RATE
    for frequency, path in tones.items():
        soundfile.write(str(path), (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32),
                        RATE)  # fmt: skip
    bed = MusicBed(sorted(tones.values()), RATE, shuffle=True, seed=3)
    mixer = Mixer(RATE)
    mixer.music = bed
    block = np.zeros(4800, dtype=np.float32)
    out = []
    for _ in range(12 * RATE // block.size):
        bed.fill()
        mixer.render_into(block)
        out.append(block.copy())
    played = np.concatenate(out)
    heard = []
    for second in range(12):
        middle = played[second * RATE + RATE // 4 : second * RATE + 3 * RATE // 4]
        spectrum = np.abs(np.fft.rfft(middle))
        heard.append(round(float(np.argmax(spectrum)) * 2))  # 0.5 s: bins of 2 Hz
    rounds = [heard[i : i + 3] for i in range(0, 12, 3)]
    print(f"heard {rounds}")
    assert all(sorted(r) == [300, 500, 700] for r in rounds)
    assert any(r != [300, 500, 700] for r in rounds)  # shuffled, not in order
    assert len({tuple(r) for r in rounds}) > 1  # and shuffled again each round
