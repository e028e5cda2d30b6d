"""The command verifier on real synthesized speech (hibari's neural voice, which it was
never trained on), in real noise."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import RATE, have_espeak, hibari, scene

from coach.listen.pipeline.listener import Listener, PipelineSettings
from coach.listen.pipeline.verifier import CommandVerifier, verifier_for
from coach.listen.recognizers import make_recognizer
from coach.listen.recognizers.recognizer import Hypothesis
from coach.words.vocabulary import Vocabulary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
]

VOCAB = Vocabulary()


@pytest.fixture(scope="module")
def verifier() -> CommandVerifier:
    found = verifier_for(VOCAB)
    assert found is not None, "the bundled verifier covers the default vocabulary"
    return found


def window_ending_with(text: str, seed: int = 0) -> np.ndarray:
    """Speech in a quiet room, the window ending 0.2 s after it, as the listener cuts it."""
    audio, truth = scene([(text, None, hibari(text))], noise="pink", snr_db=25, seed=seed)
    return audio[: int((truth[0].end + 0.2) * RATE)]


@pytest.mark.parametrize(("said", "phrase"), [("Next.", "next"), ("Pause.", "pause")])
def test_it_names_the_command_phrase_a_window_ends_with(verifier, said, phrase) -> None:  # type: ignore[no-untyped-def]
    p = verifier.probabilities(window_ending_with(said))
    assert p.shape == (len(verifier.phrases) + 1,)
    assert np.isclose(p.sum(), 1.0, atol=1e-4)
    assert verifier.phrases[int(np.argmax(p))] == phrase


def test_it_confirms_a_command_and_lowers_talk_below_the_gate(verifier) -> None:  # type: ignore[no-untyped-def]
    gate = PipelineSettings().verified_min_confidence
    command = verifier.judge(Hypothesis("next", 0.6), window_ending_with("Next."))
    assert command.text == "next" and command.confidence >= gate
    talk = window_ending_with("I left my water bottle on the train.", seed=1)
    # What pocketsphinx does with talk: forces it onto a command, fairly sure.
    assert verifier.judge(Hypothesis("stop", 0.6), talk).confidence < gate


def test_it_stands_aside_for_other_vocabularies() -> None:
    assert verifier_for(Vocabulary.for_language("ko")) is None
    custom = Vocabulary(phrases={**VOCAB.phrases, "next": ("onwards",)})
    assert verifier_for(custom) is None


def test_the_listener_uses_it_behind_pocketsphinx_only_when_asked() -> None:
    recognizer = make_recognizer("pocketsphinx", VOCAB)
    assert Listener(recognizer, VOCAB, RATE).verifier is not None
    assert Listener(recognizer, VOCAB, RATE, PipelineSettings(verify=False)).verifier is None
    # The verifier hears 16 kHz; pocketsphinx is always fed that, whatever the mic's rate.
    assert Listener(recognizer, VOCAB, 44100).verifier is not None


def test_a_command_the_network_prefers_needs_the_acoustics_too(verifier) -> None:  # type: ignore[no-untyped-def]
    gate = PipelineSettings().verified_min_confidence
    window = window_ending_with("Pause.")
    misheard = Hypothesis("stop", 0.3)  # pocketsphinx took "pause" for "stop", unsure
    asked: list[str] = []

    def acoustics_agree(text: str) -> Hypothesis:  # the recognizer's neighbour role
        asked.append(text)
        return Hypothesis(text, 0.9)

    judged = verifier.judge(misheard, window, acoustics_agree)
    assert asked == ["pause"]
    assert judged.text == "pause" and judged.confidence >= gate
    doubted = verifier.judge(misheard, window, lambda text: Hypothesis(text, 0.0))
    assert doubted.confidence < gate  # the network alone can't accept a command
    # Where the network agrees with the recognizer, or is sure of nothing (talk),
    # nothing else is asked.
    verifier.judge(Hypothesis("pause", 0.6), window, acoustics_agree)
    talk = window_ending_with("I left my water bottle on the train.", seed=1)
    assert verifier.judge(misheard, talk, acoustics_agree).confidence < gate
    assert asked == ["pause"]


def test_the_network_cannot_lift_what_the_acoustics_rule_out(verifier) -> None:  # type: ignore[no-untyped-def]
    window = window_ending_with("Pause.")
    assert verifier.probabilities(window)[verifier.phrases.index("pause")] > 0.9
    ruled_out = verifier.judge(Hypothesis("pause", 0.05), window)
    assert ruled_out.confidence == 0.05
    lifted = verifier.judge(Hypothesis("pause", 0.2), window)
    assert lifted.confidence >= PipelineSettings().verified_min_confidence
