"""Numbers as the coach says them."""

from __future__ import annotations

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(n: int) -> str:
    """0-99 in English words (a count said in a second); larger numbers as digits."""
    if 0 <= n < 20:
        return (ONES + TEENS)[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens - 2] + ("" if ones == 0 else "-" + ONES[ones])
    return str(n)
