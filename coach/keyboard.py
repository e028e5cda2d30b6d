"""Keyboard commands: a line on standard input becomes a command.

Enter alone means "next" (the most common thing to say); a single key or any
phrase of the vocabulary works too. The reader thread only posts to the
session's queue.
"""

from __future__ import annotations

import queue
import threading
from typing import TextIO

from coach.session.events import Command, Event
from coach.vocabulary import Vocabulary

KEYS: dict[str, str] = {
    "": "next",
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

KEY_HELP = "Enter/n next · r repeat · p pause · c continue · b back · s skip · q stop · ? status"


def command_for_line(line: str, vocabulary: Vocabulary) -> str | None:
    typed = line.strip().lower()
    return KEYS.get(typed) or vocabulary.command_for(typed)


def start_keyboard(
    events: queue.Queue[Event], stream: TextIO, vocabulary: Vocabulary | None = None
) -> threading.Thread:
    vocab = vocabulary or Vocabulary()

    def read() -> None:
        for line in stream:
            command = command_for_line(line, vocab)
            if command is not None:
                events.put(Command(command, source="keyboard", text=line.strip()))

    thread = threading.Thread(target=read, name="keyboard", daemon=True)
    thread.start()
    return thread
