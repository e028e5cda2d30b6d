"""How pocketsphinx's acoustic scores become a confidence."""

from __future__ import annotations

import math

from coach.listen.recognizers.pocketsphinx import sigmoid


def test_an_underflowed_alignment_scores_zero_instead_of_crashing() -> None:
    # An LLR of -1e4 (a segment whose likelihood underflowed) once raised OverflowError
    # in math.exp and ended `coach recognize` on a noisy recording.
    assert sigmoid(2.0 * (-1e4 + 2.5)) < 1e-20
    assert sigmoid(1e4) == 1.0
    assert math.isclose(sigmoid(0.0), 0.5)
