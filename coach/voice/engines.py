"""Text-to-speech engines, each turning text into samples.

pyttsx3 is only ever used to *render* (`save_to_file`): its own playback on
Linux shells out to aplay, blocks, and bypasses our output stream. A pyttsx3
engine is not thread-safe, so one engine object is only used from the thread
(or process) that made it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile

from coach.base.errors import CoachError
from coach.base.samples import Samples
from coach.config import VoiceSettings

_LOGGER = logging.getLogger(__name__)


_ATTEMPTS = 3
# One espeak engine per process, whatever pyttsx3.init() is called from.
_SHARED_ENGINE = threading.Lock()


class SpeechEngine(Protocol):
    @property
    def identity(self) -> str:
        """Everything that changes the sound: part of the cache key."""
        ...

    def synthesize(self, text: str) -> tuple[Samples, int]:
        """Samples and their rate."""
        ...


class Pyttsx3Engine:
    """espeak-ng (on Linux) through pyttsx3, rendered to a temporary WAV file."""

    def __init__(self, voice: str | None, rate: int) -> None:
        self.voice = voice
        self.rate = rate
        self._engine: object | None = None
        self._voice_id_resolved: object = None
        self._tmp = Path(tempfile.mkdtemp(prefix="coach-tts-"))
        # The folder holds one scratch file; remove it when the engine goes.
        weakref.finalize(self, shutil.rmtree, self._tmp, ignore_errors=True)

    @property
    def identity(self) -> str:
        return f"pyttsx3:{self.voice or 'default'}:{self.rate}"

    def _ready(self) -> object:
        if self._engine is None:
            self._engine = _shared_pyttsx3()
            self._voice_id_resolved = (
                self._voice_id(self._engine, self.voice) if self.voice else _DEFAULTS["voice"]
            )
        # pyttsx3.init() hands every caller in a process the same engine, so
        # this voice's rate and voice are set again before each render.
        self._engine.setProperty("rate", self.rate)  # type: ignore[attr-defined]
        self._engine.setProperty("voice", self._voice_id_resolved)  # type: ignore[attr-defined]
        return self._engine

    @staticmethod
    def _voice_id(engine: object, wanted: str) -> str:
        voices = engine.getProperty("voices")  # type: ignore[attr-defined]
        wanted_l = wanted.lower()
        for v in voices:
            names = {v.id.lower(), v.id.lower().split("/")[-1], (v.name or "").lower()}
            names.update(str(lang).lower() for lang in (v.languages or []))
            if wanted_l in names:
                return str(v.id)
        raise CoachError(
            f"voice.voice: pyttsx3 has no voice '{wanted}'; try en-us or en-gb "
            "(`espeak-ng --voices=en` lists them)"
        )

    def synthesize(self, text: str) -> tuple[Samples, int]:
        with _SHARED_ENGINE:
            return self._synthesize(text)

    def _synthesize(self, text: str) -> tuple[Samples, int]:
        engine = self._ready()
        path = self._tmp / "cue.wav"
        # pyttsx3's espeak driver finishes on a callback from espeak's thread and
        # now and then returns before the file is written: try again.
        for _ in range(_ATTEMPTS):
            path.unlink(missing_ok=True)
            engine.save_to_file(text, str(path))  # type: ignore[attr-defined]
            engine.runAndWait()  # type: ignore[attr-defined]
            try:
                samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
            except (OSError, RuntimeError):
                _LOGGER.info("pyttsx3 wrote no audio for %r; trying again", text)
                continue
            if samples.size == 0:
                # The driver saves the file on espeak's "terminated" event before
                # adding the samples that came with it: a WAV with no frames.
                _LOGGER.info("pyttsx3 wrote an empty file for %r; trying again", text)
                continue
            return samples.mean(axis=1), int(rate)
        raise CoachError(f"pyttsx3 rendered nothing for {text!r}; is espeak-ng installed?")


_DEFAULTS: dict[str, object] = {}


def _shared_pyttsx3() -> object:
    """The process's pyttsx3 engine (pyttsx3.init() returns the same one each time)."""
    try:
        import pyttsx3

        engine = pyttsx3.init()
    except Exception as exc:  # the driver's own errors are not typed
        raise CoachError(
            f"the pyttsx3 voice can't start ({exc}); on Debian/Ubuntu install espeak-ng: "
            "sudo apt-get install espeak-ng"
        ) from None
    _silence_driver_prints()
    _DEFAULTS.setdefault("voice", engine.getProperty("voice"))
    return engine


def _silence_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to …" on stdout — our timeline —
    from espeak's callback thread, so redirecting stdout around the call can't
    catch it (and would swap stdout under every other thread). Mute that module."""
    import importlib

    try:
        driver = importlib.import_module("pyttsx3.drivers.espeak")
    except ImportError:  # another platform's driver: nothing printed
        return
    driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]


class HibariEngine:
    """hibari-tts: a small neural English voice (the `neural` extra)."""

    NATURAL_RATE = 170  # words per minute that hibari speaks at speed 1.0

    def __init__(self, voice: str | None, rate: int) -> None:
        self.voice = voice or "heart"
        self.speed = max(0.5, min(2.0, rate / self.NATURAL_RATE))
        self._tts: object | None = None

    @property
    def identity(self) -> str:
        return f"hibari:{self.voice}:{self.speed:.3f}"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        if self._tts is None:
            try:
                from hibari import Hibari
            except ImportError:
                raise CoachError(
                    "voice.engine is hibari but hibari-tts is not installed: "
                    "pip install 'coach[neural]' (or set voice.engine: pyttsx3)"
                ) from None
            try:
                self._tts = Hibari(voice=self.voice)
            except Exception as exc:
                raise CoachError(f"the hibari voice '{self.voice}' can't load ({exc})") from None
        from hibari import SAMPLE_RATE

        audio = self._tts(text, speed=self.speed, seed=0)  # type: ignore[operator]
        return np.asarray(audio, dtype=np.float32), int(SAMPLE_RATE)


def make_engine(settings: VoiceSettings) -> SpeechEngine:
    if settings.engine == "hibari":
        return HibariEngine(settings.voice, settings.rate)
    if settings.engine == "pyttsx3":
        return Pyttsx3Engine(settings.voice, settings.rate)
    raise CoachError(f"voice.engine: '{settings.engine}' renders no audio")
