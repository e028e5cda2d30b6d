"""Barge-in is on by default where its echo canceller can run, and quietly off elsewhere."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak

from coach.config import load_settings
from coach.listen.echo.canceller import PlayedSound, canceller_available
from coach.listen.pipeline.listener import Listener, PipelineSettings
from coach.listen.recognizers import make_recognizer
from coach.words.vocabulary import Vocabulary


def test_barge_in_is_the_default_and_the_config_turns_it_off() -> None:
    assert load_settings(environ={}).listen.barge_in is True
    assert load_settings({"listen.barge_in": False}, environ={}).listen.barge_in is False


def test_without_pyaec_barge_in_falls_back_to_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyaec", None)
    monkeypatch.setattr("coach.listen.echo.speexdsp.library", lambda: None)
    assert canceller_available() is False


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
@pytest.mark.parametrize(
    "backend",
    [
        "moonshine",
        "pocketsphinx",
    ],
)
def test_with_barge_in_a_command_after_the_coach_spoke_is_heard(backend: str) -> None:
    """The coach spoke (its clip is on record), then, in the quiet after it, the athlete
    says "next": heard as without barge-in."""
    vocabulary = Vocabulary()
    recognizer = make_recognizer(backend, vocabulary)
    rng = np.random.default_rng(0)
    said = espeak("next")
    stream = np.concatenate((np.zeros(3 * RATE), said, np.zeros(RATE + RATE // 2)))
    stream = (stream + 0.0005 * rng.standard_normal(stream.size)).astype(np.float32)
    played = PlayedSound(RATE)
    played.add(0.2, (0.3 * np.sin(np.arange(RATE // 2) * 0.2)).astype(np.float32))
    listener = Listener(recognizer, vocabulary, RATE, PipelineSettings(barge_in=True),
                        played=played)
    found = []
    for at in range(0, stream.size, 480):
        found += listener.feed(stream[at : at + 480], time=0.0)
    assert [r.command for r in found] == ["next"]
