"""Writes the tones in audio_assets/ (run once; the WAVs are committed).

Short, soft-edged sine tones: distinct enough to hear over gym music, gentle
enough not to startle. 48 kHz mono float WAVs; the player resamples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

RATE = 48000
ASSETS = Path(__file__).resolve().parent.parent / "audio_assets"


def tone(freqs: list[float], seconds: float, level_db: float = -14.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    attack, release = int(0.005 * RATE), int(min(0.08, seconds / 2) * RATE)
    envelope = np.ones_like(t)
    envelope[:attack] = np.linspace(0, 1, attack)
    envelope[-release:] = np.linspace(1, 0, release) ** 2
    return (wave * envelope * 10 ** (level_db / 20)).astype(np.float32)


def chime(notes: list[float], step: float, ring: float) -> np.ndarray:
    total = np.zeros(int((step * (len(notes) - 1) + ring) * RATE), dtype=np.float32)
    for i, f in enumerate(notes):
        t = np.arange(int(ring * RATE)) / RATE
        note = np.sin(2 * np.pi * f * t) * np.exp(-t * 5) * 10 ** (-14 / 20)
        note[: int(0.004 * RATE)] *= np.linspace(0, 1, int(0.004 * RATE))
        start = int(i * step * RATE)
        total[start : start + note.size] += note.astype(np.float32)
    return total


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    tones = {
        "countdown": tone([880.0], 0.12),
        "go": tone([1320.0, 1760.0], 0.35),
        "start": chime([523.25, 659.25, 783.99], 0.12, 0.6),
        "finish": chime([783.99, 659.25, 523.25, 1046.5], 0.15, 0.9),
        "tick": tone([2000.0], 0.03, level_db=-24.0),
    }
    for name, samples in tones.items():
        soundfile.write(ASSETS / f"{name}.wav", samples, RATE, subtype="PCM_16")
        print(f"{name}.wav: {samples.size / RATE:.2f}s")


if __name__ == "__main__":
    main()
