"""Commands given on the command line: `--commands "12:pause,20:resume"`."""

from __future__ import annotations

from coach.base.errors import CoachError
from coach.session.events import Command
from coach.words.log_values import LOG, why_not
from coach.words.log_values import parse_typed as parse_value
from coach.words.vocabulary import COMMANDS, Vocabulary


def parse_commands(spec: str, vocabulary: Vocabulary | None = None) -> list[tuple[float, Command]]:
    """`T:command` pairs separated by commas; T in seconds of session time. `T:heard
    PHRASE` is the phrase as the listener would pass it on, a voice's command."""
    vocabulary = vocabulary or Vocabulary()
    parsed: list[tuple[float, Command]] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        when, sep, said = item.partition(":")
        try:
            at = float(when)
        except ValueError:
            at = -1.0
        if not sep or at < 0 or at != at or at == float("inf"):
            raise CoachError(
                f"--commands: {item!r} is not TIME:COMMAND with TIME in seconds ≥ 0 "
                "(e.g. --commands '12.5:pause,20:resume')"
            )
        name, _, logged = said.strip().partition(" ")
        if name.lower() == LOG:  # "40:log 80 kg": a value logged for the set before the rest
            value = parse_value(logged)
            if value is None or value.kind == "skip":
                raise CoachError(
                    f"--commands: {logged.strip()!r} is not a value to log: {why_not(logged)} "
                    "(e.g. '40:log 80 kg', '45:log rpe 8', '50:log 2 in reserve')"
                )
            parsed.append((at, Command(LOG, source="script", text=said.strip(), value=value)))
            continue
        source = "script"
        if name.lower() == "heard":  # "30:heard stop": as if the listener heard it said
            source, said = "voice", logged
        command = vocabulary.command_for(said)
        if command is None:
            raise CoachError(
                f"--commands: {said.strip()!r} is not a command; use one of {', '.join(COMMANDS)}"
            )
        parsed.append((at, Command(command, source=source, text=said.strip())))
    return parsed
