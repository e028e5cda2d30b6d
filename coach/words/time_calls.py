"""Time calls and spread-out cues: what is said at a moment inside a step.

A mark is placed by how long is *left* of its step, not how long has passed:
a pause moves the step's end, and every mark moves with it. The plan decides
every mark once; the session says it when its moment comes, unless the coach
is still talking then (a call is never said over a cue: late, it would lie).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coach.script.model import TimeCalls
from coach.words.spoken_numbers import number_words

# A call this close to the start of a stretch would tread on its opening cue.
_CLEAR_OF_START = 4.0
# A spread cue moved this far from a call, so the two don't collide.
_CLEAR_OF_CALL = 2.5


@dataclass(frozen=True)
class Mark:
    left: float  # seconds before the end of its step
    text: str  # what is said; a tone's name when `tone` is set
    call: str | None = None  # halfway | left | count for a time call; None for a script cue
    tone: str | None = None  # a tone instead of words


def _words(seconds: float) -> str:
    whole = int(seconds) if float(seconds).is_integer() else None
    said = number_words(whole) if whole is not None else f"{seconds:g}"
    return said[:1].upper() + said[1:]


def calls_for(duration: float, calls: TimeCalls, *, before_work: bool) -> list[Mark]:
    """The time calls of a stretch of `duration` seconds; 3-2-1 only `before_work`."""
    found: list[Mark] = []
    halfway = duration / 2
    if calls.halfway > 0 and duration >= calls.halfway:
        found.append(_call(halfway, "Halfway.", "halfway", calls))
    for left in calls.left:
        near_halfway = any(m.call == "halfway" and abs(m.left - left) < 3 for m in found)
        if left + _CLEAR_OF_START <= duration and left > calls.countdown + 1 and not near_halfway:
            unit = "second" if left == 1 else "seconds"
            found.append(_call(left, f"{_words(left)} {unit}.", "left", calls))
    if before_work:
        for count in range(calls.countdown, 0, -1):
            if count + 1 <= duration:
                found.append(_call(float(count), f"{_words(count)}.", "count", calls))
    return sorted(found, key=lambda m: -m.left)


def _call(left: float, text: str, kind: str, calls: TimeCalls) -> Mark:
    if calls.tones:
        return Mark(left, text, kind, "countdown" if kind == "count" else "tick")
    return Mark(left, text, kind)


def spread(duration: float, texts: Sequence[str], calls: Sequence[Mark]) -> list[Mark]:
    """`texts` placed evenly over `duration`, clear of the calls."""
    placed: list[Mark] = []
    for number, text in enumerate(texts, start=1):
        left = duration - number * duration / (len(texts) + 1)
        for call in calls:
            if abs(call.left - left) < _CLEAR_OF_CALL:
                # Before the call if there is room after the opening cue, else after it.
                earlier = call.left + _CLEAR_OF_CALL
                roomy = duration - earlier >= _CLEAR_OF_START
                left = earlier if roomy else call.left - _CLEAR_OF_CALL
        if duration - left >= _CLEAR_OF_START / 2 and left > 0:
            placed.append(Mark(round(left, 3), text))
    return placed


def merged(*groups: Sequence[Mark]) -> tuple[Mark, ...]:
    """Every mark, in the order they come (most time left first)."""
    return tuple(sorted((m for g in groups for m in g), key=lambda m: -m.left))
