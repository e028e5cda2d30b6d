"""The embedded backend: PocketSphinx with the English model from its wheel.

Two decoders hear every utterance:
- a grammar decoder whose only paths are the command phrases or a "garbage"
  loop of single phones, so speech that is not a command has somewhere to go
  other than the nearest command;
- a free phone-loop decoder (allphone), the best any phone sequence can do.
The gap between their acoustic log-likelihoods per frame is a likelihood-ratio
test of the hypothesis ("utterance verification"): a real command fits the
grammar almost as well as the free phone loop, other speech and noise don't.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

from coach.errors import CoachError
from coach.listen.recognizer import Hypothesis, Pcm
from coach.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

GARBAGE = "<garbage>"
_GARBAGE_PREFIX = "gbg_"


# The CMU phone set of the en-us model (its mdef is binary, so it is listed here).
PHONES = [
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "B",
    "CH",
    "D",
    "DH",
    "EH",
    "ER",
    "EY",
    "F",
    "G",
    "HH",
    "IH",
    "IY",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "OW",
    "OY",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "UH",
    "UW",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
]


def grammar(phrases: Iterable[str], phones: Iterable[str], garbage_weight: float) -> str:
    commands = " | ".join(sorted(set(phrases)))
    loop = " | ".join(_GARBAGE_PREFIX + p.lower() for p in phones)
    return f"#JSGF V1.0;\ngrammar commands;\n<command> = {commands};\n<phone> = {loop};\n" + (
        f"public <utterance> = /1.0/ <command> | /{garbage_weight}/ <phone>+;\n"
        if garbage_weight > 0
        else "public <utterance> = <command>;\n"
    )


class PocketsphinxRecognizer:
    name = "pocketsphinx"
    sample_rate = 16000

    def __init__(
        self,
        vocabulary: Vocabulary,
        garbage_weight: float = 0.0,
        llr_scale: float = 2.0,
        llr_offset: float = -3.0,
    ) -> None:
        from pocketsphinx import Decoder, get_model_path

        if not vocabulary.language.startswith("en"):
            raise CoachError(
                f"pocketsphinx only has an English model; for {vocabulary.language!r} "
                "configure a vosk model (`coach model path DIR`)"
            )
        self.vocabulary = vocabulary
        self.llr_scale, self.llr_offset = llr_scale, llr_offset
        hmm = get_model_path("en-us/en-us")
        # Batch CMN: each utterance is normalised on its own, so a result never depends
        # on what was heard before (live CMN drifts with the history of utterances).
        common = {"hmm": hmm, "loglevel": "ERROR", "lm": None, "cmn": "batch"}
        self._grammar = Decoder(**common, dict=get_model_path("en-us/cmudict-en-us.dict"))
        self._phones = Decoder(**common, allphone=get_model_path("en-us/en-us-phone.lm.bin"))
        self._logmath = self._grammar.get_logmath()

        phrases = [normalise(p) for ps in vocabulary.phrases.values() for p in ps]
        phrases += [c for c in vocabulary.phrases if c not in phrases]
        missing = sorted(
            {w for p in phrases for w in p.split() if self._grammar.lookup_word(w) is None}
        )
        if missing:
            raise CoachError(
                "pocketsphinx's dictionary lacks these command words: " + ", ".join(missing)
            )
        phones = PHONES
        for i, p in enumerate(phones):  # update the search only after the last one
            self._grammar.add_word(_GARBAGE_PREFIX + p.lower(), p, i == len(phones) - 1)
        self._grammar.add_jsgf_string("commands", grammar(phrases, phones, garbage_weight))
        self._grammar.activate_search("commands")
        self._frames = 0

    def start(self) -> None:
        self._grammar.start_utt()
        self._phones.start_utt()
        self._frames = 0

    def feed(self, pcm: Pcm) -> None:
        data = pcm.tobytes()
        self._grammar.process_raw(data)
        self._phones.process_raw(data)
        self._frames += pcm.size // 160

    def finish(self) -> Hypothesis:
        self._grammar.end_utt()
        self._phones.end_utt()
        hyp = self._grammar.hyp()
        segments = list(self._grammar.seg() or ()) if hyp is not None else []
        words = [s for s in segments if not _is_filler(s.word)]
        if not words:
            return Hypothesis("", 0.0)
        text = " ".join(_base_word(s.word) for s in words)
        phones = [s for s in self._phones.seg() or () if s.word != "SIL"]
        llr = self._llr(words, phones)
        coverage = self._coverage(words, phones)
        self.last_llr, self.last_coverage = llr, coverage
        _LOGGER.debug("heard %r llr=%.3f coverage=%.2f", text, llr, coverage)
        # Both tests must pass: sounds like the command, and nothing but the command.
        acoustic = 1 / (1 + math.exp(-self.llr_scale * (llr - self.llr_offset)))
        explained = min(1.0, max(0.0, (coverage - 0.55) / 0.3))
        return Hypothesis(text, acoustic * explained)

    @staticmethod
    def _coverage(words: list[Any], phones: list[Any]) -> float:
        """How much of the speech the command explains: other talk leaves speech outside it."""
        first = min(s.start_frame for s in words)
        last = max(s.end_frame for s in words)
        speech = outside = 0
        for s in phones:
            n = s.end_frame - s.start_frame + 1
            inside = max(0, min(last, s.end_frame) - max(first, s.start_frame) + 1)
            speech += n
            outside += n - inside
        return 1.0 - outside / max(1, speech)

    def _llr(self, words: list[Any], phones: list[Any]) -> float:
        """Per-frame log-likelihood ratio, command words vs. free phones, over the words' span."""
        first = min(s.start_frame for s in words)
        last = max(s.end_frame for s in words)
        grammar_ll = sum(self._ln(s.ascore) for s in words)
        phone_ll = 0.0
        for s in phones:
            lo, hi = max(first, s.start_frame), min(last, s.end_frame)
            if hi >= lo:
                phone_ll += self._ln(s.ascore) * (hi - lo + 1) / (s.end_frame - s.start_frame + 1)
        llr: float = (grammar_ll - phone_ll) / max(1, last - first + 1)
        return llr

    def _ln(self, prob: float) -> float:
        if prob <= 0.0:  # underflow of a very long segment: as unlikely as it gets
            return -1e4
        ln: float = self._logmath.log_to_ln(self._logmath.log(prob))
        return ln


def _is_filler(word: str) -> bool:
    fillers = ("<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "[SPEECH]")
    return word in fillers or word.startswith("+")


def _base_word(word: str) -> str:
    # Alternate pronunciations are spelled "word(2)".
    return word.split("(")[0]
