"""The recognizer interface, and the factory that picks a backend.

A recognizer decodes one utterance at a time (the endpointer decides where
utterances are), constrained to the command vocabulary, and says what it heard
with a confidence; out-of-vocabulary speech comes back as an empty text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from coach.errors import CoachError
from coach.listen.vad import EndpointSettings
from coach.vocabulary import Vocabulary

_LOGGER = logging.getLogger(__name__)

BACKENDS = ("auto", "moonshine", "pocketsphinx", "vosk")

Pcm = npt.NDArray[np.int16]


@dataclass(frozen=True)
class Hypothesis:
    text: str  # a phrase of the vocabulary, or "" when the speech was not a command
    confidence: float  # 0..1: how sure the recognizer is that `text` was said


class Recognizer(Protocol):
    name: str
    sample_rate: int
    # The confidence it must give a command to be acted on, when nothing else is asked
    # (each backend's confidence has a scale of its own).
    min_confidence: float
    # How the listener cuts utterances for it, and the quiet a command must follow
    # (seconds; see pipeline.ListenSettings.isolation), each chosen for the backend.
    endpoint: EndpointSettings
    isolation: float
    # Whether it decodes as the audio comes (pocketsphinx, vosk), or only once the
    # utterance is over (moonshine): then the listener hands it the utterance whole,
    # without what was someone else's before it (EndpointSettings.peak_drop_db).
    streaming: bool

    def start(self) -> None:
        """Begin an utterance."""

    def feed(self, pcm: Pcm) -> None:
        """More 16-bit mono audio of the utterance, at `sample_rate`."""

    def finish(self) -> Hypothesis:
        """End the utterance and say what it was."""


def make_recognizer(
    backend: str,
    vocabulary: Vocabulary,
    model_path: str | Path | None = None,
    note: Callable[[str], None] | None = None,
) -> Recognizer:
    """A recognizer for `vocabulary`: 'vosk' with a model, 'moonshine', 'pocketsphinx',
    or 'auto'.

    'auto' uses vosk when a model for the vocabulary's language is configured or
    found (see coach.listen.models); else, for English, moonshine when its package is
    installed (it hears commands in noise far better); else pocketsphinx. `note` is
    told of slow first-time work (moonshine prepares its model once), and of 'auto'
    settling for pocketsphinx when moonshine can't be set up.
    """
    from coach.listen import models, moonshine_model

    if backend not in BACKENDS:
        raise CoachError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    vosk_model = None  # looked for only where vosk could be picked
    if backend in ("auto", "vosk"):
        vosk_model = Path(model_path) if model_path else models.find_vosk_model(vocabulary.language)
    use_vosk = vosk_model is not None and models.vosk_available()
    english = vocabulary.language.split("-")[0] == "en"
    if backend == "moonshine" or (
        backend == "auto" and not use_vosk and english and moonshine_model.available()
    ):
        from coach.listen.recognizers.moonshine import MoonshineRecognizer

        try:
            return MoonshineRecognizer(vocabulary, note)
        except CoachError as exc:
            if backend != "auto":
                raise
            # 'auto' means whatever works here: a read-only cache, say, still listens.
            told = f"moonshine can't be used here ({exc}); listening with pocketsphinx"
            if note is not None:
                note(told)
            else:
                _LOGGER.warning("%s", told)
    if backend in ("auto", "vosk"):
        if use_vosk:
            from coach.listen.recognizers.vosk import VoskRecognizer

            assert vosk_model is not None
            return VoskRecognizer(vosk_model, vocabulary)
        if backend == "vosk":
            if not models.vosk_available():
                raise CoachError(
                    "the vosk backend needs the vosk package: pip install 'coach[vosk]'"
                )
            raise CoachError(
                f"no vosk model for language {vocabulary.language!r}: "
                "run `coach model download en-us` or `coach model path DIR`"
            )
        _LOGGER.info("no vosk model nor moonshine for %s: using pocketsphinx", vocabulary.language)
    from coach.listen.recognizers.pocketsphinx import PocketsphinxRecognizer

    return PocketsphinxRecognizer(vocabulary)
