"""How long the coach takes to say something.

The session needs durations to keep speech from overlapping and to stretch a
phase whose cue is longer than it. A real voice measures its rendered audio;
the simulated timeline uses this estimate of a steady coaching pace.
"""

from __future__ import annotations

import re
from typing import Protocol


class SpeechTimer(Protocol):
    def duration(self, text: str) -> float:
        """Seconds it takes to say `text`."""
        ...


class EstimatedSpeech:
    """About 165 words a minute, plus a short pause at every sentence break."""

    def __init__(self, words_per_minute: float = 165.0) -> None:
        self.seconds_per_word = 60.0 / words_per_minute

    def duration(self, text: str) -> float:
        words = len(text.split())
        breaks = len(re.findall(r"[.!?,;:](\s|$)", text))
        return round(0.15 + words * self.seconds_per_word + breaks * 0.12, 3)
