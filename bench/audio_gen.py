"""Audio helpers for the recognition benchmark: speech rendering and backgrounds.

Everything here is numpy plus a few command-line tools (espeak-ng, flite, sox)
and hibari-tts; no scipy. All generators take an explicit numpy Generator or
seed so a corpus is reproducible bit for bit on the same machine.

Sample rate: everything is produced at SR (16 kHz, mono, float32).
"""

from __future__ import annotations

import functools
import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

SR = 16_000
FRAME = SR // 100  # 10 ms analysis frames


# ---------------------------------------------------------------------------
# Voices
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One way of speaking: a TTS engine with its settings.

    engine: "espeak" (name = espeak-ng voice, e.g. "en-gb+f3"), "flite" (name = flite
    voice), or "hibari" (name = "us" or "gb" spelling-to-sound rules on the bundled voice).
    rate: engine speed (espeak words/min; flite duration stretch; hibari speed).
    pitch: espeak 0-99; flite mean F0 in Hz; hibari/others: sox pitch shift in cents.
    """

    engine: str
    name: str
    rate: float | None = None
    pitch: float | None = None
    extra: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        parts = [f"{self.engine}:{self.name}"]
        if self.rate is not None:
            parts.append(f"r{self.rate:g}")
        if self.pitch is not None:
            parts.append(f"p{self.pitch:g}")
        return "/".join(parts)


def tools_missing() -> list[str]:
    """The command-line tools this module needs that are not on PATH."""
    return [t for t in ("espeak-ng", "flite", "sox") if shutil.which(t) is None]


def _run_to_wav(args: list[str], flag: str, text_args: list[str]) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        out = Path(tmp) / "out.wav"
        subprocess.run([*args, flag, str(out), *text_args], check=True, capture_output=True)
        audio, rate = sf.read(out, dtype="float32", always_2d=True)
    return audio.mean(axis=1), rate


def resample(x: np.ndarray, rate_in: int, rate_out: int = SR) -> np.ndarray:
    if rate_in == rate_out or len(x) == 0:
        return x.astype(np.float32)
    return soxr.resample(x.astype(np.float32), rate_in, rate_out, quality="HQ").astype(np.float32)


def sox_effect(x: np.ndarray, *effect: str, rate: int = SR) -> np.ndarray:
    """Run float32 mono audio through one sox effect chain (e.g. "tempo", "-s", "1.1")."""
    if len(x) == 0:
        return x
    fmt = ["-t", "f32", "-r", str(rate), "-c", "1", "-L"]
    proc = subprocess.run(
        ["sox", "-q", *fmt, "-", *fmt, "-", *effect],
        input=np.ascontiguousarray(x, dtype="<f4").tobytes(),
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)


@functools.lru_cache(maxsize=4)
def _hibari(spelling: str):  # type: ignore[no-untyped-def]
    from hibari import Hibari
    from hibari.g2p import G2P

    return Hibari(threads=1, g2p=G2P(british=spelling == "gb"))


def synthesize(voice: Voice, text: str, seed: int = 0) -> np.ndarray:
    """Render text with a voice, as float32 mono at SR (leading/trailing silence included)."""
    if voice.engine == "espeak":
        args = ["espeak-ng", "-v", voice.name]
        if voice.rate is not None:
            args += ["-s", str(int(voice.rate))]
        if voice.pitch is not None:
            args += ["-p", str(int(voice.pitch))]
        audio, rate = _run_to_wav([*args, *voice.extra], "-w", ["--", text])
    elif voice.engine == "flite":
        args = ["flite", "-voice", voice.name]
        if voice.rate is not None:
            args += ["--setf", f"duration_stretch={voice.rate}"]
        if voice.pitch is not None:
            args += ["--setf", f"int_f0_target_mean={voice.pitch}"]
        audio, rate = _run_to_wav([*args, *voice.extra], "-o", ["-t", text])
    elif voice.engine == "hibari":
        tts = _hibari(voice.name)
        audio = np.asarray(tts(text, speed=voice.rate or 1.0, seed=seed), dtype=np.float32)
        rate = tts.sample_rate
        if voice.pitch:
            audio = sox_effect(audio, "pitch", str(int(voice.pitch)), rate=rate)
    else:
        raise ValueError(f"unknown TTS engine {voice.engine!r}")
    return resample(audio, rate, SR)


# ---------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------


def frame_db(x: np.ndarray, frame: int = FRAME) -> np.ndarray:
    """RMS level of each whole frame, in dBFS."""
    n = len(x) // frame
    if n == 0:
        return np.zeros(0)
    frames = x[: n * frame].astype(np.float64).reshape(n, frame)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def speech_bounds(x: np.ndarray, rel_db: float = 40.0, abs_db: float = -65.0) -> tuple[int, int]:
    """First and last sample of the region whose 10 ms frames are within rel_db of
    the loudest frame (and above abs_db). (0, 0) when nothing is there."""
    levels = frame_db(x)
    if len(levels) == 0:
        return 0, 0
    thresh = max(levels.max() - rel_db, abs_db)
    active = np.flatnonzero(levels > thresh)
    if len(active) == 0:
        return 0, 0
    return int(active[0] * FRAME), int((active[-1] + 1) * FRAME)


def active_rms(x: np.ndarray, rel_db: float = 40.0) -> float:
    """RMS over the frames within rel_db of the loudest one (the speech-active level)."""
    levels = frame_db(x)
    if len(levels) == 0:
        return 0.0
    active = levels > levels.max() - rel_db
    return float(np.sqrt(np.mean(10 ** (levels[active] / 10))))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def db(value: float) -> float:
    return 20 * math.log10(max(value, 1e-12))


def trim(x: np.ndarray, pad: int = SR // 50) -> tuple[np.ndarray, int, int]:
    """Cut a rendered clip to its speech plus `pad` samples of (near-)silence each side,
    with 5 ms fades. Returns (clip, speech_start, speech_end) in samples of the clip."""
    start, end = speech_bounds(x)
    if end <= start:
        return np.zeros(0, np.float32), 0, 0
    lo, hi = max(0, start - pad), min(len(x), end + pad)
    clip = x[lo:hi].astype(np.float32).copy()
    fade = min(SR // 200, len(clip) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        clip[:fade] *= ramp
        clip[-fade:] *= ramp[::-1]
    return clip, start - lo, end - lo


# ---------------------------------------------------------------------------
# Backgrounds
# ---------------------------------------------------------------------------


def _spectral_shape(x: np.ndarray, gain_of_hz) -> np.ndarray:  # type: ignore[no-untyped-def]
    spec = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    return np.fft.irfft(spec * gain_of_hz(freqs), n=len(x)).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise, unit RMS, 20 Hz high-pass."""
    white = rng.standard_normal(n)
    shaped = _spectral_shape(
        white, lambda f: np.where(f < 20, 0.0, 1 / np.sqrt(np.maximum(f, 1.0)))
    )
    return (shaped / (rms(shaped) or 1.0)).astype(np.float32)


def noise_floor(n: int, rng: np.random.Generator) -> np.ndarray:
    """A quiet room: mostly pink noise, a little white (mic self-noise) and a faint 50 Hz hum."""
    t = np.arange(n) / SR
    floor = 0.8 * pink_noise(n, rng) + 0.5 * rng.standard_normal(n).astype(np.float32)
    floor += 0.3 * np.sin(2 * np.pi * 50 * t).astype(np.float32)
    return (floor / rms(floor)).astype(np.float32)


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _additive(f0: np.ndarray, n_harm: int, amp_of, phase0: float = 0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Sum of harmonics k*f0(t) (band-limited below Nyquist) with amplitude amp_of(k, k*f0)."""
    phase = 2 * np.pi * np.cumsum(f0) / SR + phase0
    out = np.zeros(len(f0), np.float64)
    for k in range(1, n_harm + 1):
        fk = k * f0
        amp = amp_of(k, fk) * (fk < SR / 2 - 500)
        out += amp * np.sin(k * phase)
    return out


def gym_music(n: int, rng: np.random.Generator, bpm: float = 128.0) -> np.ndarray:
    """Gym-style electronic music: four-on-the-floor kick, snare on 2 and 4, hi-hats on the
    off-beats and 16ths, an eighth-note bass line, chord pads, and (every other 8 bars) a
    vocal-like line with formant sweeps. A 16-bar loop, tiled. Unit RMS."""
    beat = int(round(SR * 60 / bpm))
    bar = 4 * beat
    loop_len = 16 * bar
    out = np.zeros(loop_len, np.float64)
    six = beat // 4

    def place(sample: np.ndarray, at: int, gain: float) -> None:
        end = min(loop_len, at + len(sample))
        out[at:end] += gain * sample[: end - at]

    # drums
    tk = np.arange(int(0.3 * SR)) / SR
    kick = np.sin(2 * np.pi * np.cumsum(50 + 110 * np.exp(-tk / 0.03)) / SR) * np.exp(-tk / 0.18)
    ts = np.arange(int(0.2 * SR)) / SR
    snare_noise = _spectral_shape(rng.standard_normal(len(ts)), lambda f: (f > 800) * (f < 6000))
    snare = 0.6 * snare_noise / rms(snare_noise) * np.exp(-ts / 0.06) + 0.8 * np.sin(
        2 * np.pi * 185 * ts
    ) * np.exp(-ts / 0.04)
    th = np.arange(int(0.06 * SR)) / SR
    hat_noise = _spectral_shape(rng.standard_normal(len(th)), lambda f: f > 5000)
    hat = hat_noise / rms(hat_noise) * np.exp(-th / 0.012)
    for b in range(16 * 4):
        at = b * beat
        place(kick, at, 1.0)
        if b % 4 in (1, 3):
            place(snare, at, 0.55)
        place(hat, at + 2 * six, 0.22)
        for s in (1, 3):
            if rng.random() < 0.6:
                place(hat, at + s * six, 0.09)

    # harmony: Am - F - C - G, one chord per bar
    roots = [57, 53, 60, 55]  # A3 F3 C4 G3
    qualities = [(0, 3, 7), (0, 4, 7), (0, 4, 7), (0, 4, 7)]
    t_bar = np.arange(bar) / SR
    for i in range(16):
        root, quality = roots[i % 4], qualities[i % 4]
        seg = np.zeros(bar)
        # pad: two detuned saws per chord note, 1/k^1.5 roll-off, slow attack
        for interval in quality:
            for detune in (-0.08, 0.08):
                f = np.full(bar, _midi_hz(root + interval + detune))
                seg += 0.05 * _additive(f, 14, lambda k, fk: (fk < 3500) / k**1.5, rng.random())
        seg *= np.minimum(1.0, t_bar / 0.25) * np.minimum(1.0, (bar / SR - t_bar) / 0.05)
        # bass: root an octave or two down on every eighth, plucky envelope
        bass_f = _midi_hz(root - 24)
        for e in range(8):
            start = e * beat // 2
            length = beat // 2
            tb = np.arange(length) / SR
            note = bass_f * (2 if e in (3, 7) else 1)
            b = _additive(np.full(length, note), 8, lambda k, fk: 1 / k)
            seg[start : start + length] += 0.35 * b * np.exp(-tb / 0.12)
        out[i * bar : (i + 1) * bar] += seg

    # vocal-like line: glottal harmonics through moving formants, bars 8-15
    vowels = np.array(
        [[730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480],
         [570, 840, 2410]],
        dtype=np.float64,
    )
    melody = [69, 72, 71, 67, 69, 64, 67, 69]
    voc_len = 8 * bar
    t = np.arange(voc_len) / SR
    note_len = voc_len // len(melody)
    f0 = np.repeat([_midi_hz(m) for m in melody], note_len)
    f0 = np.pad(f0, (0, voc_len - len(f0)), mode="edge")
    f0 = np.convolve(f0, np.ones(400) / 400, mode="same")  # glide between notes
    f0 *= 1 + 0.012 * np.sin(2 * np.pi * 5.5 * t)  # vibrato
    syll = int(0.45 * SR)
    picks = rng.integers(0, len(vowels), size=voc_len // syll + 2)
    pos = np.arange(voc_len) / syll
    i0 = picks[np.floor(pos).astype(int)]
    i1 = picks[np.floor(pos).astype(int) + 1]
    w = (pos % 1.0)[:, None]
    formants = (1 - w) * vowels[i0] + w * vowels[i1]  # sweeps from vowel to vowel
    bands = np.array([90.0, 110.0, 170.0])
    gains = np.array([1.0, 0.6, 0.3])

    def formant_amp(k: int, fk: np.ndarray) -> np.ndarray:
        env = np.zeros_like(fk)
        for j in range(3):
            env += gains[j] / (1 + ((fk - formants[:, j]) / bands[j]) ** 2)
        return env / k**0.5

    vocal = _additive(f0, 22, formant_amp)
    gate = np.where((pos % 1.0) < 0.85, 1.0, 0.2)
    gate = np.convolve(gate, np.ones(160) / 160, mode="same")
    vocal *= gate
    out[8 * bar :] += 0.5 * vocal / (rms(vocal) or 1.0) * rms(out[8 * bar :])

    out /= rms(out) or 1.0
    reps = -(-n // loop_len)
    return np.tile(out, reps)[:n].astype(np.float32)


def babble(
    n: int,
    rng: np.random.Generator,
    voices: list[Voice],
    sentences: list[str],
    talkers: int = 5,
    render=None,  # type: ignore[no-untyped-def]
) -> np.ndarray:
    """Several overlapping talkers reading non-command text, each level-normalised to the
    same speech-active RMS. Unit RMS overall. `render(voice, text)` defaults to synthesize."""
    render = render or (lambda v, s: synthesize(v, s))
    out = np.zeros(n, np.float64)
    for i in range(talkers):
        voice = voices[i % len(voices)]
        track = np.zeros(n, np.float64)
        pos = int(rng.uniform(0, 1.5) * SR)
        order = rng.permutation(len(sentences))
        j = 0
        while pos < n:
            clip, _, _ = trim(render(voice, sentences[order[j % len(order)]]))
            j += 1
            if len(clip) == 0:
                continue
            clip = clip / (active_rms(clip) or 1.0)
            end = min(n, pos + len(clip))
            track[pos:end] += clip[: end - pos]
            pos = end + int(rng.uniform(0.05, 0.4) * SR)
        out += track
    out /= rms(out) or 1.0
    return out.astype(np.float32)


def talk(
    n: int,
    rng: np.random.Generator,
    voices: list[Voice],
    sentences: list[str],
    gap: tuple[float, float] = (0.15, 0.7),
    render=None,  # type: ignore[no-untyped-def]
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Other people talking: one track per voice, each reading `sentences` on end with
    short pauses, as a TV, a radio or someone on the phone does, each sentence at its
    own level (±3 dB around the track's). Returns (audio with unit RMS, the sentences'
    {start, end, text, voice} in seconds) so that a listener's false triggers on this
    talk can be told from its others."""
    render = render or (lambda v, s: synthesize(v, s))
    out = np.zeros(n, np.float64)
    said: list[dict[str, object]] = []
    for voice in voices:
        pos = int(rng.uniform(0, 1.0) * SR)
        order = rng.permutation(len(sentences))
        j = 0
        while pos < n:
            text = sentences[order[j % len(order)]]
            j += 1
            clip, s0, s1 = trim(render(voice, text))
            if len(clip) == 0:
                continue
            clip = clip / (active_rms(clip) or 1.0) * 10 ** (rng.uniform(-3.0, 3.0) / 20)
            end = min(n, pos + len(clip))
            out[pos:end] += clip[: end - pos]
            said.append({"start": round((pos + s0) / SR, 3),
                         "end": round(min(pos + s1, n) / SR, 3),
                         "text": text, "voice": voice.label})
            pos = end + int(rng.uniform(*gap) * SR)
    out /= rms(out) or 1.0
    said.sort(key=lambda s: float(s["start"]))  # type: ignore[arg-type]
    return out.astype(np.float32), said


def room_impulse(rng: np.random.Generator, rt60: float = 0.5, direct: float = 1.0) -> np.ndarray:
    """A synthetic room impulse response: direct path, sparse early reflections and an
    exponentially decaying noise tail (decays 60 dB in rt60 s), slightly low-passed."""
    n = int(rt60 * SR)
    t = np.arange(n) / SR
    tail = rng.standard_normal(n) * np.exp(-6.91 * t / rt60)
    tail[: int(0.005 * SR)] = 0
    tail = _spectral_shape(tail, lambda f: 1 / (1 + (f / 4000) ** 2))
    ir = 0.25 * tail / (np.sqrt(np.sum(tail**2)) or 1.0)
    ir[0] += direct
    for _ in range(6):
        at = int(rng.uniform(0.003, 0.04) * SR)
        ir[at] += rng.uniform(0.1, 0.35) * rng.choice([-1, 1])
    return ir.astype(np.float32)


def convolve(x: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """FFT convolution, truncated to len(x)."""
    size = 1 << int(math.ceil(math.log2(len(x) + len(ir) - 1)))
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)
    return y[: len(x)].astype(np.float32)


def write_audio(path: Path, x: np.ndarray, rate: int = SR, stereo: bool = False) -> None:
    """16-bit WAV. With stereo, the right channel is the left one a little quieter and
    0.3 ms later (like two mics), to prove the listener copes with channel mixing."""
    data: np.ndarray = resample(x, SR, rate) if rate != SR else x
    if stereo:
        delay = int(round(0.0003 * rate))
        right = np.concatenate([np.zeros(delay, np.float32), data[: len(data) - delay]]) * 0.85
        data = np.stack([data, right], axis=1)
    sf.write(path, np.clip(data, -1.0, 1.0), rate, subtype="PCM_16")
