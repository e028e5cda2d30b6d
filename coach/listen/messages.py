"""What the session's process and the listener's process say to each other.

One frozen dataclass per message, each way. They cross a process boundary, so
they carry plain values (numbers, strings, arrays, a Recognition) and nothing
that holds a resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.base.samples import Samples
from coach.listen.pipeline.listener import Recognition

# -- to the listener ------------------------------------------------------------------


@dataclass(frozen=True)
class Sync:
    """Session time `session` was read at `monotonic` (the system-wide clock)."""

    monotonic: float
    session: float


@dataclass(frozen=True)
class Span:
    """The coach plays something from `start` to `stop`, session seconds."""

    start: float
    stop: float


@dataclass(frozen=True)
class Clip:
    """What the coach plays from session time `start` (barge-in's echo reference)."""

    start: float
    samples: Samples
    rate: int


@dataclass(frozen=True)
class Cut:
    """The coach stopped talking at session time `at`."""

    at: float


@dataclass(frozen=True)
class Stop:
    """Stop listening and end the process."""


@dataclass(frozen=True)
class ListenFor:
    """From the next utterance on, hear the values of `kind` too (the kind the coach
    asks for in the rest where a set is logged), or (None) the commands alone."""

    kind: str | None


ToListener = Sync | Span | Clip | Cut | Stop | ListenFor

# -- from the listener ----------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The listener hears its source."""

    rate: int


@dataclass(frozen=True)
class Failed:
    """The listener could not start; `why`, in a few words."""

    why: str


@dataclass(frozen=True)
class Note:
    """Something the athlete should know, such as slow first-time work on a model."""

    text: str


@dataclass(frozen=True)
class Level:
    """The last chunk's level, dBFS."""

    db: float


@dataclass(frozen=True)
class Heard:
    """A command was recognized."""

    recognition: Recognition


FromListener = Ready | Failed | Note | Level | Heard
