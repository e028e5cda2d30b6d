"""An attention word for shared spaces: with it set, only "coach, next"… are commands."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile
from cli import isolated_env, json_lines, run_coach
from listen_audio import RATE, espeak, have_espeak, scene

from coach.listen.pipeline.listener import Listener, recognize_audio
from coach.listen.recognizers import make_recognizer
from coach.words.vocabulary import Vocabulary

SAID = [("coach next", "next"), ("pause", None), ("coach pause", "pause"), ("stop", None),
        ("coach resume", "resume"), ("next", None)]  # fmt: skip


def test_an_addressed_vocabulary_maps_only_addressed_phrases() -> None:
    vocabulary = Vocabulary().addressed("Coach")
    assert vocabulary.command_for("coach hold on") == "pause"
    assert vocabulary.command_for("hold on") is None  # a phrase needs the word
    assert vocabulary.command_for("next") is None  # nor does a bare name
    assert Vocabulary().command_for("next") == "next"  # the keys' plain vocabulary
    assert all(p.startswith("coach ") for ps in vocabulary.phrases.values() for p in ps)
    assert Vocabulary().addressed(None) == Vocabulary()


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
@pytest.mark.parametrize("backend", ["moonshine", "pocketsphinx"])
def test_only_addressed_commands_are_heard(backend: str) -> None:
    audio, _ = scene([(t, c, espeak(t, "en-us", 150)) for t, c in SAID], noise="pink",
                     snr_db=30, gap=(2.0, 2.5))  # fmt: skip
    vocabulary = Vocabulary().addressed("coach")
    listener = Listener(make_recognizer(backend, vocabulary), vocabulary, RATE)
    heard = [r.command for r in recognize_audio(listener, audio, RATE)]
    assert heard == ["next", "pause", "resume"]


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_the_setting_reaches_coach_recognize(tmp_path: Path) -> None:
    audio, _ = scene([(t, c, espeak(t, "en-us", 150)) for t, c in SAID], noise="pink",
                     snr_db=30, gap=(2.0, 2.5))  # fmt: skip
    stream = tmp_path / "s.wav"
    soundfile.write(str(stream), audio, RATE)
    env = isolated_env(tmp_path / "home", COACH_COMMANDS_ATTENTION="coach")
    heard = json_lines(run_coach("recognize", str(stream), "--json", env=env).stdout)
    assert [h["command"] for h in heard] == ["next", "pause", "resume"]
    assert heard[0]["text"] == "coach next"


def test_serve_s_wake_word_is_the_session_s_attention_word() -> None:
    from argparse import Namespace

    from coach.app.settings import settings_for

    settings = settings_for(Namespace(wake_word="Coach"))
    assert settings.commands.attention == "Coach"
    assert settings.heard_vocabulary().command_for("coach stop") == "stop"
    assert settings.heard_vocabulary().command_for("stop") is None
