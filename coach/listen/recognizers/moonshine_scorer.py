"""How likely Moonshine finds each of a fixed set of texts, given an utterance.

For a text of tokens t1…tn the model's probability of writing exactly it is

    P(t1 | audio) · P(t2 | t1, audio) · … · P(end | t1…tn, audio)

where "end" is the end-of-text token, or a mark (. ! ?) followed by it. The texts
form a tree of shared beginnings ("Skip", "Skip exercise", "Skipping"), walked
one token deeper at a time: every prefix still likely enough (FLOOR) is extended
by one decoder step, all prefixes of a depth in one batch, each step reusing its
parent's key/value cache. A prefix is thus computed once, however many texts
share it, and talk that matches no text is dropped after a step or two. With many
texts (every value an athlete may log) a beam keeps only the likeliest prefixes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.base.samples import Samples
from coach.models import moonshine_model
from coach.models.onnx import session

START, END = 1, 2  # the decoder's start and end-of-text tokens
# A prefix the model gives less than this log-probability is not extended: no text
# below it could pass the listener's gate (log P ≥ -9) nor matter as a decoy.
FLOOR = -12.0

Text = tuple[int, ...]


@dataclass(frozen=True)
class _Prefix:
    tokens: Text
    log_p: float
    parent: int  # its parent's row in the previous step's batch
    marked: bool = False  # ends with a mark standing for any of the marks


class PhraseScorer:
    def __init__(
        self,
        folder: Path,
        texts: Sequence[Text],
        marks: Sequence[int],
        vocab_size: int,
        beam: int | None = None,
        like: PhraseScorer | None = None,
    ) -> None:
        if like is not None:  # another set of texts on the same model: its sessions shared
            self._encoder: Any = like._encoder
            self._decoder: Any = like._decoder
        else:
            self._encoder = session(folder / moonshine_model.ENCODER)
            # No memory arena for the steps: their batch changes with every utterance,
            # and an arena would keep the largest one's memory for good.
            self._decoder = session(folder / moonshine_model.DECODER, arena=False)
        self._outputs = [o.name for o in self._decoder.get_outputs()]
        # The first step's (empty) cache: no token yet, and the audio's still to compute.
        self._no_cache = {
            i.name: np.zeros((1, i.shape[1], 0, i.shape[3]), dtype=np.float32)
            for i in self._decoder.get_inputs()
            if i.name.startswith("past_key_values.")
        }
        self._marks = list(marks)
        # At most this many prefixes extended per step (None: every one above FLOOR): with
        # thousands of texts (the logged values) the likeliest few bound the work.
        self._beam = beam
        self._vocab_size = vocab_size
        self.texts = [tuple(t) for t in texts]
        # The tree: each prefix's next tokens, and the texts that end with it.
        self._continuations: dict[Text, set[int]] = defaultdict(set)
        self._ending: dict[Text, list[int]] = defaultdict(list)
        for i, text in enumerate(self.texts):
            self._ending[text].append(i)
            for k in range(len(text)):
                self._continuations[text[:k]].add(text[k])
        self._continuations, self._ending = dict(self._continuations), dict(self._ending)

    def log_probs(self, audio: Samples) -> list[float]:
        """log P(text + end | audio) for each text; -inf where a prefix fell below FLOOR."""
        found = [-np.inf] * len(self.texts)
        states = self._encoder.run(None, {"input_values": audio[None, :]})[0]
        first = {
            "input_ids": np.array([[START]], dtype=np.int64),
            "encoder_hidden_states": states,
            "use_cache_branch": np.array([False]),
            **self._no_cache,
        }
        outputs = dict(zip(self._outputs, self._decoder.run(None, first), strict=True))
        audio_cache = {k: v for k, v in outputs.items() if ".encoder." in k}
        cache = {k: v for k, v in outputs.items() if ".decoder." in k}
        dists = self._normalised(outputs["logits"])
        frontier = [_Prefix((), 0.0, 0)]
        while frontier:
            children: list[_Prefix] = []
            for row, prefix in enumerate(frontier):
                children += self._extended(prefix, row, dists[row], found)
            if not children:
                break
            if self._beam is not None and len(children) > self._beam:
                children = sorted(children, key=lambda c: -c.log_p)[: self._beam]
            dists, cache = self._step(children, cache, audio_cache, states)
            frontier = children
        return found

    def _extended(
        self, prefix: _Prefix, row: int, dist: npt.NDArray[np.float32], found: list[float]
    ) -> list[_Prefix]:
        """What `prefix` leads to, given the model's next-token log-probabilities `dist`:
        the texts it ends (added to `found`), and the prefixes one token longer that are
        worth a step (a mark after a whole text; the texts' next tokens)."""
        if prefix.marked:  # a whole text and a mark: only the end can follow
            for i in self._ending[prefix.tokens[:-1]]:
                found[i] = float(np.logaddexp(found[i], prefix.log_p + dist[END]))
            return []
        longer = []
        if prefix.tokens in self._ending:
            for i in self._ending[prefix.tokens]:
                found[i] = float(np.logaddexp(found[i], prefix.log_p + dist[END]))
            marked = prefix.log_p + float(np.logaddexp.reduce(dist[self._marks]))
            if marked > FLOOR:  # the first mark stands for all of them
                tokens = (*prefix.tokens, self._marks[0])
                longer.append(_Prefix(tokens, marked, row, marked=True))
        for token in sorted(self._continuations.get(prefix.tokens, ())):
            log_p = prefix.log_p + float(dist[token])
            if log_p > FLOOR:
                longer.append(_Prefix((*prefix.tokens, token), log_p, row))
        return longer

    def _step(
        self,
        prefixes: list[_Prefix],
        cache: dict[str, npt.NDArray[np.float32]],
        audio_cache: dict[str, npt.NDArray[np.float32]],
        states: npt.NDArray[np.float32],
    ) -> tuple[npt.NDArray[np.float32], dict[str, npt.NDArray[np.float32]]]:
        """One decoder step for every prefix: its last token, from its parent's cache."""
        parents = np.array([p.parent for p in prefixes])
        feed: dict[str, npt.NDArray[np.generic]] = {
            "input_ids": np.array([[p.tokens[-1]] for p in prefixes], dtype=np.int64),
            "encoder_hidden_states": states,  # read by the first step only
            "use_cache_branch": np.array([True]),
        }
        for name, value in cache.items():
            feed[name.replace("present.", "past_key_values.")] = value[parents]
        for name, value in audio_cache.items():
            # One copy for the whole batch: attention broadcasts it over the prefixes.
            feed[name.replace("present.", "past_key_values.")] = value
        outputs = dict(zip(self._outputs, self._decoder.run(None, feed), strict=True))
        logits = outputs.pop("logits")
        return self._normalised(logits), {k: v for k, v in outputs.items() if ".decoder." in k}

    def _normalised(self, logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """log-softmax of each row's last position, over the real tokens (the output
        layer is padded past them)."""
        last: npt.NDArray[np.float32] = logits[:, -1, : self._vocab_size]
        last = last - last.max(axis=-1, keepdims=True)
        return np.asarray(last - np.log(np.exp(last).sum(axis=-1, keepdims=True)), np.float32)
