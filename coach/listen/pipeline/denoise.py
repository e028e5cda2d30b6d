"""Noise suppression for what the recognizer hears: a streaming Wiener filter.

PocketSphinx's acoustic model was trained on clean speech, and steady noise (a fan,
pink noise, gym music) fills in exactly the spectral detail it tells phones apart by.
This filter takes the background's spectrum out before the recognizer hears it:

- the background's power per frequency bin is learnt on the frames the endpointer
  calls background (no speech, nothing louder than the floor), so a command never
  teaches the filter that it is noise;
- each bin is then scaled by a Wiener gain from its a-priori SNR, estimated the
  "decision-directed" way (Ephraim & Malah, 1984), which keeps the musical noise of
  plain spectral subtraction down; a gain floor keeps a little of the background so
  the recognizer never hears holes.

Only the recognizer hears the filtered audio. The endpointer and the command verifier
hear the microphone as it is: Silero and the verifier's embedding network learnt noisy
speech, and lose by it.

A plain filter rather than a learnt suppressor: it does a quiet room and babble no
harm, at a small part of the CPU (bench/README.md).

Frames are 512 samples (the endpointer's); the STFT uses 512-sample sqrt-Hann windows
at a hop of 256 (perfect reconstruction), so the output lags the input by 256 samples.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from coach.base.samples import Samples
from coach.listen.endpoint.vad import FRAME

_HOP = FRAME // 2
_LOUD = 10.0  # 10 dB over the background estimate: not background, whatever the call
_WINDOW = np.sqrt(np.hanning(FRAME + 1)[:FRAME]).astype(np.float32)  # periodic: sums to 1


class WienerFilter:
    """Fed 512-sample frames in order; returns each frame filtered (256 samples late)."""

    def __init__(
        self,
        smoothing: float = 0.98,  # decision-directed weight of the last frame's estimate
        gain_floor: float = 0.3,  # −10 dB: what is left of pure background
        noise_rate: float = 0.05,  # per hop: the background estimate's time constant ~0.3 s
        quiet_dbfs: float = -60.0,  # a quiet room's background: never filtered below
    ) -> None:
        self.smoothing, self.gain_floor, self.noise_rate = smoothing, gain_floor, noise_rate
        # That level as the power of a white background in each bin (E|X|² = σ² Σw²).
        self._quiet = 10 ** (quiet_dbfs / 10) * float(np.sum(_WINDOW**2))
        bins = FRAME // 2 + 1
        self._noise: npt.NDArray[np.float64] | None = None  # background power per bin
        self._floor = np.ones(bins)  # the least gain of each bin (see _learn)
        self._last_clean = np.zeros(bins)  # |gain · spectrum|² of the last hop
        self._input = np.zeros(FRAME + _HOP, dtype=np.float32)  # two hops' windows
        self._tail = np.zeros(_HOP, dtype=np.float32)  # overlap-add carried to the next hop

    def __call__(self, frame: Samples, background: bool) -> Samples:
        """`frame` filtered; `background`: the endpointer called the previous frame
        background, so this one may teach the filter what the background sounds like."""
        self._input[:_HOP] = self._input[FRAME:]
        self._input[_HOP:] = frame
        # The frame's two hops, transformed together (one call instead of two).
        windows = np.stack((self._input[:FRAME], self._input[_HOP:])) * _WINDOW
        spectra = np.fft.rfft(windows, axis=1)
        powers = spectra.real**2 + spectra.imag**2
        if self._noise is None:  # the first sound heard is taken as background
            self._noise = powers[0].copy()
            self._update_floor()
        gains = np.empty_like(powers)
        for hop in range(2):  # the decision-directed estimate runs from hop to hop
            gains[hop] = self._gain(powers[hop])
            if background:
                self._learn(powers[hop])
        frames = np.fft.irfft(spectra * gains, FRAME, axis=1).astype(np.float32) * _WINDOW
        out = np.concatenate((self._tail + frames[0, :_HOP], frames[0, _HOP:] + frames[1, :_HOP]))
        self._tail = frames[1, _HOP:]
        return out

    def _gain(self, power: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        assert self._noise is not None
        noise = self._noise + 1e-12
        posterior = power / noise
        prior = self.smoothing * self._last_clean / noise + (1 - self.smoothing) * np.maximum(
            posterior - 1.0, 0.0
        )
        gain = np.maximum(prior / (1.0 + prior), self._floor)
        self._last_clean = gain**2 * power
        return gain

    def _learn(self, power: npt.NDArray[np.float64]) -> None:
        """Move the background estimate toward this hop's power. A bin far louder than
        the background learns ten times slower: the endpointer's call lags a frame, so
        the first frame of a command is still called background, and it must not teach
        the filter to take the command out. A background that really grew louder is
        still learnt, in a few seconds."""
        assert self._noise is not None
        loud = power > self._noise * _LOUD
        self._noise += np.where(loud, self.noise_rate / 10, self.noise_rate) * (power - self._noise)
        self._update_floor()

    def _update_floor(self) -> None:
        assert self._noise is not None
        # Background is taken down to a quiet room's level at most: in a quiet room the
        # filter leaves everything as it is (bench/README.md).
        self._floor = np.sqrt(np.clip(self._quiet / (self._noise + 1e-12), self.gain_floor**2, 1.0))
