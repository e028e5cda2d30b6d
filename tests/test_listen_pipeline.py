"""The listening pipeline on synthesized speech in synthesized noise (no mocks)."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import CUE_SENTENCES, RATE, have_espeak, hibari, scene

from coach.listen.pipeline.listener import (
    Listener,
    PipelineSettings,
    Recognition,
    recognize_audio,
    recognize_blocks,
)
from coach.listen.recognizers import make_recognizer
from coach.words.vocabulary import Vocabulary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng"),
]

VOCAB = Vocabulary()


@pytest.fixture(scope="module")
def recognizer():  # type: ignore[no-untyped-def]
    return make_recognizer("pocketsphinx", VOCAB)


def run(recognizer, audio: np.ndarray, **kw) -> list[Recognition]:  # type: ignore[no-untyped-def]
    return list(recognize_audio(Listener(recognizer, VOCAB, RATE, **kw), audio, RATE))


# Pipeline behaviour (times, one result per command), not accuracy: bench/ measures that.
COMMANDS = [("Next.", "next"), ("What can I say?", "help")]


def test_commands_in_noise_are_heard_at_the_right_times(recognizer) -> None:  # type: ignore[no-untyped-def]
    parts = [(text, cmd, hibari(text)) for text, cmd in COMMANDS]
    audio, truth = scene(parts, noise="pink", snr_db=15, seed=4)
    heard = run(recognizer, audio)
    assert [r.command for r in heard] == [cmd for _, cmd in COMMANDS]
    for r, said in zip(heard, truth, strict=True):
        assert abs(r.start - said.start) < 0.3
        assert abs(r.end - said.end) < 0.3
        assert 0 < r.emitted_at - said.end < 0.5  # decided soon after the speech ended
        assert 0.0 <= r.confidence <= 1.0


def test_cue_sentences_and_chatter_trigger_nothing(recognizer) -> None:  # type: ignore[no-untyped-def]
    sentences = [
        *(c for c in CUE_SENTENCES[:7] if c != _NEXT_UP),
        "I think we should grab lunch after this.",
    ]
    parts = [(text, None, hibari(text)) for text in sentences]
    audio, _ = scene(parts, noise="pink", snr_db=20, seed=5)
    assert run(recognizer, audio) == []


_NEXT_UP = "Rest sixty seconds. Next up: set two of three, left side."


# The isolation rule lets "Next up" through (a pause of 0.8 s or more comes before
# it), and the grammar forces it onto "next"; the acoustic test doubts it, and the
# command verifier, which hears that "next" is followed by more words, doubts it more.
def test_a_command_word_opening_a_later_sentence_triggers_nothing(recognizer) -> None:  # type: ignore[no-untyped-def]
    audio, _ = scene([(_NEXT_UP, None, hibari(_NEXT_UP))], noise="pink", snr_db=20, seed=5)
    confidence = {}
    for verify in (True, False):
        listener = Listener(recognizer, VOCAB, RATE, PipelineSettings(verify=verify))
        decided = []
        listener._decide = _spy(listener._decide, decided)  # type: ignore[method-assign]
        assert list(recognize_audio(listener, audio, RATE)) == []
        confidence[verify] = max(h.confidence for h in decided if h.text == "next")
    assert confidence[True] < PipelineSettings().verified_min_confidence
    assert confidence[False] < recognizer.min_confidence


def _spy(decide, hypotheses: list):  # type: ignore[no-untyped-def]
    def spied(hyp, *args, **kw):  # type: ignore[no-untyped-def]
        hypotheses.append(hyp)
        return decide(hyp, *args, **kw)

    return spied


def test_digital_silence_is_harmless(recognizer) -> None:  # type: ignore[no-untyped-def]
    assert run(recognizer, np.zeros(3 * RATE, dtype=np.float32)) == []
    command = hibari("Next.")
    audio = np.concatenate([np.zeros(2 * RATE, np.float32), command, np.zeros(RATE, np.float32)])
    assert [r.command for r in run(recognizer, audio)] == ["next"]


def test_nothing_is_heard_while_the_coach_talks(recognizer) -> None:  # type: ignore[no-untyped-def]
    audio, truth = scene([("Next.", "next", hibari("Next."))], seed=6)
    said = truth[0]

    def playing(t: float) -> bool:  # the coach spoke until just before "next" ended
        return said.start - 1.0 <= t <= said.end - 0.2

    assert run(recognizer, audio, playing_at=playing) == []
    assert [r.command for r in run(recognizer, audio, playing_at=lambda t: False)] == ["next"]


def test_one_spoken_command_yields_one_command(recognizer) -> None:  # type: ignore[no-untyped-def]
    next_ = hibari("Next.")
    gap = np.zeros(int(0.35 * RATE), np.float32)
    audio = np.concatenate(
        [np.zeros(RATE, np.float32), next_, gap, next_, np.zeros(RATE, np.float32)]
    )
    assert [r.command for r in run(recognizer, audio)] == ["next"]


def test_any_input_rate_gives_the_same_times(recognizer) -> None:  # type: ignore[no-untyped-def]
    from coach.base.samples import resample

    audio, truth = scene([("Next.", "next", hibari("Next."))], noise="pink", snr_db=20, seed=7)
    at_44k = resample(audio, RATE, 44100)
    heard = list(recognize_audio(Listener(recognizer, VOCAB, 44100), at_44k, 44100))
    assert [r.command for r in heard] == ["next"]
    assert abs(heard[0].start - truth[0].start) < 0.3


def test_a_recording_read_in_blocks_is_heard_as_a_whole() -> None:
    parts = [(text, cmd, hibari(text)) for text, cmd in COMMANDS]
    audio, _ = scene(parts, noise="pink", snr_db=15, seed=4)
    # Fresh recognizers: pocketsphinx's cepstral mean carries over from one run to the next.
    whole = run(make_recognizer("pocketsphinx", VOCAB), audio)
    # Blocks that are no multiple of the 30 ms chunk, as soundfile hands them out.
    blocks = [audio[at : at + 7919] for at in range(0, audio.size, 7919)]
    listener = Listener(make_recognizer("pocketsphinx", VOCAB), VOCAB, RATE)
    in_blocks = list(recognize_blocks(listener, blocks, RATE))
    assert [r.command for r in whole] == ["next", "help"]
    assert in_blocks == whole


class _CountingRecognizer:
    """The real recognizer, counting the utterances it was asked to decode."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.sample_rate = inner, inner.name, inner.sample_rate
        self.min_confidence = inner.min_confidence
        self.value_min_confidence = inner.value_min_confidence
        self.endpoint, self.isolation = inner.endpoint, inner.isolation
        self.streaming = inner.streaming
        self.wants_denoise, self.wants_verifier = inner.wants_denoise, inner.wants_verifier
        self.rescorer = inner.rescorer
        self.value_kind = inner.value_kind
        self.listen_for_values = inner.listen_for_values
        self.started = 0

    def start(self) -> None:
        self.started += 1
        self.inner.start()

    def feed(self, pcm) -> None:  # type: ignore[no-untyped-def]
        self.inner.feed(pcm)

    def finish(self):  # type: ignore[no-untyped-def]
        return self.inner.finish()


def test_speech_right_after_other_talk_is_not_decoded(recognizer) -> None:  # type: ignore[no-untyped-def]
    from coach.app.listen_cli import _ignored

    talk = "Keep your ribs down and breathe out."
    # "Next." 0.3 s after the talk: its next phrase, not a command
    parts = [(talk, None, hibari(talk)), ("Next.", None, hibari("Next."))]
    audio, _ = scene(parts, noise="pink", snr_db=20, seed=6, gap=(0.3, 0.3))
    counting = _CountingRecognizer(recognizer)
    listener = Listener(counting, VOCAB, RATE)
    assert list(recognize_audio(listener, audio, RATE)) == []
    assert counting.started == 1  # the talk was decoded (it could have been a command)
    assert listener.last_heard is not None
    assert listener.last_heard.why == "talk right after other speech"
    assert _ignored(listener.last_heard) == "heard talk right after other speech: ignored"


def test_a_command_may_follow_a_command_closely(recognizer) -> None:  # type: ignore[no-untyped-def]
    # Talk 0.5 s before a command hides it (the isolation rule); a command doesn't.
    parts = [("Pause.", "pause", hibari("Pause.")), ("Resume.", "resume", hibari("Resume."))]
    audio, _ = scene(parts, noise="pink", snr_db=20, seed=7, gap=(0.5, 0.5))
    assert [r.command for r in run(recognizer, audio)] == ["pause", "resume"]
