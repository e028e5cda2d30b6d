"""The English pronouncing dictionary that ships with pocketsphinx (CMU format).

The pocketsphinx backend takes its command words' pronunciations from it; the
moonshine backend asks it which words exist (for its decoys).
"""

from __future__ import annotations


def path() -> str:
    from pocketsphinx import get_model_path

    return str(get_model_path("en-us/cmudict-en-us.dict"))


def base(name: str) -> str:
    """'next(2)', an alternate pronunciation's entry, is the word 'next'."""
    return name.split("(", 1)[0]


def pronunciations(dictionary: str, words: set[str]) -> list[tuple[str, str]]:
    """The entries of a CMU-format dictionary (alternates too) for `words`, in file order."""
    found = []
    with open(dictionary, encoding="utf-8") as lines:
        for line in lines:  # one at a time: the whole file split would cost ~20 MB at peak
            entry = line.split(maxsplit=1)
            if len(entry) == 2 and base(entry[0]) in words:
                found.append((entry[0], entry[1].strip()))
    return found
