"""What an athlete can say to log a set, and the value it stands for.

In the rest after a set the athlete says what they lifted or how it felt:

| kind | examples | value |
| --- | --- | --- |
| load | "eighty", "eighty kilos", "sixty two and a half kg", "one twenty five" | 1–300, halves |
| rpe | "RPE eight", "R P E seven and a half", "RPE seven point five" | 1–10, in halves |
| rir | "two in reserve", "two reps in reserve", "zero in reserve" | 0–10 |
| reps | "seven reps", "one rep" | 1–100 |
| skip | "skip" | nothing logged |

The coach asks for one kind at a time ("RPE?"), so a bare number ("eight") is a value of
the kind asked for; a value of another kind is said with its marker ("RPE eight").

Numbers are said in words ("one hundred and twenty five", "a hundred and five",
"two hundred") or as gym talk says a load over a hundred: "one twenty five" (125),
"two twenty" (220), "one oh five" (105). A half is "and a half" or "point five".
Units: kilos, kilo, kilograms, kg; pounds, pound, lbs, lb; a load without one is in
the unit configured. Written digits parse too ("80 kg", "62.5", "RPE 8"), since a
recognizer that writes freely writes them so. No value is negative: "-5" and "minus
five" are no value, not five.

A number typed or scripted alone ("80", "0") is `bare` until the session reads it as the
kind it asks for; one that no kind can be ("301.5") is no value at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coach.script.model import LOG_KINDS, MAX_LOAD
from coach.words.spoken_numbers import ONES, TEENS, TENS

# The command a logged value comes as (heard, typed or scripted), and the session's
# trigger for it: no voice command of its own.
LOG = "log"

VALUE_KINDS = LOG_KINDS  # what the coach asks for, one at a time
KINDS = (*VALUE_KINDS, "skip")
BARE = "bare"  # a number typed without its kind: the session reads it as the kind asked
# Spoken unit words → the unit logged.
UNITS = {
    "kilos": "kg",
    "kilo": "kg",
    "kilograms": "kg",
    "kilogram": "kg",
    "kg": "kg",
    "kgs": "kg",
    "pounds": "lb",
    "pound": "lb",
    "lbs": "lb",
    "lb": "lb",
}
# The unit as the coach says it back.
UNIT_WORDS = {"kg": "kilos", "lb": "pounds"}

MAX_RPE = 10.0
MAX_RIR = 10
MAX_REPS = 100


@dataclass(frozen=True)
class LoggedValue:
    kind: str  # one of KINDS
    value: float | None = None  # None for skip
    unit: str | None = None  # "kg" or "lb" for a load said with one; else None

    def spoken(self) -> str:
        """The value as the coach says it back: 'eighty kilos', 'RPE seven and a half'."""
        if self.kind == "skip" or self.value is None:
            return "skip"
        number = value_words(self.value)
        if self.kind == "load":
            return f"{number} {UNIT_WORDS[self.unit]}" if self.unit else number
        if self.kind == "rpe":
            return f"RPE {number}"
        if self.kind == "rir":
            return f"{number} in reserve"
        return f"{number} rep" if self.value == 1 else f"{number} reps"


def reps_at_load(reps: int, load: LoggedValue | None) -> str:
    """ "eight at sixty kilos"; "eight reps" without a load, "sixty kilos" without reps."""
    if load is None:
        return LoggedValue("reps", reps).spoken() if reps else ""
    return f"{value_words(reps)} at {load.spoken()}" if reps else load.spoken()


def value_words(value: float) -> str:
    """0–999 in halves as said: 125.5 → 'one hundred and twenty five and a half'."""
    whole = int(value)
    half = " and a half" if value - whole == 0.5 else ""
    return _whole_words(whole) + half


def _whole_words(n: int) -> str:
    if n < 10:
        return ONES[n]
    if n < 20:
        return TEENS[n - 10]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens - 2] + (f" {ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    head = f"{ONES[hundreds]} hundred"
    return head + (f" and {_whole_words(rest)}" if rest else "")


def parse(text: str, asked: str = "load") -> LoggedValue | None:
    """The value `text` logs, or None when it is no value (or out of range); a bare
    number is of the kind `asked` for."""
    words = _words(text)
    if not words or _negative(text, words):
        return None
    if words == ["skip"]:
        return LoggedValue("skip")
    if words[0] in ("rpe", "r") or words[-1] == "rpe":
        return _rpe(words)
    if words[-2:] == ["in", "reserve"] or words[-1] == "rir":
        return _rir(words)
    if words[-1] in ("reps", "rep", "repetitions"):
        return _of_kind("reps", _number(words[:-1]))
    unit = UNITS.get(words[-1])
    if unit is None:
        return _of_kind(asked, _number(words))
    return _of_kind("load", _number(words[:-1]), unit)


def parse_typed(text: str) -> LoggedValue | None:
    """A value typed or scripted, before anyone knows the kind asked: a number alone is
    `bare` (the session reads it as the kind it asks for), if some kind can be it."""
    return parse(text, BARE)


def as_asked(value: LoggedValue, asked: str) -> LoggedValue | None:
    """A bare number (typed, scripted, or heard as a load without a unit while load was
    asked) as a value of the kind `asked` for; None if it is out of that kind's range."""
    if value.kind == BARE or (value.kind == "load" and value.unit is None and asked != "load"):
        return _of_kind(asked, value.value)
    return value


# Each kind's range in words, to say why a value was refused.
RANGE_WORDS = {
    "load": "a load is 1 to 300, in halves",
    "rpe": "RPE is 1 to 10, in halves",
    "rir": "reps in reserve are 0 to 10",
    "reps": "reps are 1 to 100",
}


def why_not(text: str) -> str:
    """Why `text`, typed or scripted, is no value to log: for a message."""
    words = _words(text)
    if words and _negative(text, words):
        return "no value is negative"
    return "; ".join(RANGE_WORDS.values())


def _negative(text: str, words: list[str]) -> bool:
    """A minus sign before a number ("-5", "- 1 rir"), or the word."""
    return bool(re.search(r"(?<![\w.])[-−–]\s*\d", text)) or "minus" in words

# Each kind's range: (lowest, highest, whether halves count).
_RANGES = {
    "load": (1.0, MAX_LOAD, True),
    "rpe": (1.0, MAX_RPE, True),
    "rir": (0.0, float(MAX_RIR), False),
    "reps": (1.0, float(MAX_REPS), False),
}


def loggable(kind: str, number: object) -> bool:
    """Whether `number` is a value the coach could have logged as `kind`: what the
    history trusts of a value read back (a hand edit can put anything there)."""
    if kind not in _RANGES or isinstance(number, bool) or not isinstance(number, int | float):
        return False
    return _of_kind(kind, float(number)) is not None


def _of_kind(kind: str, number: float | None, unit: str | None = None) -> LoggedValue | None:
    if number is None:
        return None
    if kind == BARE:  # any kind's, to be told which by the kind asked
        fits = any(_of_kind(k, number) is not None for k in VALUE_KINDS)
        return LoggedValue(BARE, number) if fits else None
    low, high, with_halves = _RANGES[kind]
    if not low <= number <= high or (number != int(number) and not with_halves):
        return None
    return LoggedValue(kind, number, unit)


def _rpe(words: list[str]) -> LoggedValue | None:
    if words[:3] == ["r", "p", "e"]:
        rest = words[3:]
    elif words[0] == "rpe":
        rest = words[1:]
    else:
        rest = words[:-1]
    if rest[:1] == ["of"]:
        rest = rest[1:]
    return _of_kind("rpe", _number(rest))


def _rir(words: list[str]) -> LoggedValue | None:
    rest = words[:-1] if words[-1] == "rir" else words[:-2]
    if rest[-1:] in (["reps"], ["rep"]):
        rest = rest[:-1]
    return _of_kind("rir", _number(rest))


def _words(text: str) -> list[str]:
    """Lower-case words, digits apart from letters ('80kg' → '80 kg'), no punctuation."""
    text = text.lower().replace("½", " and a half")
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    text = re.sub(r"([a-z])(\d)", r"\1 \2", text)
    text = re.sub(r"[^a-z0-9.\s]|(?<!\d)\.|\.(?!\d)", " ", text)  # a dot only inside a number
    return text.replace("-", " ").split()


def _number(words: list[str]) -> float | None:
    """A number in words or digits, whole or with a half; None if it is none."""
    if len(words) == 1 and re.fullmatch(r"\d+(\.\d+)?", words[0]):
        value = float(words[0])
        return value if value * 2 == int(value * 2) else None
    half = 0.0
    if words[-3:] == ["and", "a", "half"]:
        words, half = words[:-3], 0.5
    elif words[-2:] in (["point", "five"], ["point", "5"]):
        words, half = words[:-2], 0.5
    whole = _whole(words)
    return None if whole is None else whole + half


def _whole(words: list[str]) -> int | None:
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if words[:1] in (["a"], ["one"]) and words[1:2] == ["hundred"]:
        words = ["one", *words[1:]]
    if len(words) >= 2 and words[1] == "hundred" and words[0] in ONES[1:]:
        rest = words[2:]
        if rest[:1] == ["and"]:
            rest = rest[1:]
        below = _below_hundred(rest) if rest else 0
        return None if below is None else 100 * ONES.index(words[0]) + below
    # gym talk: "one twenty five" is 125, "two twenty" 220, "one oh five" 105
    if len(words) >= 2 and words[0] in ("one", "two", "three"):
        rest = words[1:]
        if rest[0] in ("oh", "o") and len(rest) == 2 and rest[1] in ONES[1:]:
            return 100 * ONES.index(words[0]) + ONES.index(rest[1])
        below = _below_hundred(rest)
        if below is not None and below >= 10:
            return 100 * ONES.index(words[0]) + below
        return None
    return _below_hundred(words)


def _below_hundred(words: list[str]) -> int | None:
    if len(words) == 1:
        word = words[0]
        if word in ONES:
            return ONES.index(word)
        if word in TEENS:
            return 10 + TEENS.index(word)
        if word in TENS:
            return 20 + 10 * TENS.index(word)
        return None
    if len(words) == 2 and words[0] in TENS and words[1] in ONES[1:]:
        return 20 + 10 * TENS.index(words[0]) + ONES.index(words[1])
    return None


def halves(low: float, high: float) -> Iterator[float]:
    """low, low + 0.5, …, high."""
    steps = int(round((high - low) * 2))
    return (low + i / 2 for i in range(steps + 1))


# The unit words the listener listens for ("kg" and "lbs" are how they are written).
SPOKEN_UNITS = ("kilos", "kilo", "kilograms", "pounds")
HALF_WORDS = ("and a half", "point five")


def whole_number_forms(n: int) -> list[str]:
    """Every way the listener hears a whole number 1–300 said: 125 → 'one hundred and
    twenty five', 'one hundred twenty five', 'a hundred and …', 'one twenty five'."""
    if n < 100:
        return [_whole_words(n)]
    hundreds, rest = divmod(n, 100)
    heads = ["one hundred", "a hundred"] if hundreds == 1 else [f"{ONES[hundreds]} hundred"]
    if not rest:
        return heads
    below = _whole_words(rest)
    forms = [f"{head} and {below}" for head in heads] + [f"{head} {below}" for head in heads]
    if hundreds in (1, 2):
        forms.append(f"{ONES[hundreds]} {below}" if rest >= 10 else f"{ONES[hundreds]} oh {below}")
    return forms


# The kinds heard, said with their marker, while another is asked for: a few hundred
# phrases each. Every load with a unit is some 11,000, too costly in every moonshine
# tree (bench/README.md has what it cost), so only a whole load said plainly ("sixty
# kilos") is heard when not asked for: a correction after the coach moved on.
OTHERS_HEARD = ("rpe", "rir", "reps")


def spoken_forms(asked: str, others: Iterable[str] = OTHERS_HEARD) -> Iterator[str]:
    """Every phrase the listener hears as a value while `asked` is asked for: "skip",
    that kind's every form (a bare number too), the `others`' marked forms ("r p e
    eight", "two in reserve") and, if loads are not among them, a whole load said plainly."""
    yield "skip"
    yield from bare_forms(asked)
    heard = {asked, *others}
    for kind in VALUE_KINDS:
        if kind in heard:
            yield from marked_forms(kind)
    if "load" not in heard:
        yield from plain_loads()


def plain_loads() -> Iterator[str]:
    """A whole load said the plain way with a unit: 'sixty kilos', 'one hundred and five
    pounds'."""
    for n in range(1, int(MAX_LOAD) + 1):
        for unit in SPOKEN_UNITS:
            yield f"{_whole_words(n)} {unit}"


def bare_forms(kind: str) -> Iterator[str]:
    """A number of `kind`'s range said alone: 'eight', 'seven and a half'."""
    low, high, with_halves = _RANGES[kind]
    for n in range(int(low), int(high) + 1 if kind != "reps" else int(high)):
        for number in whole_number_forms(n) if n else ["zero"]:
            for half in ("", *HALF_WORDS) if with_halves and n < high else ("",):
                yield f"{number} {half}".strip()


def marked_forms(kind: str) -> Iterator[str]:
    """`kind`'s values said with what marks them: a load's unit, "r p e", "in
    reserve", "reps"."""
    if kind == "load":
        for said in bare_forms("load"):
            for unit in SPOKEN_UNITS:
                yield f"{said} {unit}"
    elif kind == "rpe":
        for said in bare_forms("rpe"):
            yield f"r p e {said}"
    elif kind == "rir":
        for said in bare_forms("rir"):
            for reps in ("", "reps ", "rep "):
                yield f"{said} {reps}in reserve"
    else:
        for said in bare_forms("reps"):
            yield f"{said} {'rep' if said == 'one' else 'reps'}"
