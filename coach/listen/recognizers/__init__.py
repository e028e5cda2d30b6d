"""The recognizer backends, and the factory that picks one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from coach.base.errors import CoachError
from coach.config import BACKENDS
from coach.listen.recognizers.recognizer import Recognizer
from coach.words.vocabulary import Vocabulary

_LOGGER = logging.getLogger(__name__)


def make_recognizer(
    backend: str,
    vocabulary: Vocabulary,
    model_path: str | Path | None = None,
    note: Callable[[str], None] | None = None,
    values: bool = False,
) -> Recognizer:
    """A recognizer for `vocabulary`: 'vosk' with a model, 'moonshine', 'pocketsphinx',
    or 'auto'.

    'auto' uses vosk when a model for the vocabulary's language is configured or
    found (see coach.models.vosk_model); else, for English, moonshine when its package is
    installed (it hears commands in noise far better); else pocketsphinx. `note` is
    told of slow first-time work (moonshine prepares its model once), and of 'auto'
    settling for pocketsphinx when moonshine can't be set up. With `values` it hears
    the values an athlete logs (coach.words.log_values) too.
    """
    from coach.models import moonshine_model
    from coach.models import vosk_model as models

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
            return MoonshineRecognizer(vocabulary, note, values)
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
            return VoskRecognizer(vosk_model, vocabulary, values)
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

    return PocketsphinxRecognizer(vocabulary, values=values)
