"""The pocketsphinx backend loads only the vocabulary's words from the dictionary."""

from __future__ import annotations

import pytest
from pocketsphinx import get_model_path

from coach.base.errors import CoachError
from coach.listen.recognizers.cmudict import pronunciations
from coach.listen.recognizers.pocketsphinx import PocketsphinxRecognizer
from coach.words.vocabulary import Vocabulary

CMUDICT = get_model_path("en-us/cmudict-en-us.dict")


def test_every_pronunciation_of_a_word_and_nothing_else() -> None:
    entries = dict(pronunciations(CMUDICT, {"next", "go"}))
    # "next" and its alternate; not "nextel" or "next's", which only start the same
    assert entries == {"next": "N EH K S T", "next(2)": "N EH K S", "go": "G OW"}


def test_a_command_word_the_dictionary_lacks_is_named() -> None:
    vocab = Vocabulary(phrases={**Vocabulary().phrases, "next": ("next", "onwardsy")})
    with pytest.raises(CoachError, match="lacks these command words: onwardsy"):
        PocketsphinxRecognizer(vocab)


def test_the_decoders_know_the_vocabulary_alone() -> None:
    recognizer = PocketsphinxRecognizer(Vocabulary())
    assert recognizer._grammar.lookup_word("continue") is not None
    assert recognizer._grammar.lookup_word("banana") is None
