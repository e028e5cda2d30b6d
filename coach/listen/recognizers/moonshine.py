"""The moonshine backend: a neural English speech model asked about each command.

Moonshine is a speech-to-text model (an encoder over the audio, a decoder that
writes text token by token). It is not asked to write what it heard: the
listener only needs to know how likely each command phrase is. So the decoder
is shown every phrase at once (teacher forcing) and the probability the model
gives the phrase, followed by the end of the text, is read off:

    P("Next" + end | audio) = P(▁Next | audio) · P(end | ▁Next, audio)

where "end" is the end-of-text token, or a full stop, "!" or "?" and then the
end. Talk that is no command ("Next up: bench press") gets almost nothing: the
model expects more words after "Next". That is the out-of-vocabulary rejection,
with no garbage model to tune.

A phrase is shown as the model writes it: capitalised, "i" as "I". Its tokens
are the fewest that spell it, every such spelling counted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from coach.errors import CoachError
from coach.listen import moonshine_model
from coach.listen.onnx import session
from coach.listen.recognizer import Hypothesis, Pcm
from coach.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

START, END = 1, 2  # the decoder's start and end-of-text tokens
WORD = "\u2581"  # SentencePiece's mark of a word's start
END_MARKS = (".", "!", "?")
# A phrase whose first token the model gives less than this log-probability is not
# scored further: most talk is rejected by one cheap decoder run.
FIRST_TOKEN_FLOOR = -12.0
# log P → confidence: 1 + log P / 20, so P = 1 → 1.0 and P = e^-10 → 0.5, the gate.
LOG_SCALE = 20.0


def load_tokens(path: Path) -> list[str]:
    """Moonshine's tokenizer.bin: each token's UTF-8 bytes after their length (one
    byte, or two when the first has its high bit set)."""
    data = path.read_bytes()
    tokens: list[str] = []
    at = 0
    while at < len(data):
        size = data[at]
        at += 1
        if size >= 0x80:
            size = (size & 0x7F) | (data[at] << 7)
            at += 1
        tokens.append(data[at : at + size].decode("utf-8", errors="replace"))
        at += size
    return tokens


def spellings(text: str, vocabulary: dict[str, int]) -> list[list[int]]:
    """Every way to spell `text` in the fewest tokens (a word starts with WORD)."""
    text = WORD + text.replace(" ", WORD)
    # best[i]: the shortest spellings of text[:i]
    best: list[list[list[int]] | None] = [None] * (len(text) + 1)
    best[0] = [[]]
    for i in range(len(text)):
        if not best[i]:
            continue
        for j in range(i + 1, len(text) + 1):
            token = vocabulary.get(text[i:j])
            if token is None:
                continue
            candidates = [s + [token] for s in best[i] or []]
            current = best[j]
            if current is None or len(candidates[0]) < len(current[0]):
                best[j] = candidates
            elif len(candidates[0]) == len(current[0]):
                current.extend(candidates)
    return best[-1] or []


def written(phrase: str) -> str:
    """A phrase as the model writes English: 'what can i say' → 'What can I say'."""
    words = ["I" if w == "i" else w for w in phrase.split()]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


@dataclass(frozen=True)
class _Spelling:
    phrase: str
    tokens: tuple[int, ...]


class MoonshineRecognizer:
    name = "moonshine"
    sample_rate = moonshine_model.RATE
    min_confidence = 0.5

    def __init__(self, vocabulary: Vocabulary, note: Callable[[str], None] | None = None) -> None:
        if vocabulary.language.split("-")[0] != "en":
            raise CoachError(
                f"the moonshine backend speaks English only, not {vocabulary.language!r}: "
                "use --backend vosk with a model for that language"
            )
        folder = moonshine_model.prepared(note)
        self._encoder = session(folder / moonshine_model.ENCODER)
        # No memory arena for the decoder: its batch changes with every utterance, and an
        # arena would keep the largest one's memory for good.
        self._decoder = session(folder / moonshine_model.DECODER, arena=False)
        tokens = load_tokens(folder / moonshine_model.TOKENIZER)
        index = {t: i for i, t in enumerate(tokens)}
        self._vocab_size = len(tokens)
        self._marks = [index[m] for m in END_MARKS]
        self._spellings: list[_Spelling] = []
        for phrase in sorted({normalise(p) for ps in vocabulary.phrases.values() for p in ps}):
            found = spellings(written(phrase), index)
            if not found:
                _LOGGER.warning("moonshine can't spell %r: ignored", phrase)
            self._spellings += [_Spelling(phrase, tuple(s)) for s in found]
        if not self._spellings:
            raise CoachError("the moonshine model can spell none of the command phrases")
        self._audio: list[Pcm] = []

    def start(self) -> None:
        self._audio = []

    def feed(self, pcm: Pcm) -> None:
        self._audio.append(pcm)

    def finish(self) -> Hypothesis:
        if not self._audio:
            return Hypothesis("", 0.0)
        audio = np.concatenate(self._audio).astype(np.float32) / 32768.0
        self._audio = []
        scores = self.phrase_log_probs(audio)
        if not scores:
            return Hypothesis("", 0.0)
        phrase, log_p = max(scores.items(), key=lambda item: item[1])
        return Hypothesis(phrase, confidence_of(log_p))

    # -- scoring ------------------------------------------------------------------

    def phrase_log_probs(self, audio: npt.NDArray[np.float32]) -> dict[str, float]:
        """log P(phrase + end | audio) for each phrase the first token doesn't rule out."""
        states = self._encoder.run(None, {"input_values": audio[None, :]})[0]
        first = self._log_probs(np.array([[START]], dtype=np.int64), states)[0, 0]
        alive = [s for s in self._spellings if first[s.tokens[0]] > FIRST_TOKEN_FLOOR]
        if not alive:
            return {}
        # Each row: start, the phrase, a full stop, padding. The logits after the phrase
        # give P(end) and P(mark); the ones after the full stop, P(end | mark).
        width = max(len(s.tokens) for s in alive) + 2
        ids = np.full((len(alive), width), END, dtype=np.int64)
        ids[:, 0] = START
        for row, s in enumerate(alive):
            ids[row, 1 : 1 + len(s.tokens)] = s.tokens
            ids[row, 1 + len(s.tokens)] = self._marks[0]
        log_p = self._log_probs(ids, np.repeat(states, len(alive), axis=0))
        totals: dict[str, float] = {}
        for row, s in enumerate(alive):
            n = len(s.tokens)
            said = float(sum(log_p[row, k, t] for k, t in enumerate(s.tokens)))
            marked = float(np.logaddexp.reduce(log_p[row, n, self._marks])) + log_p[row, n + 1, END]
            total = said + float(np.logaddexp(log_p[row, n, END], marked))
            # Two spellings of one phrase are two ways of writing it: their chances add.
            before = totals.get(s.phrase)
            totals[s.phrase] = total if before is None else float(np.logaddexp(before, total))
        return totals

    def _log_probs(
        self, ids: npt.NDArray[np.int64], states: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        feed = {"input_ids": ids, "encoder_hidden_states": states}
        # The output layer is padded past the last token.
        logits: npt.NDArray[np.float32] = self._decoder.run(["logits"], feed)[0]
        logits = logits[..., : self._vocab_size]
        # Row by row: a whole batch of softmaxes over 32,000 tokens is tens of megabytes.
        for row in logits:
            row -= row.max(axis=-1, keepdims=True)
            row -= np.log(np.exp(row).sum(axis=-1, keepdims=True))
        return logits


def confidence_of(log_p: float) -> float:
    """The 0..1 confidence for log P(phrase + end | audio)."""
    return max(0.0, 1.0 + log_p / LOG_SCALE) if math.isfinite(log_p) else 0.0
