"""Audio as the whole package passes it around: sample arrays, and rate conversion."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]  # mono, in [-1, 1]
Pcm = npt.NDArray[np.int16]  # mono, 16-bit, as recognizers take it


def resample(samples: Samples, rate_in: int, rate_out: int) -> Samples:
    """A whole buffer at another rate (a new array, even when the rate is the same)."""
    if rate_in == rate_out or samples.size == 0:
        return np.array(samples, dtype=np.float32)
    import soxr

    out: Samples = soxr.resample(samples, rate_in, rate_out, quality="HQ")
    return out.astype(np.float32, copy=False)


class StreamResampler:
    """Converts consecutive chunks without clicks at chunk borders (filter state is kept)."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        self._stream = None
        if rate_in != rate_out:
            import soxr

            self._stream = soxr.ResampleStream(rate_in, rate_out, 1, dtype="float32")

    def __call__(self, chunk: Samples, last: bool = False) -> Samples:
        if self._stream is None:
            return chunk.astype(np.float32, copy=False)
        out: Samples = self._stream.resample_chunk(chunk.astype(np.float32, copy=False), last=last)
        return out
