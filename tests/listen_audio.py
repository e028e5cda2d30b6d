"""Synthetic test audio for the listening pipeline: spoken phrases in synthetic noise.

Speech comes from espeak-ng (several voices and speeds) and hibari (a neural
voice); noise is made with numpy. Everything is 16 kHz mono float32 and
deterministic for a given seed.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from coach.base.samples import resample

RATE = 16000
Audio = npt.NDArray[np.float32]

ESPEAK_VOICES = ("en-us", "en-gb", "en+f3", "en+m7", "en-us+f4", "en-gb-x-rp+m3")

CUE_SENTENCES = (
    "Drive through the heel.",
    "Rest sixty seconds. Next up: set two of three, left side.",
    "Brace like a deadbug.",
    "Hold a full second at the top.",
    "Straight line from shoulders to hips, with a slight posterior pelvic tilt.",
    "Eyes follow the torso.",
    "Keep the bench still.",
    "Set one of three, right leg.",
    "Lower slowly.",
    "Good. Two more reps.",
)

CHATTER = (
    "I think we should grab lunch after this.",
    "Did you see the game last night? It was unbelievable.",
    "My knee has been bothering me since Tuesday.",
    "Can you pass me that towel over there?",
    "The weather is supposed to be nice this weekend.",
    "How long have you been training for the marathon?",
    "I forgot my water bottle in the car again.",
    "She said the new class starts at seven in the morning.",
)


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def _trim(audio: Audio, threshold: float = 1e-3) -> Audio:
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio


@functools.lru_cache(maxsize=512)
def espeak(text: str, voice: str = "en-us", speed: int = 160) -> Audio:
    """Speech by espeak-ng, trimmed to the voiced part, peak 0.5."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    out = _trim(resample(data, rate, RATE))
    return (0.5 * out / max(1e-6, float(np.abs(out).max()))).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _hibari() -> object:
    try:
        from hibari import Hibari
    except ImportError:
        pytest.skip("needs hibari-tts, a dev extra: pip install -e '.[dev]'")

    return Hibari()


@functools.lru_cache(maxsize=256)
def hibari(text: str, speed: float = 1.0) -> Audio:
    tts = _hibari()
    data = tts(text, speed=speed, seed=0)  # type: ignore[operator]
    out = _trim(resample(np.asarray(data, dtype=np.float32), 24000, RATE))
    return (0.5 * out / max(1e-6, float(np.abs(out).max()))).astype(np.float32)


# -- noise ------------------------------------------------------------------------


def white(n: int, rng: np.random.Generator) -> Audio:
    return rng.normal(0, 1, n).astype(np.float32)


def pink(n: int, rng: np.random.Generator) -> Audio:
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1
    return np.fft.irfft(spectrum / np.sqrt(f), n).astype(np.float32)


def fan(n: int, rng: np.random.Generator) -> Audio:
    """Brown-ish broadband hum with a motor tone: steady, like a gym fan."""
    t = np.arange(n) / RATE
    rumble = pink(n, rng)
    return (rumble + 0.3 * np.sin(2 * np.pi * 120 * t)).astype(np.float32)


def music(n: int, rng: np.random.Generator) -> Audio:
    """Chords that change every half second over a kick drum and hi-hats."""
    t = np.arange(n) / RATE
    out = np.zeros(n)
    beat = int(0.5 * RATE)
    roots = rng.choice([110.0, 130.8, 146.8, 164.8, 196.0, 220.0], size=n // beat + 1)
    for i, root in enumerate(roots):
        a, b = i * beat, min(n, (i + 1) * beat)
        if a >= n:
            break
        seg = t[a:b] - t[a]
        env = np.exp(-seg * 2.0)
        for ratio in (1.0, 1.26, 1.5, 2.0, 3.0):
            out[a:b] += env * np.sin(2 * np.pi * root * ratio * t[a:b]) / ratio
        kick = np.exp(-seg * 30) * np.sin(2 * np.pi * 55 * seg) * 2
        out[a:b] += kick
        hat_at = a + beat // 2
        if hat_at < n:
            m = min(n - hat_at, 800)
            out[hat_at : hat_at + m] += rng.normal(0, 0.4, m) * np.exp(-np.arange(m) / 150)
    return out.astype(np.float32)


def babble(n: int, rng: np.random.Generator, talkers: int = 4) -> Audio:
    """Several espeak voices chattering at once, like a busy gym floor."""
    out = np.zeros(n, dtype=np.float32)
    for k in range(talkers):
        pos = int(rng.integers(0, RATE))
        while pos < n:
            text = CHATTER[int(rng.integers(len(CHATTER)))]
            voice = ESPEAK_VOICES[(k + int(rng.integers(3))) % len(ESPEAK_VOICES)]
            s = espeak(text, voice, int(rng.integers(140, 190)))
            m = min(n - pos, s.size)
            out[pos : pos + m] += s[:m]
            pos += m + int(rng.integers(RATE // 10, RATE // 2))
    return out


# A TV or a radio: a newsreader reading on end, command words in half of the news.
NEWS = (
    "Police asked drivers to stop at the checkpoint on the northern road.",
    "Heavy rain is expected along the coast by the weekend.",
    "The next train to the airport will leave from platform nine.",
    "Shares in the airline fell sharply after the warning.",
    "The minister said the government was ready to continue the talks.",
    "A rare bird was seen in the marshes for the first time in years.",
    "When the sauce is done, pour it over the pasta and serve.",
    "The council voted to keep the library open on Saturdays.",
    "Fans waited for hours outside the stadium for the final.",
    "If you need help with your bills, the number is on your screen.",
    "Engineers will inspect the bridge overnight.",
    "The festival returns to the park next month with eighty bands.",
)


def tv(n: int, rng: np.random.Generator, neural: bool = False) -> Audio:
    """One talker reading the news on end, as a TV or a radio does: espeak-ng's
    en-gb-x-rp+m3, or (`neural`) hibari's voice, 15 % quicker, as a newsreader is."""
    out = np.zeros(n, dtype=np.float32)
    pos = int(rng.integers(0, RATE // 2))
    while pos < n:
        text = NEWS[int(rng.integers(len(NEWS)))]
        s = hibari(text, 1.15) if neural else espeak(text, "en-gb-x-rp+m3", 170)
        m = min(n - pos, s.size)
        out[pos : pos + m] += s[:m] * np.float32(10 ** (rng.uniform(-3, 3) / 20))
        pos += m + int(rng.integers(RATE // 10, RATE // 2))
    return out


NOISES = {"white": white, "pink": pink, "fan": fan, "music": music, "babble": babble, "tv": tv}


def rms(x: Audio) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


@dataclass(frozen=True)
class Spoken:
    text: str
    command: str | None  # None: not a command, must not trigger
    start: float
    end: float


def scene(
    parts: list[tuple[str, str | None, Audio]],
    noise: str | None = None,
    snr_db: float = 20.0,
    seed: int = 0,
    gap: tuple[float, float] = (1.5, 3.0),
    lead: float = 1.5,
) -> tuple[Audio, list[Spoken]]:
    """Phrases placed one after another with pauses, over continuous noise at `snr_db`.

    The SNR compares each phrase's RMS with the noise's RMS over the whole scene.
    """
    rng = np.random.default_rng(seed)
    pos = int(lead * RATE)
    placed: list[tuple[int, Audio]] = []
    truth: list[Spoken] = []
    for text, command, audio in parts:
        placed.append((pos, audio))
        truth.append(Spoken(text, command, pos / RATE, (pos + audio.size) / RATE))
        pos += audio.size + int(rng.uniform(*gap) * RATE)
    total = pos + int(0.5 * RATE)
    out = np.zeros(total, dtype=np.float32)
    speech_rms = float(np.mean([rms(a) for _, a in placed])) if placed else 0.1
    for at, audio in placed:
        out[at : at + audio.size] += audio
    if noise is not None:
        noise_audio = NOISES[noise](total, rng)
        noise_audio *= speech_rms / rms(noise_audio) / (10 ** (snr_db / 20))
        out += noise_audio
    peak = float(np.abs(out).max())
    if peak > 0.99:
        out *= 0.99 / peak
    return out, truth
