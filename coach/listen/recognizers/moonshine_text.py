"""The text side of the moonshine backend: its tokens, and how commands are written.

A phrase is shown to the model as the model writes English: capitalised, "i" as
"I". Its tokens are the fewest that spell it, every such spelling counted (the
model's probabilities of two spellings of one text add up).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coach.listen.recognizers import cmudict

WORD = "\u2581"  # SentencePiece's mark of a word's start


def load_tokens(path: Path) -> list[str]:
    """Moonshine's tokenizer.bin: each token's UTF-8 bytes after their length (one
    byte, or two when the first has its high bit set)."""
    data = path.read_bytes()
    tokens: list[str] = []
    at = 0
    while at < len(data):
        size = data[at]
        at += 1
        if size >= 0x80:
            size = (size & 0x7F) | (data[at] << 7)
            at += 1
        tokens.append(data[at : at + size].decode("utf-8", errors="replace"))
        at += size
    return tokens


def spellings(text: str, vocabulary: dict[str, int]) -> list[list[int]]:
    """Every way to spell `text` in the fewest tokens (a word starts with WORD)."""
    text = WORD + text.replace(" ", WORD)
    # best[i]: the shortest spellings of text[:i]
    best: list[list[list[int]] | None] = [None] * (len(text) + 1)
    best[0] = [[]]
    for i in range(len(text)):
        if not best[i]:
            continue
        for j in range(i + 1, len(text) + 1):
            token = vocabulary.get(text[i:j])
            if token is None:
                continue
            candidates = [s + [token] for s in best[i] or []]
            current = best[j]
            if current is None or len(candidates[0]) < len(current[0]):
                best[j] = candidates
            elif len(candidates[0]) == len(current[0]):
                current.extend(candidates)
    return best[-1] or []


def decoys(phrases: set[str], is_word: Callable[[set[str]], set[str]]) -> set[str]:
    """Words near the phrases that are no phrase: a one-word phrase's inflections
    and the plain form of a comparative, a longer phrase's first word alone.
    `is_word` keeps the candidates that are English words."""
    candidates: set[str] = set()
    for phrase in phrases:
        word, *rest = phrase.split()
        if rest:  # "hold on": "Hold." alone is no command
            candidates.add(word)
            continue
        if len(word) < 3:
            continue
        if word.endswith("e"):  # pause: paused, pausing
            candidates |= {word + "s", word + "d", word[:-1] + "ing"}
        else:  # skip: skips, skiped, skipped, skiping, skipping (the dictionary picks)
            candidates |= {word + "s", word + "ed", word + "ing"}
            candidates |= {word + word[-1] + "ed", word + word[-1] + "ing"}
        if word.endswith("er"):  # slower: slow
            candidates.add(word[:-2])
    return is_word(candidates - phrases)


def english_words(candidates: set[str]) -> set[str]:
    """Those of `candidates` in the English pronouncing dictionary pocketsphinx ships."""
    entries = cmudict.pronunciations(cmudict.path(), candidates)
    return {cmudict.base(name) for name, _ in entries}


def written(phrase: str) -> str:
    """A phrase as the model writes English: 'what can i say' → 'What can I say'."""
    words = ["I" if w == "i" else w for w in phrase.split()]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]
