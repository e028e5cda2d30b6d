"""Keyboard commands, always on in a terminal.

In a terminal one key is one command (no echo over the display): Enter or
space alone means "next", the most common thing to say, and an Enter typed
just after a command key belongs to that key, so "p Enter" pauses once. When
standard input is a pipe or file, each line is a command (a key, or any
vocabulary phrase). A number starts a value to log for the set before a rest,
ended by Enter: `80`, `80kg`, `82.5 lb`, `8 rpe`, `2 rir`, `7 reps` (a line in a
pipe may also be `rpe 8`). The reader thread only posts to the session's queue.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from coach.session.events import Command, Event
from coach.words.log_values import LOG, LoggedValue
from coach.words.log_values import parse_typed as parse_value
from coach.words.vocabulary import Vocabulary

KEYS: dict[str, str] = {
    "": "next",
    " ": "next",
    "n": "next",
    "r": "repeat",
    "p": "pause",
    "c": "resume",
    "b": "back",
    "s": "skip",
    "q": "stop",
    "?": "status",
    "h": "help",
    "-": "slower",
    "+": "faster",
}

# Two lines, so that every key fits a panel in an 80-column terminal.
KEY_HELP = (
    "keys: Enter next · r repeat · p pause · c continue · b back · s skip\n"
    "      q stop · ? status · h help · - slower · + faster · 80kg Enter log"
)
_LOG_HINT = " · 80kg Enter log"


def key_help(logs: bool) -> str:
    """The keys; typing a value to log only for a plan that asks for values."""
    return KEY_HELP if logs else KEY_HELP.removesuffix(_LOG_HINT)

# An Enter this soon after a command key is taken as that key's Enter, not "next".
ENTER_AFTER_KEY = 2.0


class KeyPresses:
    """Turns single key presses into commands: one key, one command."""

    def __init__(self) -> None:
        self._key_at: float | None = None  # when a command key was pressed, awaiting Enter

    def command(self, key: str, at: float) -> str | None:
        if key in "\r\n":
            after_key = self._key_at is not None and at - self._key_at <= ENTER_AFTER_KEY
            self._key_at = None
            return None if after_key else "next"
        command = KEYS.get(key.lower())
        self._key_at = at if command is not None and key != " " else None
        return command


# A digit this soon after "-" makes a negative value (refused), not a value after "slower".
MINUS_BEFORE_DIGIT = 1.0


class ValueTyping:
    """A value typed key by key: it starts with a digit and ends with Enter."""

    def __init__(self) -> None:
        self.typed: str | None = None  # None: no value being typed
        self.ended: str | None = None  # what the last Enter ended, value or not
        self._minus_at: float | None = None  # when "-" was last pressed

    def take(self, key: str, at: float = 0.0) -> tuple[bool, LoggedValue | None]:
        """(whether the key was part of a value, the value when Enter ended one); a text
        that Enter ended but is no value is `ended`, with no value."""
        self.ended = None
        if self.typed is None:
            if not key.isdigit():
                self._minus_at = at if key == "-" else None
                return False, None
            minus = self._minus_at is not None and at - self._minus_at <= MINUS_BEFORE_DIGIT
            self.typed = "-" if minus else ""
        if key in "\r\n":
            typed, self.typed = self.typed, None
            self.ended = typed
            value = parse_value(typed)
            return True, None if value is None or value.kind == "skip" else value
        if key == "\x1b":  # Escape: never mind
            self.typed = None
        elif key in "\x7f\b":
            self.typed = self.typed[:-1]
        else:
            self.typed += key
        return True, None


def value_for_line(line: str) -> LoggedValue | None:
    """A value to log typed as a line ("80 kg", "rpe 8"); only with a number in it, so a
    command word is never taken for one."""
    if not any(ch.isdigit() for ch in line):
        return None
    value = parse_value(line)
    return None if value is None or value.kind == "skip" else value


def command_for_line(line: str, vocabulary: Vocabulary) -> str | None:
    typed = line.strip().lower()
    return KEYS.get(typed) or vocabulary.command_for(typed)


class Keyboard:
    """Reads commands until the process ends; `close()` gives the terminal back."""

    def __init__(self, events: queue.Queue[Event], stream: TextIO, vocabulary: Vocabulary):
        self.events = events
        self.vocabulary = vocabulary
        self._restore: Callable[[], None] = lambda: None
        target = self._lines
        if stream.isatty() and sys.platform != "win32":
            target = self._keys
            self._restore = _cbreak(stream.fileno())
        self._stream = stream
        self._thread = threading.Thread(target=target, name="keyboard", daemon=True)
        self._thread.start()

    def _post(self, command: str | None, typed: str) -> None:
        if command is not None:
            self.events.put(Command(command, source="keyboard", text=typed))

    def _post_value(self, value: LoggedValue | None, typed: str) -> None:
        # With no value too: the session says why it can't log what was typed.
        self.events.put(Command(LOG, source="keyboard", text=typed.strip(), value=value))

    def _lines(self) -> None:
        for line in self._stream:
            if any(ch.isdigit() for ch in line):  # a value, or what was meant as one
                self._post_value(value_for_line(line), line)
            else:
                self._post(command_for_line(line, self.vocabulary), line.strip())

    def _keys(self) -> None:
        fd = self._stream.fileno()
        presses = KeyPresses()
        typing = ValueTyping()
        while True:
            try:
                key = os.read(fd, 1).decode(errors="ignore")
            except OSError:
                return
            if not key:
                return
            in_value, value = typing.take(key, time.monotonic())
            if in_value:
                if typing.ended is not None:
                    self._post_value(value, typing.ended)
                continue
            typed = "" if key in "\r\n" else key.lower()
            self._post(presses.command(key, time.monotonic()), typed)

    def close(self) -> None:
        self._restore()


def _cbreak(fd: int) -> Callable[[], None]:
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    return lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def start_keyboard(
    events: queue.Queue[Event], stream: TextIO, vocabulary: Vocabulary | None = None
) -> Keyboard:
    return Keyboard(events, stream, vocabulary or Vocabulary())
