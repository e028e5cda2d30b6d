"""Sample-rate conversion: whole buffers, and a streaming converter for live chunks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]


def resample(audio: Audio, rate_in: int, rate_out: int) -> Audio:
    if rate_in == rate_out:
        return audio.astype(np.float32, copy=False)
    import soxr

    out: Audio = soxr.resample(audio, rate_in, rate_out).astype(np.float32, copy=False)
    return out


class StreamResampler:
    """Converts consecutive chunks without clicks at chunk borders (filter state is kept)."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        self._stream = None
        if rate_in != rate_out:
            import soxr

            self._stream = soxr.ResampleStream(rate_in, rate_out, 1, dtype="float32")

    def __call__(self, chunk: Audio, last: bool = False) -> Audio:
        if self._stream is None:
            return chunk.astype(np.float32, copy=False)
        out: Audio = self._stream.resample_chunk(chunk.astype(np.float32, copy=False), last=last)
        return out
