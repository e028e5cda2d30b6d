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

from coach.errors import CoachError
from coach.listen.recognizer import Hypothesis, Pcm
from coach.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

GARBAGE = "<garbage>"
_GARBAGE_PREFIX = "gbg_"


# The CMU phone set of the en-us model (its mdef is binary, so it is listed here).
PHONES = (
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
    "UH UW V W Y Z ZH"
).split()


def grammar(phrases: Iterable[str], phones: Iterable[str], garbage_weight: float) -> str:
    commands = " | ".join(sorted(set(phrases)))
    loop = " | ".join(_GARBAGE_PREFIX + p.lower() for p in phones)
    return (
        "#JSGF V1.0;\ngrammar commands;\n"
        f"<command> = {commands};\n"
        f"<phone> = {loop};\n"
        f"public <utterance> = /1.0/ <command> | /{garbage_weight}/ <phone>+;\n"
    )


class PocketsphinxRecognizer:
    name = "pocketsphinx"
    sample_rate = 16000

    def __init__(
        self,
        vocabulary: Vocabulary,
        garbage_weight: float = 1e-3,
        llr_scale: float = 2.0,
        llr_offset: float = 0.35,
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
        common = {"hmm": hmm, "loglevel": "ERROR", "lm": None}
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
        words = [s for s in self._grammar.seg() if not _is_filler(s.word)]
        if hyp is None or not words or any(s.word.startswith(_GARBAGE_PREFIX) for s in words):
            return Hypothesis("", 0.0)
        text = " ".join(_base_word(s.word) for s in words)
        llr = self._llr(words)
        _LOGGER.debug("heard %r llr=%.3f", text, llr)
        confidence = 1 / (1 + math.exp(-self.llr_scale * (llr + self.llr_offset) * 10))
        return Hypothesis(text, confidence)

    def _llr(self, words: list[object]) -> float:
        """Per-frame log-likelihood ratio, grammar words vs. free phones, over the words' span."""
        first = min(s.start_frame for s in words)  # type: ignore[attr-defined]
        last = max(s.end_frame for s in words)  # type: ignore[attr-defined]
        grammar_ll = sum(self._ln(s.ascore) for s in words)  # type: ignore[attr-defined]
        phone_ll = 0.0
        for s in self._phones.seg():
            lo, hi = max(first, s.start_frame), min(last, s.end_frame)
            if hi >= lo:
                span = s.end_frame - s.start_frame + 1
                phone_ll += self._ln(s.ascore) * (hi - lo + 1) / span
        return (grammar_ll - phone_ll) / max(1, last - first + 1)

    def _ln(self, prob: float) -> float:
        if prob <= 0.0:  # underflow of a very long segment: as unlikely as it gets
            return -1e4
        return float(self._logmath.log_to_ln(self._logmath.log(prob)))


def _is_filler(word: str) -> bool:
    return word in ("<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]") or word.startswith("+")


def _base_word(word: str) -> str:
    # Alternate pronunciations are spelled "word(2)".
    return word.split("(")[0]
