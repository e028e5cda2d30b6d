"""The recognizer interface: what every backend offers the listener.

A recognizer decodes one utterance at a time (the endpointer decides where
utterances are), constrained to the command vocabulary, and says what it heard
with a confidence; out-of-vocabulary speech comes back as an empty text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from coach.base.samples import Pcm
from coach.listen.endpoint.vad import EndpointSettings


@dataclass(frozen=True)
class Hypothesis:
    text: str  # a phrase of the vocabulary, or "" when the speech was not a command
    confidence: float  # 0..1: how sure the recognizer is that `text` was said


class Recognizer(Protocol):
    name: str
    sample_rate: int
    # The confidence it must give a command to be acted on, when nothing else is asked
    # (each backend's confidence has a scale of its own).
    min_confidence: float
    # The confidence a logged value must get (a wrong number in the history costs more
    # than a value asked for again).
    value_min_confidence: float
    # How the listener cuts utterances for it, and the quiet a command must follow
    # (seconds; see pipeline.PipelineSettings.isolation), each chosen for the backend.
    endpoint: EndpointSettings
    isolation: float
    # Whether it decodes as the audio comes (pocketsphinx, vosk), or only once the
    # utterance is over (moonshine): then the listener hands it the utterance whole,
    # without what was someone else's before it (EndpointSettings.peak_drop_db).
    streaming: bool
    # Whether the listener's denoiser and command verifier serve it: each was tuned on
    # one backend's input and scores, and would only blur another's.
    wants_denoise: bool
    wants_verifier: bool
    # The kind of value an athlete logs (coach.words.log_values) it hears now besides the
    # commands, None for none (listen_for_values switches, when made able to: values=True).
    value_kind: str | None

    def start(self) -> None:
        """Begin an utterance."""

    def feed(self, pcm: Pcm) -> None:
        """More 16-bit mono audio of the utterance, at `sample_rate`."""

    def finish(self) -> Hypothesis:
        """End the utterance and say what it was."""

    def rescorer(self) -> Rescore | None:
        """How to score the utterance just heard as another phrase, if it can."""

    def listen_for_values(self, kind: str | None) -> None:
        """From the next utterance on, hear the logged values of `kind` too (the kind
        asked for) or (None) the commands alone; a CoachError if it was made without the
        values."""


# Scores the utterance just heard as if `text` had been said.
Rescore = Callable[[str], Hypothesis]
