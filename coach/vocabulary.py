"""The command vocabulary: which phrases mean which command.

The English table of DESIGN.md is the default; config.yaml can replace it per
language. The keyboard, `--commands` and (later) the recognizer all map what
they hear through the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from coach.session.events import COMMANDS

DEFAULT_PHRASES: Mapping[str, tuple[str, ...]] = {
    "next": ("next", "next please", "ready", "done"),
    "repeat": ("repeat", "say again"),
    "pause": ("pause", "hold on"),
    "resume": ("resume", "continue"),
    "back": ("go back", "previous"),
    "skip": ("skip", "skip exercise"),
    "stop": ("stop workout", "stop"),
    "status": ("status", "how many left"),
    "help": ("help", "what can i say"),
    "slower": ("slower",),
    "faster": ("faster",),
}


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("'", "").split())


@dataclass(frozen=True)
class Vocabulary:
    language: str = "en"
    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PHRASES))

    def command_for(self, text: str) -> str | None:
        """The command a phrase stands for (a command's own name always counts)."""
        said = normalise(text)
        if said in COMMANDS:
            return said
        for command, phrases in self.phrases.items():
            if said in (normalise(p) for p in phrases):
                return command
        return None
