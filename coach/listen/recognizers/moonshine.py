"""The moonshine backend: a neural English speech model asked about each command.

Moonshine base is a speech-to-text model trained on some 200,000 hours of real
speech (coach.models.moonshine_model). It is not asked to write what it heard:
the listener only needs to know how likely each command phrase is, so the model
scores every phrase followed by the end of the text (coach.listen.recognizers.moonshine_scorer):

    P("Next" + end | audio) = P(▁Next | audio) · P(end | ▁Next, audio)

Talk that is no command ("Next up: bench press") gets almost nothing, since the
model expects more words after "Next": that is the out-of-vocabulary rejection,
with no garbage model to tune.

Words a command word turns into ("paused", "resuming", "slow", "hold") are scored
too, as decoys, and a command is weighed against the likeliest of them:
"Paused. Say resume when you're ready." is one of the coach's own cues, and
"pause" was the most frequent false trigger on it.

An utterance the model is unsure of is heard again a little slower and a little
faster, and the phrases' chances averaged (SECOND_LOOK): a voice quicker, slower,
higher or lower than the model likes does not decide on its own.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.base.errors import CoachError
from coach.base.samples import Pcm, resample
from coach.listen.endpoint.vad import FRAME, EndpointSettings
from coach.listen.recognizers.moonshine_scorer import PhraseScorer
from coach.listen.recognizers.moonshine_text import (
    decoys,
    english_words,
    load_tokens,
    spellings,
    written,
)
from coach.listen.recognizers.recognizer import Hypothesis, Rescore
from coach.models import moonshine_model
from coach.words import log_values, spoken_numbers
from coach.words.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

END_MARKS = (".", "!", "?")
# An unsure utterance gets a second look. The model's score for a phrase is brittle to
# how fast and how high it was said: an utterance whose confidence lies in SECOND_LOOK
# is heard again played 8 % slower and 8 % faster (its pitch moving with it, as on
# tape), and each phrase's chances are averaged over the three hearings (chosen on the
# benchmark: bench/README.md). Sure utterances, most of them, cost nothing more; an
# unsure one, three times the work.
SECOND_LOOK = (0.35, 0.6)
SPEEDS = (0.92, 1.08)
# log P → confidence: 1 + log P / 20, so P = 1 → 1.0, e^-9 → 0.55 (the gate), e^-20 → 0.
LOG_SCALE = 20.0
# Listening for logged values too, the scorer extends the likeliest VALUE_BEAM prefixes
# a step (up to some 14,000 value phrases a kind; chosen on the benchmark: bench/README.md).
VALUE_BEAM = 32
_TENS_UNITS = re.compile(
    rf"\b({'|'.join(spoken_numbers.TENS)}) ({'|'.join(spoken_numbers.ONES[1:])})\b"
)


def value_writings(form: str) -> list[str]:
    """How the model writes a spoken value: 'sixty two kilos' → 'Sixty two kilos',
    'Sixty-two kilos'; 'r p e eight' → 'R. P. E. eight', 'RPE eight', 'R P E eight',
    'Rpe eight' (the letters' writings' chances add up: bench/README.md)."""
    forms = {form, _TENS_UNITS.sub(r"\1-\2", form)}
    if form.startswith("r p e "):
        letters = ("R. P. E. ", "RPE ", "R P E ", "Rpe ")
        forms = {w for f in forms for w in (head + f[6:] for head in letters)}
    return sorted(f[:1].upper() + f[1:] for f in forms)


@dataclass(frozen=True)
class _Spelling:
    phrase: str
    tokens: tuple[int, ...]
    decoy: bool = False


class MoonshineRecognizer:
    name = "moonshine"
    sample_rate = moonshine_model.RATE
    streaming = False  # the model hears the utterance whole
    wants_denoise = False
    wants_verifier = False
    # Chosen on the benchmark (bench/README.md): log P ≥ -9, a closing pause of 9 frames
    # (~290 ms; a shorter one lets noise split a command in two) that also counts a
    # 12 dB fall from the command's loudest frame (a crowd under it never pauses),
    # and half a second of quiet before a command (it turns talk down by itself).
    min_confidence = 0.55
    value_min_confidence = 0.6  # a wrong number costs more than asking again: chosen on dev
    endpoint = EndpointSettings(hangover_frames=9, peak_drop_db=12.0)
    isolation = 0.5

    def __init__(
        self,
        vocabulary: Vocabulary,
        note: Callable[[str], None] | None = None,
        values: bool = False,
    ) -> None:
        if vocabulary.language.split("-")[0] != "en":
            raise CoachError(
                f"the moonshine backend speaks English only, not {vocabulary.language!r}: "
                "use --backend vosk with a model for that language"
            )
        folder = moonshine_model.prepared(note)
        tokens = load_tokens(folder / moonshine_model.TOKENIZER)
        index = {t: i for i, t in enumerate(tokens)}
        phrases = {normalise(p) for ps in vocabulary.phrases.values() for p in ps}
        self._spellings: list[_Spelling] = []
        for phrase in sorted(phrases):
            found = spellings(written(phrase), index)
            if not found:
                _LOGGER.warning("moonshine can't spell %r: ignored", phrase)
            self._spellings += [_Spelling(phrase, tuple(s)) for s in found]
        if not self._spellings:
            raise CoachError("the moonshine model can spell none of the command phrases")
        for word in sorted(decoys(phrases, english_words)):
            self._spellings += [
                _Spelling(word, tuple(s), decoy=True) for s in spellings(written(word), index)
            ]
        self._decoys = {s.phrase for s in self._spellings if s.decoy}
        texts, marks = [s.tokens for s in self._spellings], [index[m] for m in END_MARKS]
        self._scorer = _loaded_scorer(folder, texts, marks, len(tokens), note)
        self._for_commands = (self._spellings, self._scorer)
        self._for_values: dict[str, tuple[list[_Spelling], PhraseScorer]] = {}
        if values:  # per kind asked: the commands, their decoys and its value phrases
            spelled_forms: dict[str, list[list[int]]] = {}  # a form heard in several kinds
            for kind in log_values.VALUE_KINDS:
                spelled = list(self._spellings)
                for form in sorted(set(log_values.spoken_forms(kind)) - phrases):
                    if form not in spelled_forms:
                        found = [s for w in value_writings(form) for s in spellings(w, index)]
                        spelled_forms[form] = found
                    # Named by the value it logs: the chances of its forms add up
                    # ("eight" and "r p e eight" while RPE is asked).
                    value = log_values.parse(form, kind)
                    assert value is not None
                    spelled += [_Spelling(value.spoken(), tuple(s)) for s in spelled_forms[form]]
                scorer = PhraseScorer(
                    folder, [s.tokens for s in spelled], marks, len(tokens), VALUE_BEAM,
                    self._scorer,
                )  # fmt: skip
                self._for_values[kind] = (spelled, scorer)
        self.value_kind: str | None = None
        self._kind_next: str | None = None
        self._audio: list[Pcm] = []

    def rescorer(self) -> Rescore | None:
        return None

    def listen_for_values(self, kind: str | None) -> None:
        if kind is not None and kind not in self._for_values:
            raise CoachError("this listener was made without the logged values")
        self._kind_next = kind  # the phrases are chosen as an utterance starts

    def start(self) -> None:
        kind = self.value_kind = self._kind_next
        chosen = self._for_commands if kind is None else self._for_values[kind]
        self._spellings, self._scorer = chosen
        self._audio = []

    def feed(self, pcm: Pcm) -> None:
        self._audio.append(pcm)

    def finish(self) -> Hypothesis:
        if not self._audio:
            return Hypothesis("", 0.0)
        audio = np.concatenate(self._audio).astype(np.float32) / 32768.0
        # Less the microphone's DC offset, if it has one: the model hears the waveform
        # itself. Over a whole utterance, speech averages out and the mean is the offset.
        audio = turned_up(audio - audio.mean())
        self._audio = []
        scores = self.phrase_log_probs(audio)
        hyp = self._judged(scores)
        if SECOND_LOOK[0] <= hyp.confidence < SECOND_LOOK[1]:
            hyp = self._judged(self._heard_at_speeds(audio, scores))
        return hyp

    def _heard_at_speeds(self, audio: np.ndarray, scores: dict[str, float]) -> dict[str, float]:
        """log of each phrase's probability averaged over `audio` as it is (`scores`)
        and played at each of SPEEDS."""
        looks = [scores]
        for speed in SPEEDS:
            played = resample(audio, self.sample_rate, round(self.sample_rate / speed))
            looks.append(self.phrase_log_probs(played))
        phrases = set().union(*looks)
        average = {}
        for phrase in phrases:
            log_ps = [look.get(phrase, -math.inf) for look in looks]
            average[phrase] = float(np.logaddexp.reduce(log_ps) - math.log(len(looks)))
        return average

    def _judged(self, scores: dict[str, float]) -> Hypothesis:
        """The likeliest command phrase, weighed against the likeliest decoy."""
        commands = {p: v for p, v in scores.items() if p not in self._decoys}
        if not commands:
            return Hypothesis("", 0.0)
        phrase, log_p = max(commands.items(), key=lambda item: item[1])
        decoy = max((v for p, v in scores.items() if p in self._decoys), default=-math.inf)
        # Weighed against the likeliest decoy: P(phrase) · P(phrase | phrase or decoy).
        # Even, it costs 0.7; two nats behind it, 2.1; "Resuming." for "resume", 9.
        log_p -= float(np.logaddexp(0.0, decoy - log_p))
        return Hypothesis(phrase, confidence_of(log_p))

    def phrase_log_probs(self, audio: np.ndarray) -> dict[str, float]:
        """log P(phrase + end | audio) for each phrase and decoy the model found likely
        enough to score (the others are left out)."""
        totals: dict[str, float] = {}
        for spelling, log_p in zip(self._spellings, self._scorer.log_probs(audio), strict=True):
            if math.isfinite(log_p):
                # Two spellings of one phrase are two ways of writing it: their chances add.
                before = totals.get(spelling.phrase, -math.inf)
                totals[spelling.phrase] = float(np.logaddexp(before, log_p))
        return totals


def _loaded_scorer(
    folder: Path,
    texts: list[tuple[int, ...]],
    marks: list[int],
    vocab_size: int,
    note: Callable[[str], None] | None,
) -> PhraseScorer:
    """The scorer on the prepared model in `folder`. A damaged file in the cache (a full
    disk, say) is prepared again once, then trusted."""
    for again in (False, True):
        if again:
            _LOGGER.warning("the prepared moonshine model would not load: preparing it again")
            folder = moonshine_model.prepared(note, again=True)
        try:
            return PhraseScorer(folder, texts, marks, vocab_size=vocab_size)
        except ImportError:  # never the cache's fault: a Ctrl-C in a native import ends as one
            raise
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime's load errors have no common type
            reason = str(exc).splitlines()[0][:200]
    raise CoachError(
        f"the moonshine model in {folder} would not load ({reason}); "
        "use --backend pocketsphinx, or reinstall moonshine-cpp and onnxruntime"
    )


# A quiet utterance is turned up till its loud frames (the 90th percentile of its
# 32 ms frames' RMS) reach -35 dBFS, by at most 30 dB; a louder one is left as it is. The
# model is not deaf to level (a far or low-gain microphone loses it commands), nor is it
# steady near its usual level, so only what is quiet is turned up (bench/README.md).
LOUD_DBFS = -35.0
MAX_GAIN_DB = 30.0


def turned_up(audio: np.ndarray) -> np.ndarray:
    """`audio` turned up to LOUD_DBFS if it is quieter (never down)."""
    frames = audio[: audio.size // FRAME * FRAME].reshape(-1, FRAME)
    if not frames.size:
        return audio
    rms_db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    gain_db = min(max(LOUD_DBFS - float(np.percentile(rms_db, 90)), 0.0), MAX_GAIN_DB)
    return audio if gain_db == 0.0 else (audio * 10 ** (gain_db / 20)).astype(np.float32)


def confidence_of(log_p: float) -> float:
    """The 0..1 confidence for log P(phrase + end | audio)."""
    return max(0.0, 1.0 + log_p / LOG_SCALE) if math.isfinite(log_p) else 0.0
