"""The one continuous output stream, and a stand-in that needs no device.

The callback only copies: the mixer fills a preallocated block, the block goes
to the device, and (with --output-wav) a copy goes to a queue that a writer
thread drains. Nothing in the callback blocks, logs or raises into the main
thread.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile

from coach.audio.mixer import Mixer
from coach.base.errors import CoachError
from coach.config import AudioSettings

_LOGGER = logging.getLogger(__name__)


# Kept playing after a single clip, so its end isn't cut by closing the stream.
_PLAY_TAIL = 0.2
# No callback for this long means the device is gone, not merely a busy machine.
_STALLED_SECONDS = 3.0


class NoOutputDevice(CoachError):
    """No sound output could be opened; the session coaches on screen instead."""


def device_arg(text: str | int | None) -> int | str | None:
    """A device by index ("3") or by (part of its) name."""
    if text is None or isinstance(text, int):
        return text
    try:
        return int(text)
    except ValueError:
        return text


def _no_output(device: int | str | None, exc: Exception) -> str:
    import sounddevice as sd

    try:
        outputs = [d for d in sd.query_devices() if d["max_output_channels"] > 0]
    except sd.PortAudioError:
        outputs = []
    if not outputs:
        return "no sound output device found (check `coach devices`)"
    if device is None:
        return f"the default sound output doesn't open ({exc}); pick one from `coach devices`"
    return f"sound output {device!r} doesn't open ({exc}); pick one from `coach devices`"


class WavTap:
    """Writes every block sent to the output into a sound file, off the audio thread."""

    def __init__(self, path: Path, rate: int) -> None:
        try:
            self._file = soundfile.SoundFile(str(path), "w", samplerate=rate, channels=1,
                                             subtype="FLOAT" if path.suffix.lower() == ".wav"
                                             else None)
        except (OSError, RuntimeError, TypeError, ValueError) as exc:
            raise CoachError(f"--output-wav {path}: can't write it ({exc})") from None
        self._blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="wav-tap", daemon=True)
        self._thread.start()

    def put(self, block: np.ndarray) -> None:
        self._blocks.put(block.copy())

    def _write(self) -> None:
        while (block := self._blocks.get()) is not None:
            self._file.write(block)

    def close(self) -> None:
        self._blocks.put(None)
        self._thread.join()
        self._file.close()


class OutputDevice(Protocol):
    mixer: Mixer
    speed: float
    frames: int  # samples rendered so far
    last_render: float  # time.monotonic() of the last block
    underruns: int
    latency: float  # seconds from rendering a sample to hearing it, as reported
    block_size: int

    def start(self) -> None: ...

    def stop(self) -> None: ...

    @property
    def failed(self) -> bool: ...


# The buffers "auto" tries, shortest first (seconds).
AUTO_LATENCY = (0.04, 0.08, 0.16, 0.32)


class SoundDeviceOutput:
    def __init__(
        self,
        mixer: Mixer,
        device: int | str | None,
        block_size: int,
        tap: WavTap | None = None,
        latency: str | float = 0.2,
    ) -> None:
        self.mixer = mixer
        self.device = device
        self.block_size = block_size
        # Timing doesn't depend on the buffer (cues are placed by sample, not by when
        # the callback runs); its length is how long a cut takes to be heard, against
        # how long a moment of a busy machine it rides out. "auto" starts short and
        # doubles on an underrun.
        self.adaptive = latency == "auto"
        self.requested_latency: str | float = AUTO_LATENCY[0] if self.adaptive else latency
        self._underran = threading.Event()
        self._generation = 0  # streams opened so far
        self._watch: threading.Thread | None = None
        self.tap = tap
        self.speed = 1.0
        self.frames = 0
        self.last_render = time.monotonic()
        self.underruns = 0
        self.latency = 0.0
        self.first_dac_time: float | None = None
        self._block = np.zeros(block_size * 8, dtype=np.float32)
        self._stream: Any = None
        self._ended = False

    def start(self) -> None:
        self._open()
        if self.adaptive:
            self._watch = threading.Thread(target=self._lengthen, name="output", daemon=True)
            self._watch.start()

    def _lengthen(self) -> None:
        """On an underrun, open the stream again with twice the buffer (up to the last of
        AUTO_LATENCY); the sample count, and so the session's clock, carries on."""
        while self._underran.wait() and not self._ended:
            self._underran.clear()
            longer = [s for s in AUTO_LATENCY if s > float(self.requested_latency)]
            if not longer:
                return
            self.requested_latency = longer[0]
            _LOGGER.info("output underran: its buffer goes up to %.0f ms", longer[0] * 1000)
            old, self._stream = self._stream, None
            self._generation += 1  # the old stream's end is no end of the output
            try:
                old.abort()
                old.close()
                self._open()
            except NoOutputDevice as exc:
                _LOGGER.warning("the output could not be opened again: %s", exc)
                self._ended = True
                return

    def _open(self) -> None:
        try:
            import sounddevice as sd
        except OSError as exc:  # the PortAudio library itself is missing
            raise NoOutputDevice(
                f"PortAudio is not installed ({exc}); sudo apt-get install libportaudio2"
            ) from None
        self._generation += 1
        generation = self._generation
        try:
            self._stream = sd.OutputStream(
                samplerate=self.mixer.rate,
                blocksize=self.block_size,
                device=self.device,
                channels=1,
                dtype="float32",
                latency=self.requested_latency,
                callback=self._callback,
                finished_callback=functools.partial(self._finished, generation),
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise NoOutputDevice(_no_output(self.device, exc)) from None
        self.latency = float(self._stream.latency)
        self.last_render = time.monotonic()

    def _callback(self, outdata: np.ndarray, frames: int, when: Any, status: Any) -> None:
        if status.output_underflow:
            self.underruns += 1
            self._underran.set()
        if frames > self._block.size:  # the host asked for more than ever before
            outdata.fill(0)
            return
        block = self._block[:frames]
        self.mixer.render_into(block)
        outdata[:, 0] = block
        if self.frames == 0:
            # When sample 0 reaches the speaker, in PortAudio's stream time
            # (for measuring onsets against the schedule).
            self.first_dac_time = float(when.outputBufferDacTime)
        self.frames += frames
        self.last_render = time.monotonic()
        if self.tap is not None:
            self.tap.put(block)

    def _finished(self, generation: int) -> None:
        if generation == self._generation:  # not one closed to open a longer one
            self._ended = True

    @property
    def failed(self) -> bool:
        """The stream ended on its own, or stopped asking for audio (device gone)."""
        stalled = time.monotonic() - self.last_render > _STALLED_SECONDS
        return self._stream is not None and (self._ended or stalled)

    def stop(self) -> None:
        self._ended = True
        self._underran.set()  # the watch ends
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception as exc:  # a vanished device may fail to close; nothing to save
                _LOGGER.info("closing the output stream: %s", exc)
        if self.tap is not None:
            self.tap.close()


class PacedOutput:
    """No device: a thread takes blocks from the mixer at `speed` times real time.

    Used with --no-audio, so --output-wav still records exactly what a device
    would have played, on the same clock.
    """

    def __init__(
        self, mixer: Mixer, block_size: int, speed: float = 1.0, tap: WavTap | None = None
    ) -> None:
        self.mixer = mixer
        self.block_size = block_size
        self.speed = speed
        self.tap = tap
        self.frames = 0
        self.last_render = time.monotonic()
        self.underruns = 0
        self.latency = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paced-output", daemon=True)

    def start(self) -> None:
        self.last_render = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        block = np.zeros(self.block_size, dtype=np.float32)
        began = time.monotonic()
        while not self._stop.is_set():
            due = began + (self.frames + self.block_size) / self.mixer.rate / self.speed
            delay = due - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            self.mixer.render_into(block)
            self.frames += block.size
            self.last_render = time.monotonic()
            if self.tap is not None:
                self.tap.put(block)

    @property
    def failed(self) -> bool:
        return False

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.tap is not None:
            self.tap.close()


def play_clip(clip: np.ndarray, audio: AudioSettings) -> None:
    """Play one clip on the configured output and return when it has been heard.

    For a single line outside a session (`coach say`, the smart speaker's
    prompts); raises NoOutputDevice when there is nothing to play it on.
    """
    mixer = Mixer(audio.sample_rate)
    lead_in = int(0.05 * mixer.rate)
    mixer.schedule(clip, lead_in)
    device = SoundDeviceOutput(
        mixer, device_arg(audio.output_device), audio.block_size, latency=audio.latency
    )
    device.start()
    try:
        time.sleep((lead_in + clip.size) / mixer.rate + device.latency + _PLAY_TAIL)
    finally:
        device.stop()
