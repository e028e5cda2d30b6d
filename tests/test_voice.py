"""The coach's voice: real TTS engines, cleanup of what they render, the disk cache."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.base.errors import CoachError
from coach.config import Settings, load_settings
from coach.plan import expand
from coach.script.loader import load_workout
from coach.session.catalog import session_texts
from coach.session.phrases import Phrases
from coach.voice.cleanup import _active_rms, prepare, trim
from coach.voice.engines import Pyttsx3Engine
from coach.voice.voice import Voice

RATE = 48000
LINES = (
    "Up!",
    "Brace.",
    "Drive through the heel and hold a full second at the top.",
    "Rest 60 seconds. Next up: band-resisted hip thrust, left leg.",
)


@pytest.fixture(autouse=True)
def coach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cache (COACH_HOME) and no stray settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_CONFIG", str(tmp_path / "no-user-config.yaml"))
    return home


def settings(**overrides: object) -> Settings:
    """Defaults plus flags-style overrides: settings(**{"voice.rate": 200})."""
    return load_settings(overrides, environ={})


@pytest.fixture
def voices() -> Iterator[list[Voice]]:
    made: list[Voice] = []
    yield made
    for voice in made:
        voice.close()


def open_voice(voices: list[Voice], **overrides: object) -> Voice:
    voice = Voice.from_settings(settings(**overrides))
    voices.append(voice)
    return voice


def db(value: float) -> float:
    return 20 * float(np.log10(value))


def seconds(clip: np.ndarray, rate: int = RATE) -> float:
    return clip.size / rate


# -- the cache -------------------------------------------------------------------------


def test_a_miss_renders_the_cue_and_stores_it(voices: list[Voice], coach_home: Path) -> None:
    voice = open_voice(voices)
    path = voice.cache.path("Brace.")
    assert not path.exists()
    clip = voice.clip("Brace.")
    assert voice.rendered == 1
    assert path.is_file() and path.is_relative_to(coach_home)
    np.testing.assert_array_equal(voice.cache.get("Brace."), clip)


def test_a_second_voice_with_the_same_settings_renders_nothing(voices: list[Voice]) -> None:
    first = open_voice(voices)
    clips = [first.clip(text) for text in LINES]
    assert first.rendered == len(LINES)
    again = open_voice(voices)
    for text, clip in zip(LINES, clips, strict=True):
        np.testing.assert_array_equal(again.clip(text), clip)
    assert again.rendered == 0
    assert again.missing(LINES) == []


@pytest.mark.parametrize(
    "change",
    [
        {"voice.rate": 230},
        {"voice.voice": "en-us"},
        {"voice.loudness": -26.0},
        {"voice.volume": 0.5},
        {"audio.sample_rate": 44100},
    ],
    ids=lambda change: next(iter(change)),
)
def test_changing_the_voice_misses_the_cache(
    voices: list[Voice], change: dict[str, object]
) -> None:
    before = open_voice(voices)
    old = before.clip("Squeeze.")
    after = open_voice(voices, **change)
    assert after.cache.path("Squeeze.") != before.cache.path("Squeeze.")
    assert after.missing(["Squeeze."]) == ["Squeeze."]
    new = after.clip("Squeeze.")
    assert after.rendered == 1
    assert not np.array_equal(new, old)
    # The old entry is left alone: switching back costs nothing.
    back = open_voice(voices)
    np.testing.assert_array_equal(back.clip("Squeeze."), old)
    assert back.rendered == 0


def say_durations(home: Path, rate: int) -> dict[str, float]:
    """The length of every cue of the demo, as a `coach run --simulate` at `rate` measures it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env.update(COACH_HOME=str(home), COACH_CONFIG=str(home / "none.yaml"))
    env["COACH_VOICE_RATE"] = str(rate)
    done = subprocess.run(
        [sys.executable, "-m", "coach", "run", "demo", "--simulate", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    events = [json.loads(line) for line in done.stdout.splitlines()]
    return {e["text"]: e["duration"] for e in events if e["event"] == "say"}


def test_a_slower_rate_renders_longer_cues(tmp_path: Path) -> None:
    # One voice per process, as in a session (see the next test for why).
    normal = say_durations(tmp_path, 170)
    slow = say_durations(tmp_path, 120)
    assert normal.keys() == slow.keys()
    ratio = sum(slow.values()) / sum(normal.values())
    assert 1.2 < ratio < 1.6, ratio


@pytest.mark.skipif(
    importlib.util.find_spec("hibari") is None, reason="hibari-tts (the neural extra) not installed"
)
def test_a_damaged_cache_entry_is_rendered_again(voices: list[Voice]) -> None:
    # hibari: pyttsx3's one engine per process now and then carries another voice's rate
    # into a render, and this test is about the cache, not the engine.
    voice = open_voice(voices, **{"voice.engine": "hibari"})
    good = voice.clip("Brace.")
    voice.cache.path("Brace.").write_bytes(b"\x93NUMPY half a file")
    again = open_voice(voices, **{"voice.engine": "hibari"})
    clip = again.clip("Brace.")
    assert again.rendered == 1
    assert abs(clip.size - good.size) < 0.05 * RATE
    assert again.cache.get("Brace.") is not None


# -- cleanup ---------------------------------------------------------------------------


def burst(rate: int, lead: float, length: float, tail: float, level: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(7)
    sound = (level * rng.uniform(-1, 1, int(length * rate))).astype(np.float32)
    return np.concatenate(
        [np.zeros(int(lead * rate), np.float32), sound, np.zeros(int(tail * rate), np.float32)]
    )


def test_trim_cuts_the_silence_around_the_sound_and_keeps_a_short_pad() -> None:
    rate = 22050
    samples = burst(rate, lead=0.5, length=0.3, tail=0.4)
    trimmed = trim(samples, rate)
    pad = 0.015
    assert seconds(trimmed, rate) == pytest.approx(0.3 + 2 * pad, abs=2 / rate)
    assert np.all(trimmed[: int(pad * rate) - 1] == 0)
    assert trimmed[int(pad * rate) + 1] != 0


def test_trim_of_pure_silence_is_empty() -> None:
    assert trim(np.zeros(1000, np.float32), 16000).size == 0


def test_prepare_resamples_trims_and_normalises() -> None:
    rate = 22050
    samples = burst(rate, lead=0.2, length=0.5, tail=0.2, level=0.05)
    out = prepare(samples, rate, RATE, target_dbfs=-20.0, volume=1.0)
    assert out.dtype == np.float32
    assert seconds(out) == pytest.approx(0.5 + 0.03, abs=0.002)
    assert db(_active_rms(out, RATE)) == pytest.approx(-20.0, abs=0.2)


def edge_silence(clip: np.ndarray, rate: int = RATE) -> tuple[float, float]:
    """Seconds before the first and after the last sample within 40 dB of the peak."""
    loud = np.flatnonzero(np.abs(clip) >= np.max(np.abs(clip)) * 10 ** (-40 / 20))
    return loud[0] / rate, (clip.size - 1 - loud[-1]) / rate


def test_rendered_cues_have_no_dead_air_at_either_end(voices: list[Voice]) -> None:
    voice = open_voice(voices)
    for text in LINES:
        lead, tail = edge_silence(voice.clip(text))
        # The 15 ms pad, plus a little for resampling's ringing.
        assert lead <= 0.02 and tail <= 0.02, (text, lead, tail)


@pytest.mark.parametrize("target", [-20.0, -26.0])
def test_every_cue_comes_out_at_the_same_loudness(voices: list[Voice], target: float) -> None:
    voice = open_voice(voices, **{"voice.loudness": target})
    levels = {text: db(_active_rms(voice.clip(text), RATE)) for text in LINES}
    for text, level in levels.items():
        assert level == pytest.approx(target, abs=1.0), (text, levels)
    assert max(levels.values()) - min(levels.values()) <= 1.0, levels


def test_volume_scales_after_normalisation(voices: list[Voice]) -> None:
    full = open_voice(voices).clip("Brace.")
    half = open_voice(voices, **{"voice.volume": 0.5}).clip("Brace.")
    assert db(_active_rms(half, RATE)) - db(_active_rms(full, RATE)) == pytest.approx(
        db(0.5), abs=0.5
    )


# -- the engines -----------------------------------------------------------------------


def plausible_length(text: str, words_per_minute: float) -> tuple[float, float]:
    spoken = len(text.split()) * 60 / words_per_minute
    return 0.5 * spoken, 2.0 * spoken + 0.5


def test_pyttsx3_really_renders_speech() -> None:
    engine = Pyttsx3Engine(None, 170)
    text = LINES[2]
    samples, rate = engine.synthesize(text)
    assert rate >= 16000
    assert samples.ndim == 1 and samples.dtype == np.float32
    low, high = plausible_length(text, 170)
    assert low <= seconds(samples, rate) <= high
    assert np.sqrt(np.mean(samples**2)) > 0.01  # speech, not silence
    # Not one steady tone either: speech comes and goes in 20 ms frames.
    frames = samples[: samples.size // 441 * 441].reshape(-1, 441)
    energies = np.sqrt(np.mean(frames**2, axis=1))
    assert np.percentile(energies, 90) > 10 * np.percentile(energies, 10) + 1e-4


def test_pyttsx3_names_a_missing_voice() -> None:
    with pytest.raises(CoachError, match="no voice 'no-such-voice'"):
        Pyttsx3Engine("no-such-voice", 170).synthesize("Brace.")


def test_every_cue_of_a_session_renders_to_sound(voices: list[Voice]) -> None:
    # The order a session renders in: the first cue now, the rest in the background,
    # with the session asking for clips meanwhile. No clip may come out empty.
    texts = session_texts(expand(load_workout("demo")), Phrases())
    voice = open_voice(voices)
    voice.clip(texts[0])
    voice.prerender(texts)
    for text in texts:
        clip = voice.clip(text)
        low, high = plausible_length(text, 170)
        assert low <= seconds(clip) <= high, (text, seconds(clip))
        assert np.max(np.abs(clip)) > 0.05, text


@pytest.mark.skipif(
    importlib.util.find_spec("hibari") is None, reason="hibari-tts (the neural extra) not installed"
)
def test_the_hibari_engine_renders_through_the_same_cache(voices: list[Voice]) -> None:
    voice = open_voice(voices, **{"voice.engine": "hibari"})
    assert voice.engine.identity.startswith("hibari:")
    text = LINES[2]
    clip = voice.clip(text)
    assert voice.rendered == 1
    low, high = plausible_length(text, 170)
    assert low <= seconds(clip) <= high
    assert db(_active_rms(clip, RATE)) == pytest.approx(-20.0, abs=1.0)
    lead, tail = edge_silence(clip)
    assert lead <= 0.02 and tail <= 0.02
    pyttsx3_voice = open_voice(voices)
    assert pyttsx3_voice.cache.path(text) != voice.cache.path(text)
    again = open_voice(voices, **{"voice.engine": "hibari"})
    np.testing.assert_array_equal(again.clip(text), clip)
    assert again.rendered == 0
