"""The command verifier: a second opinion on every utterance, from a different kind of
model than the recognizer's.

The recognizer (pocketsphinx) hears phones and forces them onto the nearest command.
The verifier looks at the last WINDOW of audio as speech embeddings (see
coach.listen.pipeline.embedding) and a small trained network says which command phrase, if any,
it ends with. The two make different mistakes: pocketsphinx takes music and chatter for
commands far more often than the network; the network, which heard only synthetic
voices in training, turns down some commands in voices unlike those. So the listener
weighs both: the recognizer's command, its confidence blended with the network's
probability of that command (WEIGHT), against a gate of its own. The network never
adds a command on its own word: when it alone was sure, it was too often sure of talk
("Keep the bench still" as "skip exercise"). When it is sure of another command than
the recognizer's, the recognizer's acoustic tests are asked about that one too, and
the better blend wins.

The network is trained for one vocabulary (tools/verifier/train.py writes its phrase
list into the model), so it is used only when the listener's vocabulary is that one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from coach.listen.pipeline import embedding
from coach.listen.recognizers.recognizer import Hypothesis, Rescore
from coach.words.vocabulary import Vocabulary, normalise

_LOGGER = logging.getLogger(__name__)

Array = npt.NDArray[np.float32]

# The network's share of the blended confidence, chosen voice by voice together with
# the gate (pipeline.PipelineSettings.verified_min_confidence) and the floor below, so
# that voices unlike the training voices lose little (bench/README.md).
WEIGHT = 0.5
# Below this acoustic confidence the network can't lift a hypothesis at all: half the
# blend is the network's, and alone it must never reach the gate: deciding alone, it
# is wrong on talk it has never heard (bench/README.md).
ACOUSTIC_FLOOR = 0.1
# How sure the network must be of another command before the recognizer's acoustic
# tests are asked about that one. Merely preferring it is not enough: on talk the
# network is sure of nothing, and a short word ("stop") aligned to a piece of a
# sentence ("Next up: …") can pass the acoustic tests on its own.
RIVAL = 0.5


def save_model(
    path: Path, phrases: Sequence[str], weights: Sequence[Array], biases: Sequence[Array]
) -> None:
    """A ReLU network with a softmax over the phrases and "none" (the last class)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    layers: dict[str, np.ndarray] = {"phrases": np.array(list(phrases))}
    layers |= {f"w{i}": np.asarray(w, np.float16) for i, w in enumerate(weights)}
    layers |= {f"b{i}": np.asarray(b, np.float32) for i, b in enumerate(biases)}
    np.savez_compressed(path, **layers)  # type: ignore[arg-type]


class CommandVerifier:
    def __init__(self, path: Path | str, vocabulary: Vocabulary) -> None:
        with np.load(path) as model:
            self.phrases = [str(p) for p in model["phrases"]]
            count = sum(1 for k in model.files if k.startswith("w"))
            self._weights = [model[f"w{i}"].astype(np.float32) for i in range(count)]
            self._biases = [model[f"b{i}"] for i in range(count)]
        self.vocabulary = vocabulary
        self._command_of = [vocabulary.command_for(p) for p in self.phrases]

    def covers(self, vocabulary: Vocabulary) -> bool:
        """Whether the network was trained on exactly this vocabulary's phrases."""
        said = {normalise(p) for phrases in vocabulary.phrases.values() for p in phrases}
        return said == set(self.phrases) and None not in self._command_of

    def probabilities(self, window: Array) -> Array:
        """P(phrase) for each of `phrases`, then P(none): the window's last words."""
        x = embedding.embed(embedding.last_window(window)).reshape(-1)
        for w, b in zip(self._weights[:-1], self._biases[:-1], strict=True):
            x = np.maximum(x @ w + b, 0.0)
        logits = x @ self._weights[-1] + self._biases[-1]
        odds = np.exp(logits - logits.max())
        return np.asarray(odds / odds.sum(), dtype=np.float32)

    def judge(
        self, heard: Hypothesis, window: Array, rescore: Rescore | None = None
    ) -> Hypothesis:
        """The recognizer's hypothesis, its confidence blended with the network's
        probability of the same command (summed over that command's phrases).

        When the network is sure of another command (RIVAL) and `rescore` can ask the
        recognizer's acoustic tests about that one, the better blend of the two wins:
        the network proposes, but only the acoustics together with it can accept."""
        command = self.vocabulary.command_for(heard.text) if heard.text else None
        if command is None:
            return heard
        p = self.probabilities(window)
        by_command: dict[str, float] = {}
        for q, c in zip(p[:-1], self._command_of, strict=True):
            assert c is not None  # covers() checked every phrase has a command
            by_command[c] = by_command.get(c, 0.0) + float(q)
        agrees = by_command[command]
        best = _blend(heard, agrees)
        rival = max(by_command, key=lambda c: by_command[c])
        _LOGGER.debug("verifier: %r %.2f, network %.2f", heard.text, heard.confidence, agrees)
        if rescore is not None and rival != command and by_command[rival] >= RIVAL:
            phrases = [i for i, c in enumerate(self._command_of) if c == rival]
            phrase = self.phrases[max(phrases, key=lambda i: float(p[i]))]
            second = _blend(rescore(phrase), by_command[rival])
            _LOGGER.debug("verifier prefers %r: %.2f", phrase, second.confidence)
            if second.confidence > best.confidence:
                best = second
        return best


def _blend(heard: Hypothesis, network: float) -> Hypothesis:
    if heard.confidence < ACOUSTIC_FLOOR:  # the acoustics all but rule it out
        return heard
    return Hypothesis(heard.text, (1 - WEIGHT) * heard.confidence + WEIGHT * network)


@cache
def _bundled() -> Path | None:
    path = Path(str(resources.files("coach.models").joinpath("data", "verifier-en.npz")))
    return path if path.is_file() else None


def verifier_for(vocabulary: Vocabulary) -> CommandVerifier | None:
    """The bundled verifier when it was trained on `vocabulary`, else None."""
    path = _bundled()
    if path is None:
        return None
    verifier = CommandVerifier(path, vocabulary)
    if not verifier.covers(vocabulary):
        _LOGGER.info("vocabulary differs from the verifier's: recognizer alone")
        return None
    return verifier
