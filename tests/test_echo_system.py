"""Barge-in's echo canceller from the system's libspeexdsp, as on Linux arm64 where
pyaec has no wheel: here with pyaec hidden, on the same real speech as test_echo."""

from __future__ import annotations

import sys

import pytest
from listen_audio import RATE, have_espeak
from test_echo import VOCAB, coach_and_athlete, echo_comes_down_and_voice_stays, hear

from coach.listen.echo.canceller import EchoCanceller, canceller_available
from coach.listen.echo.speexdsp import SystemAec, library
from coach.listen.recognizers import make_recognizer

pytestmark = [
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(library() is None, reason="needs libspeexdsp1"),
]


@pytest.fixture(autouse=True)
def without_pyaec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyaec", None)


def test_the_system_library_stands_in_for_pyaec() -> None:
    assert canceller_available() is True
    assert isinstance(EchoCanceller(RATE)._lib, SystemAec)


def test_the_coach_s_voice_comes_down_and_the_athlete_s_stays() -> None:
    echo_comes_down_and_voice_stays()


@pytest.mark.parametrize("backend", ["moonshine", "pocketsphinx"])
def test_a_command_said_over_the_coach_is_heard(backend: str) -> None:
    recognizer = make_recognizer(backend, VOCAB)
    mic, _, played, (start, end) = coach_and_athlete("Pause.", echo_db=0.0)
    found = hear(recognizer, mic, played, barge_in=True)
    assert [r.command for r in found] == ["pause"]
    assert start - 0.3 < found[0].start and found[0].end < end + 0.5
    quiet, _, played, _ = coach_and_athlete(None)
    assert hear(recognizer, quiet, played, barge_in=True) == []
