"""The vosk backend: a Kaldi model (any language) with a runtime command grammar.

The grammar lists the command phrases plus "[unk]", vosk's out-of-vocabulary
token: speech that is not a command decodes to [unk] instead of the nearest
command, and is rejected. The confidence is the lowest word confidence.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from coach.base.errors import CoachError
from coach.base.samples import Pcm
from coach.listen.endpoint.vad import EndpointSettings
from coach.listen.recognizers.recognizer import Hypothesis, Rescore
from coach.words import log_values
from coach.words.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

UNKNOWN = "[unk]"


class VoskRecognizer:
    name = "vosk"
    sample_rate = 16000
    streaming = True
    wants_denoise = False
    wants_verifier = False
    min_confidence = 0.5
    value_min_confidence = 0.5
    endpoint = EndpointSettings()
    isolation = 0.8

    def __init__(self, model_path: Path, vocabulary: Vocabulary, values: bool = False) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        if not model_path.is_dir():
            raise CoachError(f"{model_path}: no vosk model there")
        # Checked here: vosk would print a line of its own about it, whatever its log level.
        if not any((model_path / p).is_file() for p in ("am/final.mdl", "final.mdl")):
            raise CoachError(
                f"{model_path}: not a vosk model (no am/final.mdl in it): point at the "
                "folder an unpacked model's files are in, or run `coach model download en-us`"
            )
        try:
            self._model = vosk.Model(str(model_path))
        except Exception as exc:  # vosk raises a bare Exception for a broken model
            raise CoachError(f"{model_path}: could not load the vosk model ({exc})") from None
        phrases = sorted({normalise(p) for ps in vocabulary.phrases.values() for p in ps})
        known = [
            p for p in phrases if all(self._model.vosk_model_find_word(w) >= 0 for w in p.split())
        ]
        unknown = sorted(set(phrases) - set(known))
        if unknown:
            _LOGGER.warning("the vosk model lacks words of: %s (ignored)", ", ".join(unknown))
        if not known:
            raise CoachError(f"{model_path}: the model knows none of the command phrases")
        # Models without [unk] in their lexicon (the small Korean one) can't reject by it.
        has_unknown = self._model.vosk_model_find_word(UNKNOWN) >= 0
        self._grammar = json.dumps(
            [*known, *([UNKNOWN] if has_unknown else [])], ensure_ascii=False
        )
        self._for_commands = vosk.KaldiRecognizer(self._model, self.sample_rate, self._grammar)
        self._for_commands.SetWords(True)
        self._for_values: dict[str, Any] = {}
        for kind in log_values.VALUE_KINDS if values else ():
            # vosk's grammar is a list of phrases: every spoken form of a value heard
            forms = [
                f
                for f in log_values.spoken_forms(kind)
                if all(self._model.vosk_model_find_word(w) >= 0 for w in f.split())
            ]
            said = sorted({*known, *forms, *([UNKNOWN] if has_unknown else [])})
            self._for_values[kind] = vosk.KaldiRecognizer(
                self._model, self.sample_rate, json.dumps(said, ensure_ascii=False)
            )
            self._for_values[kind].SetWords(True)
        self._recognizer: Any = self._for_commands
        self.value_kind: str | None = None
        self._kind_next: str | None = None
        self.start()

    def listen_for_values(self, kind: str | None) -> None:
        if kind is not None and kind not in self._for_values:
            raise CoachError("this listener was made without the logged values")
        self._kind_next = kind  # the grammar is chosen as an utterance starts

    def rescorer(self) -> Rescore | None:
        return None

    def start(self) -> None:
        self.value_kind = self._kind_next
        kind = self.value_kind
        self._recognizer = self._for_commands if kind is None else self._for_values[kind]
        self._recognizer.Reset()

    def feed(self, pcm: Pcm) -> None:
        self._recognizer.AcceptWaveform(pcm.tobytes())

    def finish(self) -> Hypothesis:
        result: dict[str, Any] = json.loads(self._recognizer.FinalResult())
        words = result.get("result", [])
        text = result.get("text", "").strip()
        if not text or not words or any(w.get("word") == UNKNOWN for w in words):
            return Hypothesis("", 0.0)
        return Hypothesis(text, float(min(w.get("conf", 0.0) for w in words)))
