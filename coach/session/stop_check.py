"""A stop that is meant: a voice that ends the session has to be sure.

"stop" heard alone may be a piece of someone's sentence ("we should stop by the
shop"), a TV, or another person. By voice, the session ends on "stop workout"
said whole, or on "stop" said again within a short window after the coach, paused,
asks "Stop the workout? Say stop again, or resume."; anything else heard meanwhile
withdraws the question ("resume" goes on). Keys, `--commands`, the web page and
signals stop at once: they are never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.session.events import Command
from coach.words.vocabulary import normalise

STOP = "stop"
# Seconds after the question ends during which "stop" again ends the session: a
# second or two to react, plus the listener's deafness while the coach talks.
CONFIRM_WINDOW = 6.0


@dataclass
class StopCheck:
    """Whether a "stop" ends the session now, or is first to be confirmed."""

    window: float = CONFIRM_WINDOW
    _asked_until: float | None = None  # the question's window closes then

    def meant(self, command: Command, now: float) -> bool:
        """Whether `command` (a "stop") ends the session now; else the question is due."""
        if command.source != "voice" or _said_whole(command.text):
            return True
        return self._asked_until is not None and now <= self._asked_until

    def asked(self, question_ends: float) -> None:
        """The coach asked to confirm; its answer counts until the window closes."""
        self._asked_until = question_ends + self.window

    def heard(self, command: Command) -> None:
        """Any other command heard withdraws the question."""
        if command.name != STOP:
            self._asked_until = None


def _said_whole(text: str) -> bool:
    """A phrase of more than one word ("stop workout"): a listener can't cut that out
    of talk by chance as it can a lone "stop"."""
    return len(normalise(text).split()) > 1
