"""Long text cut into pieces a speech engine can take one at a time.

pyttsx3's espeak driver crashes the whole process on very long input, so no
engine is ever handed more than MAX_CHUNK characters at once.
"""

from __future__ import annotations

import re

# Far below the length at which espeak's driver crashes, and above any real cue.
MAX_CHUNK = 1000

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def split_text(text: str, limit: int = MAX_CHUNK) -> list[str]:
    """`text` in order, in pieces of at most `limit` characters, cut at sentence
    ends where possible, else at spaces, else anywhere."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        for part in _by_words(sentence, limit):
            if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
                pieces[-1] += " " + part
            else:
                pieces.append(part)
    return [p for p in pieces if p.strip()]


def _by_words(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    for word in text.split():
        while len(word) > limit:  # one "word" longer than a piece: cut it anywhere
            parts.append(word[:limit])
            word = word[limit:]
        if parts and len(parts[-1]) + 1 + len(word) <= limit:
            parts[-1] += " " + word
        elif word:
            parts.append(word)
    return parts
