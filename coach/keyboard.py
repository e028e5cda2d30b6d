"""Keyboard commands, always on in a terminal.

In a terminal one key is enough (no Enter, no echo over the display): Enter
or space means "next", the most common thing to say. When standard input is
a pipe or file, each line is a command (a key, or any vocabulary phrase).
The reader thread only posts to the session's queue.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from coach.session.events import Command, Event
from coach.vocabulary import Vocabulary

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

KEY_HELP = "Enter next · r repeat · p pause · c continue · b back · s skip · q stop · ? status"


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

    def _lines(self) -> None:
        for line in self._stream:
            self._post(command_for_line(line, self.vocabulary), line.strip())

    def _keys(self) -> None:
        fd = self._stream.fileno()
        while True:
            try:
                key = os.read(fd, 1).decode(errors="ignore")
            except OSError:
                return
            if not key:
                return
            typed = "" if key in "\r\n" else key.lower()
            self._post(KEYS.get(typed), typed)

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
