"""How long the coach takes to say something.

The session needs durations to keep speech from overlapping and to stretch a
phase whose cue is longer than it. A real voice measures its rendered audio;
the simulated timeline uses this estimate of a steady coaching pace.
"""

from __future__ import annotations

from typing import Protocol

from coach.script.pace import WORDS_PER_MINUTE, spoken_seconds


class SpeechTimer(Protocol):
    def duration(self, text: str) -> float:
        """Seconds it takes to say `text`."""
        ...


class EstimatedSpeech:
    """About 165 words a minute, plus a short pause at every sentence break."""

    def __init__(self, words_per_minute: float = WORDS_PER_MINUTE) -> None:
        self.words_per_minute = words_per_minute

    def duration(self, text: str) -> float:
        return spoken_seconds(text, self.words_per_minute)
