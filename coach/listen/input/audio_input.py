"""The microphone: a sounddevice input stream whose callback only enqueues.

Each queue item is (mono float32 chunk, stream time of its first sample, the
time.monotonic() at which it arrived). The stream time is PortAudio's ADC time.
The arrival is read in the callback, not when the chunk is taken from the queue:
a listener that falls behind (loading a model while the microphone already runs)
takes chunks late, and dated then, what the microphone heard would be put later
than it happened.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from coach.base.errors import CoachError
from coach.base.samples import Samples

_LOGGER = logging.getLogger(__name__)

Chunk = tuple[Samples, float, float]  # audio, its stream time, when it arrived


# The microphone's chunk; a recording is handed over in chunks of the same size.
CHUNK_SECONDS = 0.03


def default_rate(device: int | str | None) -> int:
    import sounddevice as sd

    try:
        info: Any = sd.query_devices(device, "input")
    except (ValueError, sd.PortAudioError):
        which = "no microphone found" if device is None else f"no microphone {device!r}"
        raise CoachError(f"{which} (check `coach devices`)") from None
    return int(info["default_samplerate"])


@contextmanager
def microphone(
    device: int | str | None = None, rate: int | None = None, chunk_seconds: float = CHUNK_SECONDS
) -> Iterator[queue.Queue[Chunk]]:
    """Open the mic; yields the queue the callback fills until the block exits."""
    import sounddevice as sd

    samplerate = rate or default_rate(device)
    chunks: queue.Queue[Chunk] = queue.Queue()

    def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
        # Only copy: no allocation beyond the copy, no logging, no locks.
        chunks.put_nowait((indata[:, 0].copy(), float(when.inputBufferAdcTime), time.monotonic()))

    try:
        stream = sd.InputStream(
            device=device,
            channels=1,
            samplerate=samplerate,
            dtype="float32",
            blocksize=int(samplerate * chunk_seconds),
            callback=callback,
        )
    except (ValueError, sd.PortAudioError) as exc:
        raise CoachError(f"cannot open the microphone: {exc}") from None
    with stream:
        _LOGGER.info(
            "listening on %s at %d Hz", device if device is not None else "default", samplerate
        )
        yield chunks
