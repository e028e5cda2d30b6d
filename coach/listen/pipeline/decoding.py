"""Handing an utterance to the recognizer: as it comes, or whole once it is over."""

from __future__ import annotations

import numpy as np

from coach.base.samples import Pcm, Samples
from coach.listen.recognizers.recognizer import Hypothesis, Recognizer

# What an utterance that is not a command candidate counts as.
NOT_DECODED = Hypothesis("", 0.0)


class Decoding:
    """The recognizer's side of the open utterance. A streaming recognizer (pocketsphinx,
    vosk) is fed as the audio comes; another (moonshine) is handed it whole at the end,
    so that the listener can first cut off what was someone else's before it."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self.open = False  # the recognizer is hearing the open utterance
        self._utterance: list[Samples] = []  # kept for a recognizer that hears it whole

    def start(self) -> None:
        self.open = True
        # Even one that hears it whole: what it listens for is chosen as it opens.
        self.recognizer.start()

    def add(self, audio: list[Samples]) -> None:
        if not self.open:
            return
        if self.recognizer.streaming:
            for piece in audio:
                self.recognizer.feed(to_pcm(piece))
        else:
            self._utterance += audio

    def drop(self) -> None:
        """Forget the open utterance (it overlapped the coach's voice)."""
        if self.open and self.recognizer.streaming:
            self.recognizer.finish()
        self._utterance = []
        self.open = False

    def close(self) -> tuple[bool, Hypothesis, list[Samples]]:
        """End the utterance: whether it was decoded, what a streaming recognizer heard,
        and the audio kept for one that hears it whole."""
        decoded, self.open = self.open, False
        utterance, self._utterance = self._utterance, []
        streamed = decoded and self.recognizer.streaming
        return decoded, self.recognizer.finish() if streamed else NOT_DECODED, utterance

    def hear_apart(self, audio: Samples) -> Hypothesis:
        """What the recognizer makes of `audio` as an utterance of its own (between two
        of the stream's: none is open)."""
        self.recognizer.start()
        return self.hear_whole([audio])

    def hear_whole(self, frames: list[Samples]) -> Hypothesis:
        for frame in frames:
            self.recognizer.feed(to_pcm(frame))
        return self.recognizer.finish()


def to_pcm(frame: Samples) -> Pcm:
    return (np.clip(frame, -1.0, 1.0) * 32767).astype(np.int16)
