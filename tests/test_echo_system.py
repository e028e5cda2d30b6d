"""Barge-in's echo canceller from the system's libspeexdsp, as on Linux arm64 where
pyaec has no wheel: here with pyaec hidden, on the same real speech as test_echo."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from listen_audio import RATE, have_espeak, rms
from test_echo import VOCAB, coach_and_athlete, hear

from coach.listen.echo import EchoCanceller, cancelled, canceller_available
from coach.listen.recognizers import make_recognizer
from coach.listen.speexdsp import SystemAec, library

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
    mic, echo, played, (start, end) = coach_and_athlete("Pause.")
    out = cancelled(mic, played)
    coach_only = np.abs(echo) > 1e-3
    coach_only[: 3 * RATE] = False  # the room is learnt in the first seconds
    coach_only[int((start - 0.2) * RATE) : int((end + 0.5) * RATE)] = False
    erle = 20 * np.log10(rms(mic[coach_only]) / rms(out[coach_only]))
    assert erle > 15, f"the echo came down only {erle:.1f} dB"
    voice = slice(int(start * RATE), int(end * RATE))
    kept = 20 * np.log10(rms(out[voice]) / rms(mic[voice] - echo[voice]))
    assert -6 < kept < 3, f"the athlete's voice changed by {kept:.1f} dB"


@pytest.mark.parametrize("backend", ["moonshine", "pocketsphinx"])
def test_a_command_said_over_the_coach_is_heard(backend: str) -> None:
    recognizer = make_recognizer(backend, VOCAB)
    mic, _, played, (start, end) = coach_and_athlete("Pause.", echo_db=0.0)
    found = hear(recognizer, mic, played, barge_in=True)
    assert [r.command for r in found] == ["pause"]
    assert start - 0.3 < found[0].start and found[0].end < end + 0.5
    quiet, _, played, _ = coach_and_athlete(None)
    assert hear(recognizer, quiet, played, barge_in=True) == []
