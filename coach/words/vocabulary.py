"""The command vocabulary: which phrases mean which command.

The English table (README, "Voice commands") is the default; config.yaml can replace it per
language. The keyboard, `--commands` and the recognizer all map what they hear
through the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from coach.base.errors import CoachError

# Every command the session acts on, whatever words a language gives it.
COMMANDS: tuple[str, ...] = (
    "next",
    "repeat",
    "pause",
    "resume",
    "back",
    "skip",
    "stop",
    "status",
    "help",
    "slower",
    "faster",
)

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
    attention: str = ""  # the word every phrase starts with (addressed()); "" none

    def command_for(self, text: str) -> str | None:
        """The command a phrase stands for (a command's own name counts, unless an
        attention word is wanted before it)."""
        said = normalise(text)
        if said in COMMANDS and not self.attention:
            return said
        for command, phrases in self.phrases.items():
            if said in (normalise(p) for p in phrases):
                return command
        return None

    def addressed(self, attention: str | None) -> Vocabulary:
        """Every phrase after the attention word ("coach next"): in a shared space only
        what is said to the coach is a command (the keys keep the plain vocabulary)."""
        word = normalise(attention or "")
        if not word:
            return self
        table = {command: tuple(f"{word} {normalise(p)}" for p in phrases)
                 for command, phrases in self.phrases.items()}  # fmt: skip
        return Vocabulary(language=self.language, phrases=table, attention=word)

    @classmethod
    def for_language(cls, language: str) -> Vocabulary:
        """The bundled vocabulary of a language ('en' is README's table)."""
        if language.split("-")[0] == "en":
            return cls(language=language)
        folder = resources.files("coach.words.vocabularies")
        bundled = folder.joinpath(f"{language}.yaml")
        if not bundled.is_file():
            yamls = (v.name for v in folder.iterdir() if v.name.endswith(".yaml"))
            have = ["en", *sorted(name.removesuffix(".yaml") for name in yamls)]
            raise CoachError(
                f"no bundled command vocabulary for language {language!r} (bundled: "
                f"{', '.join(have)}); give your own as commands.phrases in config.yaml"
            )
        import yaml

        return cls.from_config(yaml.safe_load(bundled.read_text(encoding="utf-8")))

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> Vocabulary:
        """From config's `commands:` section: {language, phrases: {command: [phrase, …]}}.

        Without phrases, the bundled vocabulary of the language is used.
        """
        section = section or {}
        language = str(section.get("language") or "en")
        phrases = section.get("phrases")
        if not phrases:
            return cls.for_language(language)
        if not isinstance(phrases, Mapping):
            raise CoachError("commands.phrases must map each command to a list of phrases")
        table: dict[str, tuple[str, ...]] = {}
        for command, said in phrases.items():
            if command not in COMMANDS:
                raise CoachError(f"commands.phrases: unknown command {command!r}")
            items = [said] if isinstance(said, str) else list(said or [])
            if not all(isinstance(p, str) and p.strip() for p in items):
                raise CoachError(f"commands.phrases.{command}: phrases must be non-empty text")
            table[command] = tuple(items)
        return cls(language=language, phrases=table)
