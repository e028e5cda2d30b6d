"""The embedded backend: PocketSphinx with the English model from its wheel.

Two decoders hear every utterance, a third aligns at its end:
- a grammar decoder whose only paths are the command phrases (optionally a
  "garbage" loop of single phones, so speech that is not a command has
  somewhere to go other than the nearest command);
- a free phone-loop decoder (allphone), the best any phone sequence can do.
The grammar decoder's Viterbi result names the command but carries no absolute
score, so the aligner force-aligns that phrase to the utterance. The gap
between the aligned phrase's acoustic log-likelihood and the phone loop's, per
frame, is a likelihood-ratio test of the hypothesis ("utterance verification"):
a real command fits almost as well as the free phone loop, other speech and
noise don't.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from coach.base.errors import CoachError
from coach.base.samples import Pcm
from coach.listen.endpoint.vad import EndpointSettings
from coach.listen.recognizers import cmudict
from coach.listen.recognizers.recognizer import Hypothesis, Rescore
from coach.words import log_values, spoken_numbers
from coach.words.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

GARBAGE = "<garbage>"
_PHONE_LOOP = "phones"
# Speech outside a command this much quieter than the command is background, not talk.
_OTHER_SPEECH_DB = 12.0
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


def grammar(
    phrases: Iterable[str], phones: Iterable[str], garbage_weight: float, kind: str | None = None
) -> str:
    """The commands (and, with `kind`, the values heard while it is asked for) or
    garbage, as JSGF."""
    commands = " | ".join(sorted(set(phrases)))
    loop = " | ".join(_GARBAGE_PREFIX + p.lower() for p in phones)
    said = "<command>" if kind is None else "<command> | " + value_rule(kind)
    return (
        f"#JSGF V1.0;\ngrammar commands;\n<command> = {commands};\n<phone> = {loop};\n"
        + ("" if kind is None else VALUE_RULES)
        + (
            f"public <utterance> = /1.0/ ({said}) | /{garbage_weight}/ <phone>+;\n"
            if garbage_weight > 0
            else f"public <utterance> = {said};\n"
        )
    )


def _alternatives(words: Iterable[str]) -> str:
    return " | ".join(words)


# The values an athlete logs (coach.words.log_values) as a grammar: the spoken forms it parses.
VALUE_RULES = (
    f"<digit> = {_alternatives(spoken_numbers.ONES[1:])};\n"
    f"<teen> = {_alternatives(spoken_numbers.TEENS)};\n"
    f"<tens> = {_alternatives(spoken_numbers.TENS)};\n"
    "<upto99> = <digit> | <teen> | <tens> [<digit>];\n"
    "<from10> = <teen> | <tens> [<digit>];\n"
    "<number> = <upto99> | (a | one | two) hundred [[and] <upto99>] | three hundred"
    " | (one | two) (<from10> | oh <digit>);\n"
    "<half> = and a half | point five;\n"
    "<unit> = kilos | kilo | kilograms | pounds;\n"
    "<upto10> = <digit> | ten;\n"
    "<load> = <number> [<half>] <unit>;\n"
    "<rpe> = r p e <upto10> [<half>];\n"
    "<rir> = (zero | <upto10>) [reps | rep] in reserve;\n"
    "<reps> = <upto99> (reps | rep);\n"
)
# Each kind's number said alone: the kind asked for.
BARE = {
    "load": "<number> [<half>]",
    "rpe": "<upto10> [<half>]",
    "rir": "zero | <upto10>",
    "reps": "<upto99>",
}
# Every word of VALUE_RULES, for the dictionary.
VALUE_WORDS = set(re.findall(r"[a-z]+", re.sub(r"<\w+>", " ", VALUE_RULES)))


def value_rule(asked: str) -> str:
    """What is heard as a value while `asked` is asked for (log_values.spoken_forms)."""
    heard = {asked, *log_values.OTHERS_HEARD}
    marked = [f"<{kind}>" for kind in log_values.VALUE_KINDS if kind in heard]
    plain = [] if "load" in heard else ["<number> <unit>"]  # a whole load, a correction
    return " | ".join([BARE[asked], *marked, *plain])


class PocketsphinxRecognizer:
    name = "pocketsphinx"
    sample_rate = 16000
    streaming = True
    # The denoiser and the verifier were tuned on its input and its scores.
    wants_denoise = True
    wants_verifier = True
    # The LLR's offset (-3.5) was chosen for the command verifier's blend
    # (bench/README.md). Alone, pocketsphinx wants an LLR a nat higher: σ(2) = 0.88.
    min_confidence = 0.88
    value_min_confidence = 0.92  # a wrong number costs more than asking again: chosen on dev
    endpoint = EndpointSettings()
    isolation = 0.8

    def __init__(
        self,
        vocabulary: Vocabulary,
        garbage_weight: float = 0.0,
        llr_scale: float = 2.0,
        llr_offset: float = -3.5,
        values: bool = False,
    ) -> None:
        from pocketsphinx import Decoder, get_model_path

        if not vocabulary.language.startswith("en"):
            raise CoachError(
                f"pocketsphinx only has an English model; for {vocabulary.language!r} "
                "configure a vosk model (`coach model path DIR`)"
            )
        self.vocabulary = vocabulary
        self._can_hear_values = values
        self.llr_scale, self.llr_offset = llr_scale, llr_offset
        hmm = get_model_path("en-us/en-us")
        # Batch CMN: each utterance is normalised on its own, so a result never depends
        # on what was heard before (live CMN drifts with the history of utterances).
        # The decoders get only the vocabulary's words (see cmudict.pronunciations), not the
        # whole 135k-word dictionary, which costs ~22 MB per decoder.
        common = {"hmm": hmm, "loglevel": "ERROR", "lm": None, "dict": None, "cmn": "batch"}
        # The command grammar is tiny, so the search can afford wide beams: with the
        # defaults, short words ("help", "next", "done") lost every full path and came
        # out as fragments ("what", "go"). The lattice's best path re-scores with a
        # language weight meant for large vocabularies; the Viterbi result is better
        # here (bench/README.md).
        self._grammar = Decoder(
            **common,
            beam=1e-80,
            wbeam=1e-60,
            pbeam=1e-80,
            bestpath=False,
            topn=8,
        )
        # The phone loop is only the yardstick of the LLR, so it may prune hard: far
        # less work, for no less accuracy (bench/README.md).
        self._phones = Decoder(**common, beam=1e-10, pbeam=1e-10)
        self._phones.add_allphone_file(_PHONE_LOOP, get_model_path("en-us/en-us-phone.lm.bin"))
        self._phones.activate_search(_PHONE_LOOP)
        # The forced alignment does not survive such beams: it needs a decoder of its own
        # (~5 MB with the vocabulary's words alone).
        self._aligner = Decoder(**common)
        self._logmath = self._grammar.get_logmath()
        self._utterance: list[bytes] = []
        self._heard = _Utterance(b"", [])  # the last utterance: scored, maybe rescored

        phrases = [normalise(p) for ps in vocabulary.phrases.values() for p in ps]
        phrases += [c for c in vocabulary.phrases if c not in phrases]
        words = {w for p in phrases for w in p.split()} | (VALUE_WORDS if values else set())
        entries = cmudict.pronunciations(cmudict.path(), words)
        missing = sorted(words - {cmudict.base(name) for name, _ in entries})
        if missing:
            raise CoachError(
                "pocketsphinx's dictionary lacks these command words: " + ", ".join(missing)
            )
        for name, phones in entries:
            self._grammar.add_word(name, phones, False)
            self._aligner.add_word(name, phones, False)
        for i, p in enumerate(PHONES):  # update the search only after the last one
            self._grammar.add_word(_GARBAGE_PREFIX + p.lower(), p, i == len(PHONES) - 1)
        self._grammar.add_jsgf_string("commands", grammar(phrases, PHONES, garbage_weight))
        for kind in log_values.VALUE_KINDS if values else ():
            self._grammar.add_jsgf_string(kind, grammar(phrases, PHONES, garbage_weight, kind))
        self._grammar.activate_search("commands")
        self.value_kind: str | None = None
        self._kind_next: str | None = None

    def start(self) -> None:
        if self._kind_next != self.value_kind:
            self._grammar.activate_search(self._kind_next or "commands")
            self.value_kind = self._kind_next
        self._grammar.start_utt()
        self._phones.start_utt()
        self._utterance = []

    def feed(self, pcm: Pcm) -> None:
        data = pcm.tobytes()
        self._utterance.append(data)
        self._grammar.process_raw(data)
        self._phones.process_raw(data)

    def finish(self) -> Hypothesis:
        self._grammar.end_utt()
        self._phones.end_utt()
        hyp = self._grammar.hyp()
        said = hyp.hypstr.split() if hyp is not None else []
        text = " ".join(w for w in said if not w.startswith(_GARBAGE_PREFIX))
        self._heard = _Utterance(
            b"".join(self._utterance),
            [s for s in self._phones.seg() or () if s.word != "SIL"],
        )
        # Where the grammar search put the words: it stretches them over noise at
        # the edges (the alignment doesn't), so noise left outside isn't counted
        # as other speech.
        spoken = [s for s in self._grammar.seg() or () if not _is_filler(s.word)]
        return self._score(text, spoken)

    def rescorer(self) -> Rescore | None:
        return self.rescore

    def listen_for_values(self, kind: str | None) -> None:
        if kind is not None and not self._can_hear_values:
            raise CoachError("this listener was made without the logged values")
        self._kind_next = kind  # the search is chosen as an utterance starts

    def rescore(self, text: str) -> Hypothesis:
        """How sure the acoustic tests are that the last utterance was `text` (another
        phrase than the grammar search chose, e.g. the command verifier's)."""
        return self._score(text, [])

    def _score(self, text: str, spoken: list[Any]) -> Hypothesis:
        heard = self._heard
        words = self._align(text, heard.audio) if text else []
        if not words:
            return Hypothesis(text, 0.0)
        llr = self._llr(words, heard.phones)
        coverage = self._coverage(spoken or words, heard.phones, heard.levels)
        self.last_llr, self.last_coverage = llr, coverage
        _LOGGER.debug("heard %r llr=%.3f coverage=%.2f", text, llr, coverage)
        # Both tests must pass: sounds like the command, and nothing but the command.
        acoustic = sigmoid(self.llr_scale * (llr - self.llr_offset))
        explained = min(1.0, max(0.0, (coverage - 0.55) / 0.3))
        return Hypothesis(text, acoustic * explained)

    def _align(self, text: str, utterance: bytes) -> list[Any]:
        """The phrase's words force-aligned to the utterance, with absolute acoustic scores."""
        aligner = self._aligner
        aligner.set_align_text(text)
        aligner.start_utt()
        aligner.process_raw(utterance, full_utt=True)
        aligner.end_utt()
        aligned = aligner.hyp() is not None
        words = [s for s in aligner.seg() or () if not _is_filler(s.word)] if aligned else []
        return words

    @staticmethod
    def _coverage(words: list[Any], phones: list[Any], levels: np.ndarray) -> float:
        """How much of the speech the command explains: other talk leaves speech outside it.

        The phone loop labels steady noise as phones too, so a frame outside the
        command counts as speech only when it is nearly as loud as the command.
        """
        first = min(s.start_frame for s in words)
        last = max(s.end_frame for s in words)
        if levels.size == 0:
            return 1.0
        command_level = float(np.median(levels[first : last + 1])) if last >= first else 0.0
        loud = levels >= command_level - _OTHER_SPEECH_DB
        speech = outside = 0
        for s in phones:
            for frame in range(max(0, s.start_frame), min(levels.size, s.end_frame + 1)):
                if first <= frame <= last:
                    speech += 1
                elif loud[frame]:
                    speech += 1
                    outside += 1
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


@dataclass
class _Utterance:
    audio: bytes  # 16-bit mono PCM
    phones: list[Any]  # the phone loop's segments, silence left out

    @cached_property
    def levels(self) -> np.ndarray:  # once, though a rescore asks again
        return _frame_levels(self.audio)


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), for any x: an alignment's score can underflow to an LLR of
    thousands below zero, where math.exp(-x) overflows."""
    return 1 / (1 + math.exp(min(50.0, -x)))


def _is_filler(word: str) -> bool:
    fillers = ("<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "[SPEECH]")
    return word in fillers or word.startswith("+")


def _frame_levels(utterance: bytes) -> np.ndarray:
    """Level in dB of each 10 ms frame of the utterance (the decoders' frame rate)."""
    pcm = np.frombuffer(utterance, dtype=np.int16).astype(np.float32)
    frames = pcm[: pcm.size // 160 * 160].reshape(-1, 160)
    levels: np.ndarray = 10 * np.log10(np.mean(frames**2, axis=1) + 1.0)
    return levels
