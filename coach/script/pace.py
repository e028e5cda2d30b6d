"""How long a line takes to say at a steady coaching pace, estimated from its words.

The simulated timeline runs on this estimate (coach.session.speech), and the validator
warns with it about a cue longer than the stretch it is said in; a real voice measures
its rendered audio instead.
"""

from __future__ import annotations

import re

WORDS_PER_MINUTE = 165.0


def spoken_seconds(text: str, words_per_minute: float = WORDS_PER_MINUTE) -> float:
    """About `words_per_minute`, plus a short pause at every sentence break."""
    seconds_per_word = 60.0 / words_per_minute
    words = len(text.split())
    breaks = len(re.findall(r"[.!?,;:](\s|$)", text))
    return round(0.15 + words * seconds_per_word + breaks * 0.12, 3)
