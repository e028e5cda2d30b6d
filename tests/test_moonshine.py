"""The moonshine backend for real: Moonshine base from the moonshine-cpp wheel, on
spoken audio (hibari's neural voice, espeak-ng), no fakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak, hibari, pink, rms, scene

from coach.listen.pipeline.listener import Listener, recognize_audio
from coach.listen.recognizers import make_recognizer, moonshine
from coach.listen.recognizers.moonshine import (
    LOUD_DBFS,
    MAX_GAIN_DB,
    MoonshineRecognizer,
    turned_up,
)
from coach.listen.recognizers.moonshine_text import decoys, english_words, spellings, written
from coach.listen.recognizers.recognizer import Hypothesis
from coach.models import moonshine_model, ortformat
from coach.models.onnx import session
from coach.words.vocabulary import Vocabulary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not moonshine_model.available(), reason="needs moonshine-cpp and onnx"),
]

VOCAB = Vocabulary()


@pytest.fixture(scope="module")
def recognizer() -> MoonshineRecognizer:
    made = make_recognizer("moonshine", VOCAB)
    assert isinstance(made, MoonshineRecognizer)
    return made


def heard(recognizer: MoonshineRecognizer, speech: np.ndarray) -> Hypothesis:
    """One utterance, with a little quiet around it as the endpointer hands it over."""
    rng = np.random.default_rng(0)
    pad = (rng.normal(0, 1e-3, RATE // 4)).astype(np.float32)
    audio = np.concatenate((pad, speech, pad))
    recognizer.start()
    recognizer.feed((np.clip(audio, -1, 1) * 32767).astype(np.int16))
    return recognizer.finish()


@pytest.mark.parametrize(
    ("said", "command"),
    [
        ("Next.", "next"),
        ("Skip exercise!", "skip"),
        ("What can I say?", "help"),
        ("Hold on.", "pause"),
    ],
)
def test_a_command_said_alone_is_heard(
    recognizer: MoonshineRecognizer, said: str, command: str
) -> None:
    hyp = heard(recognizer, hibari(said))
    assert VOCAB.command_for(hyp.text) == command
    assert hyp.confidence >= recognizer.min_confidence


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_a_robotic_voice_is_heard_too(recognizer: MoonshineRecognizer) -> None:
    hyp = heard(recognizer, espeak("Previous", "en-gb"))
    assert VOCAB.command_for(hyp.text) == "back"
    assert hyp.confidence >= recognizer.min_confidence


@pytest.mark.parametrize(
    "said",
    [
        "Next up: set two of three, left side.",
        "Paused. Say resume when you're ready.",
        "I forgot my water bottle in the car again.",
    ],
)
def test_talk_that_is_no_command_is_turned_down(recognizer: MoonshineRecognizer, said: str) -> None:
    # The first two begin with command words: the model expects no more words after a
    # command, and these go on.
    assert heard(recognizer, hibari(said)).confidence < recognizer.min_confidence


def test_a_command_word_inflected_is_no_command(recognizer: MoonshineRecognizer) -> None:
    # "Resuming." is the coach's cue; "Resume." the command. The decoy "resuming" tells them apart.
    assert heard(recognizer, hibari("Resuming.")).confidence < recognizer.min_confidence
    assert heard(recognizer, hibari("Resume.")).confidence >= recognizer.min_confidence


def test_commands_in_noise_through_the_whole_listener(recognizer: MoonshineRecognizer) -> None:
    parts = [
        ("Next.", "next", hibari("Next.")),
        (
            "I think we should grab lunch after this.",
            None,
            hibari("I think we should grab lunch after this."),
        ),
        ("Pause.", "pause", hibari("Pause.")),
    ]
    audio, truth = scene(parts, noise="music", snr_db=10, seed=7)
    found = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE))
    assert [r.command for r in found] == ["next", "pause"]
    for r, said in zip(found, [t for t in truth if t.command], strict=True):
        assert abs(r.start - said.start) < 0.3
        # The closing pause is ~0.3 s after the last loud frame; `said.end` is where the
        # voice fell under -60 dBFS, which lies under the music: a little before is fine.
        assert -0.1 < r.emitted_at - said.end < 0.6


def test_a_far_microphone_is_heard_like_a_near_one(recognizer: MoonshineRecognizer) -> None:
    # The same scene 35 dB down (speech at about -56 dBFS): Silero and the model are
    # each turned up to where they hear speech. Without that, three of the four were lost.
    parts = [
        (said, command, hibari(said))
        for said, command in (
            ("Next.", "next"),
            ("I think we should grab lunch after this.", None),
            ("Pause.", "pause"),
            ("Skip exercise!", "skip"),
            ("Hold on.", "pause"),
        )
    ]
    audio, _ = scene(parts, noise="pink", snr_db=10, seed=7)
    far = (audio * 10 ** (-35 / 20)).astype(np.float32)
    found = list(recognize_audio(Listener(recognizer, VOCAB, RATE), far, RATE))
    assert [r.command for r in found] == ["next", "pause", "skip", "pause"]
    assert min(r.confidence for r in found) > 0.8


def test_a_microphone_with_a_dc_offset_is_heard_as_one_without(
    recognizer: MoonshineRecognizer,
) -> None:
    # The model hears the waveform itself: with the offset left in, these commands
    # scored up to 0.06 lower (and a quiet room lost 4 of 44 on dev).
    parts = [(said, command, hibari(said)) for said, command in COMMANDS_SAID]
    audio, _ = scene(parts, noise="pink", snr_db=30, seed=3)
    audio = (0.25 * audio).astype(np.float32)
    clean = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE))
    offset = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio + 0.1, RATE))
    assert [r.command for r in offset] == [r.command for r in clean] == ["next", "skip", "pause"]
    for a, b in zip(offset, clean, strict=True):
        assert abs(a.confidence - b.confidence) <= 0.02


COMMANDS_SAID = (("Next.", "next"), ("Skip exercise!", "skip"), ("Hold on.", "pause"))


def test_a_quiet_utterance_is_turned_up_and_a_loud_one_left_alone() -> None:
    def loud_frames_dbfs(audio: np.ndarray) -> float:
        frames = audio[: audio.size // 512 * 512].reshape(-1, 512).astype(np.float64)
        return float(np.percentile(10 * np.log10(np.mean(frames**2, axis=1) + 1e-20), 90))

    near = hibari("Next.")  # its loud frames at about -16 dBFS
    assert turned_up(near) is near
    far = (near * 10 ** (-30 / 20)).astype(np.float32)
    assert loud_frames_dbfs(turned_up(far)) == pytest.approx(LOUD_DBFS, abs=0.01)
    faint = (near * 10 ** (-60 / 20)).astype(np.float32)
    gained = loud_frames_dbfs(turned_up(faint)) - loud_frames_dbfs(faint)
    assert gained == pytest.approx(MAX_GAIN_DB, abs=0.01)


SAID_IN_NOISE = [
    ("Next.", "next"),
    ("Skip exercise.", "skip"),
    ("Resume.", "resume"),
    ("Repeat.", "repeat"),
    ("Go back.", "back"),
    ("Status.", "status"),
    ("Slower.", "slower"),
    ("Hold on.", "pause"),
    ("Ready.", "next"),
    ("Continue.", "resume"),
]
ROBOTIC_VOICES = [
    ("en-us", 160),
    ("en-us", 220),
    ("en-gb", 180),
    ("en-us+klatt", 170),
    ("en-029", 150),
    ("en-us+Andy", 155),
]


def in_pink_noise(speech: np.ndarray, snr_db: float) -> np.ndarray:
    pad = np.zeros(RATE // 4, dtype=np.float32)
    audio = np.concatenate((pad, speech, pad))
    noise = pink(audio.size, np.random.default_rng(0))
    return audio + noise * rms(speech) / rms(noise) / 10 ** (snr_db / 20)


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_a_second_look_hears_more_commands_in_noise(
    recognizer: MoonshineRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # espeak's voices, quick, slow and robotic, at 5 dB over pink noise, through the
    # whole listener: the model is unsure of many, and hearing them again a little
    # slower and faster settles more of them (two scenes of 60 commands: 97 heard and
    # 2 wrong with one look, 103 and 1 with the second).
    parts = [
        (said, command, espeak(said, voice, speed))
        for said, command in SAID_IN_NOISE
        for voice, speed in ROBOTIC_VOICES
    ]
    scenes = [scene(parts, noise="pink", snr_db=5.0, seed=seed) for seed in (1, 2)]

    def tally(second_look: tuple[float, float]) -> tuple[int, int]:
        monkeypatch.setattr(moonshine, "SECOND_LOOK", second_look)
        right = wrong = 0
        for audio, truth in scenes:
            found = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE))
            heard_right = [
                any(abs(r.start - t.start) < 0.5 and r.command == t.command for r in found)
                for t in truth
            ]
            right += sum(heard_right)
            wrong += len(found) - sum(heard_right)
        return right, wrong

    second_look = moonshine.SECOND_LOOK
    right_once, wrong_once = tally((2.0, 2.0))  # no utterance is looked at again
    right, wrong = tally(second_look)
    assert right >= right_once + 4, f"{right_once} → {right} commands heard"
    assert wrong <= wrong_once + 1


def test_only_an_unsure_utterance_is_looked_at_again(
    recognizer: MoonshineRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    looks: list[int] = []
    score = recognizer.phrase_log_probs

    def counted(audio: np.ndarray) -> dict[str, float]:
        looks.append(audio.size)
        return score(audio)

    monkeypatch.setattr(recognizer, "phrase_log_probs", counted)
    sure = heard(recognizer, hibari("Next."))
    assert sure.confidence >= moonshine.SECOND_LOOK[1] and len(looks) == 1
    looks.clear()
    unsure = heard(recognizer, in_pink_noise(espeak("Go back.", "en-us", 160), 5.0))
    assert len(looks) == 1 + len(moonshine.SPEEDS)
    # played slower, it is longer; faster, shorter
    assert looks[1] / looks[0] == pytest.approx(1 / moonshine.SPEEDS[0], rel=0.01)
    assert looks[2] / looks[0] == pytest.approx(1 / moonshine.SPEEDS[1], rel=0.01)
    assert unsure.text == "go back"


def after_quieter_talk(command: str) -> tuple[np.ndarray, float]:
    """Someone 16 dB quieter talks, and the command follows with no pause between."""
    talk = espeak("Pass me that towel.", "en-gb", 170) * 10 ** (-16 / 20)
    audio = np.concatenate([np.zeros(RATE), talk, hibari(command), np.zeros(RATE)])
    audio += 0.002 * pink(audio.size, np.random.default_rng(0))
    return audio.astype(np.float32), (RATE + talk.size) / RATE


@pytest.mark.parametrize(("said", "command"), [("Next.", "next"), ("What can I say?", "help")])
def test_a_command_right_after_quieter_talk_is_heard_alone(
    recognizer: MoonshineRecognizer, said: str, command: str
) -> None:
    # The talk opens the utterance; the model is handed only what follows it (with the
    # talk in front, "Next." scored 0.48, under the gate).
    audio, starts = after_quieter_talk(said)
    found = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE))
    assert [r.command for r in found] == [command]
    assert abs(found[0].start - starts) < 0.15
    assert found[0].confidence > 0.7


def test_auto_picks_moonshine_for_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path))  # no vosk model configured
    assert isinstance(make_recognizer("auto", VOCAB), MoonshineRecognizer)


def test_a_cache_that_cant_be_written_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.base.errors import CoachError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COACH_CACHE", str(blocker / "cache"))  # a folder inside a file
    with pytest.raises(CoachError, match="can't write the moonshine model's cache.*COACH_CACHE"):
        make_recognizer("moonshine", VOCAB)


def test_auto_listens_with_pocketsphinx_when_moonshine_cant_be_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.listen.recognizers.pocketsphinx import PocketsphinxRecognizer

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COACH_CACHE", str(blocker / "cache"))
    monkeypatch.setenv("COACH_HOME", str(tmp_path))  # no vosk model configured
    told: list[str] = []
    recognizer = make_recognizer("auto", VOCAB, note=told.append)
    assert isinstance(recognizer, PocketsphinxRecognizer)
    assert any("listening with pocketsphinx" in line for line in told)


def test_only_english() -> None:
    from coach.base.errors import CoachError

    with pytest.raises(CoachError, match="English only"):
        MoonshineRecognizer(Vocabulary(language="ko"))


def test_a_phrase_is_spelled_in_the_fewest_tokens_every_way() -> None:
    vocabulary = {
        "▁Next": 1,
        "▁Ne": 2,
        "xt": 3,
        "▁": 4,
        "Ready": 5,
        "▁Re": 6,
        "ady": 7,
        "▁please": 8,
    }
    assert spellings("Next", vocabulary) == [[1]]
    assert spellings("Next please", vocabulary) == [[1, 8]]
    assert sorted(spellings("Ready", vocabulary)) == [[4, 5], [6, 7]]
    assert spellings("Nope", vocabulary) == []


def test_phrases_are_written_as_the_model_writes_english() -> None:
    assert written("what can i say") == "What can I say"
    assert written("next") == "Next"


def test_decoys_are_words_near_the_commands_and_no_command() -> None:
    phrases = {"pause", "hold on", "slower", "skip", "go back", "stop"}
    found = decoys(phrases, lambda candidates: candidates)  # every candidate a word
    assert {"paused", "pausing", "pauses", "hold", "slow", "skipped", "stopped"} <= found
    assert not found & phrases
    real = decoys(phrases, english_words)
    assert "paused" in real and "skiped" not in real  # the dictionary keeps real words


def test_an_ort_format_model_reads_back_into_the_same_onnx_model(tmp_path: Path) -> None:
    shipped = moonshine_model.shipped_model()
    assert shipped is not None
    model = ortformat.load(shipped / "encoder_model.ort")
    rebuilt = tmp_path / "encoder.onnx"
    rebuilt.write_bytes(model.SerializeToString())
    audio = np.random.default_rng(3).normal(0, 0.1, (1, RATE)).astype(np.float32)
    original = session(shipped / "encoder_model.ort").run(None, {"input_values": audio})[0]
    again = session(rebuilt).run(None, {"input_values": audio})[0]
    np.testing.assert_allclose(again, original, rtol=1e-4, atol=1e-4)


def test_a_broken_ort_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "model.ort"
    broken.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not an ORT-format model"):
        ortformat.load(broken)


def test_a_damaged_prepared_model_is_prepared_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    ready = moonshine_model.prepared()
    monkeypatch.setenv(moonshine_model.ENV_CACHE, str(tmp_path))
    shutil.copytree(ready, moonshine_model.cache_dir())
    damaged = moonshine_model.cache_dir() / moonshine_model.DECODER
    damaged.write_bytes(damaged.read_bytes()[:1000])  # a disk that filled up, say
    notes: list[str] = []
    recognizer = MoonshineRecognizer(VOCAB, note=notes.append)
    assert notes and "preparing" in notes[0]
    assert damaged.stat().st_size > 1_000_000
    assert VOCAB.command_for(heard(recognizer, hibari("Next.")).text) == "next"


def test_a_model_that_cannot_be_prepared_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.base.errors import CoachError

    broken = tmp_path / "shipped"
    broken.mkdir()
    for name in ("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin"):
        (broken / name).write_bytes(b"\0" * 64)  # truncated by a failed install, say
    monkeypatch.setattr(moonshine_model, "shipped_model", lambda: broken)
    monkeypatch.setenv(moonshine_model.ENV_CACHE, str(tmp_path / "cache"))
    with pytest.raises(CoachError, match="could not prepare the moonshine model: .*ORT-format"):
        moonshine_model.prepared()
    assert not moonshine_model.cache_dir().exists()  # nothing half-built left in place
