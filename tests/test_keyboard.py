"""Keys in a terminal: one key is one command, and Enter alone is "next"."""

from __future__ import annotations

import os
import pty
import queue

import pytest

from coach.app.keyboard import ENTER_AFTER_KEY, KEY_HELP, KEYS, KeyPresses, start_keyboard
from coach.session.events import Command, Event


def pressed(*keys: tuple[str, float]) -> list[str]:
    presses = KeyPresses()
    return [c for key, at in keys if (c := presses.command(key, at)) is not None]


def test_a_key_followed_by_enter_is_one_command() -> None:
    assert pressed(("p", 0.0), ("\n", 0.3), ("c", 5.0), ("\n", 5.2)) == ["pause", "resume"]


def test_enter_alone_is_next() -> None:
    assert pressed(("\n", 0.0), ("\n", 1.0)) == ["next", "next"]
    assert pressed(("p", 0.0), ("\n", ENTER_AFTER_KEY + 1.0)) == ["pause", "next"]
    assert pressed(("n", 0.0), ("\n", 0.1), ("\n", 0.5)) == ["next", "next"]


def test_a_key_help_line_names_every_key_and_fits_80_columns() -> None:
    lines = KEY_HELP.splitlines()
    assert all(len(line) <= 80 - 4 for line in lines)  # inside the panel's border
    words = KEY_HELP.split()
    for key in KEYS:
        if key.strip() and key != "n":
            assert key in words, key


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_typed_in_a_terminal_a_key_and_enter_give_one_command() -> None:
    master, slave = pty.openpty()
    events: queue.Queue[Event] = queue.Queue()
    with os.fdopen(slave, "r", closefd=True) as stream:
        keyboard = start_keyboard(events, stream)
        try:
            os.write(master, b"p\n")
            first = events.get(timeout=5)
            os.write(master, b"q")
            second = events.get(timeout=5)
        finally:
            keyboard.close()
            os.close(master)
    assert isinstance(first, Command) and first.name == "pause"
    assert isinstance(second, Command) and second.name == "stop"  # the Enter made nothing
