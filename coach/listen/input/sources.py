"""Where the listener's audio comes from: the microphone, or a recording paced like one."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from coach.listen.input.audio_input import CHUNK_SECONDS, Chunk


@dataclass(frozen=True)
class MicSource:
    """The microphone (None: the default input device)."""

    device: int | str | None = None


@dataclass(frozen=True)
class FileSource:
    """A recording standing in for the microphone, paced at `speed` times real time."""

    path: str
    speed: float = 1.0
    loop: bool = True


AudioSource = MicSource | FileSource


@contextmanager
def open_source(source: AudioSource) -> Iterator[tuple[queue.Queue[Chunk], int]]:
    """The source's chunk queue and rate, until the block exits."""
    if isinstance(source, FileSource):
        with _file_chunks(source) as opened:
            yield opened
        return
    from coach.listen.input.audio_input import default_rate, microphone

    rate = default_rate(source.device)
    with microphone(source.device, rate) as chunks:
        yield chunks, rate


@contextmanager
def _file_chunks(source: FileSource) -> Iterator[tuple[queue.Queue[Chunk], int]]:
    from coach.listen.input.files import read_mono

    audio, rate = read_mono(source.path)
    chunks: queue.Queue[Chunk] = queue.Queue(maxsize=200)
    stop = threading.Event()
    step = int(rate * CHUNK_SECONDS)

    def pump() -> None:
        began, sent = time.monotonic(), 0
        while not stop.is_set():
            for at in range(0, audio.size - step + 1, step):
                if stop.is_set():
                    return
                due = began + sent / rate / source.speed
                stop.wait(max(0.0, due - time.monotonic()))
                chunks.put((audio[at : at + step].copy(), 0.0, time.monotonic()))
                sent += step
            if not source.loop:
                return

    thread = threading.Thread(target=pump, name="file-source", daemon=True)
    thread.start()
    try:
        yield chunks, rate
    finally:
        stop.set()
        thread.join(timeout=2)
