"""The noise filter before the recognizer, on real synthesized speech and noise."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak, pink, rms

from coach.listen.endpoint.vad import Endpointer
from coach.listen.pipeline.denoise import FRAME, WienerFilter

LAG = FRAME // 2  # the filter's output is this many samples late


def filtered(audio: np.ndarray, background: np.ndarray) -> np.ndarray:
    """`audio` through a fresh filter, frame by frame; `background[i]`: frame i is
    background (the endpointer's call, as the listener passes it)."""
    wiener = WienerFilter()
    frames = audio[: audio.size // FRAME * FRAME].reshape(-1, FRAME)
    out = np.concatenate([wiener(f, bool(b)) for f, b in zip(frames, background, strict=False)])
    return out[LAG:]  # undo the lag: out[i] is audio[i]


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_a_quiet_room_is_left_as_it_is() -> None:
    rng = np.random.default_rng(1)
    speech = espeak("Next please")
    lead = RATE
    audio = pink(lead + speech.size + RATE, rng)
    audio = (audio / rms(audio) * 10 ** (-70 / 20)).astype(np.float32)
    audio[lead : lead + speech.size] += speech
    starts = np.arange(audio.size // FRAME) * FRAME
    out = filtered(audio, (starts + FRAME < lead) | (starts > lead + speech.size))
    change = out - audio[: out.size]
    assert rms(change) < 0.01 * rms(speech)  # −40 dB: nothing taken out


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_steady_noise_is_taken_down_and_speech_kept() -> None:
    rng = np.random.default_rng(2)
    speech = espeak("Skip exercise")
    lead = 2 * RATE  # two seconds of background alone, then the command, then more
    noise = pink(lead + speech.size + RATE, rng)
    noise *= rms(speech) / rms(noise) / 10 ** (5 / 20)  # 5 dB SNR
    audio = noise.copy()
    audio[lead : lead + speech.size] += speech
    frames = audio.size // FRAME
    # The endpointer's call, made here from where the speech is.
    background = np.array([(i + 1) * FRAME < lead for i in range(frames)])
    out = filtered(audio, background)
    n = out.size
    # The filter is linear per frame: what it does to the noise and to the speech is
    # read off by running the mix and the noise alone with the same gains.
    before_noise = rms(noise[lead + speech.size : n])
    after_noise = rms(out[lead + speech.size : n])
    assert after_noise < before_noise * 10 ** (-6 / 20)  # at least 6 dB less noise
    span = slice(lead, lead + speech.size)
    kept = rms(out[span]) / rms(audio[span])
    assert kept > 10 ** (-3 / 20)  # the speech (most of the energy there) is kept
    snr_before = 20 * np.log10(rms(speech) / rms(noise[span]))
    residual = out[span] - speech  # what is not the command after filtering
    snr_after = 20 * np.log10(rms(speech) / rms(residual))
    assert snr_after > snr_before + 3


def test_the_recognizer_hears_the_passed_twin_and_speech_is_judged_on_the_frame() -> None:
    endpointer = Endpointer(use_silero=False)
    rng = np.random.default_rng(3)
    quiet = rng.normal(0, 1e-4, FRAME).astype(np.float32)
    t = np.arange(FRAME) / RATE
    voiced = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 5 * t))).astype(
        np.float32
    )
    twin = np.full(FRAME, 0.25, dtype=np.float32)
    for _ in range(40):
        event, _ = endpointer.push(quiet, twin)
        assert event == ""
    assert endpointer.background
    handed: list[np.ndarray] = []
    for _ in range(10):
        event, audio = endpointer.push(voiced, twin)
        handed += audio
        if event == "start":
            break
    assert event == "start"  # judged on the voiced frames, not the flat twin
    assert handed and all(a is twin for a in handed)
    assert not endpointer.background
