"""The live panel tells the truth: what it can hear, whether it speaks, and the end."""

from __future__ import annotations

import io

from rich.console import Console
from simulate import exercise

from coach.app.display import ListenRow, LiveDisplay
from coach.plan import expand
from coach.script.model import Workout
from coach.session.clock import VirtualClock
from coach.session.events import Command
from coach.session.machine import Session
from coach.session.speech import EstimatedSpeech


def shown(display: LiveDisplay, width: int = 80) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(display.render())
    return console.export_text().splitlines()


def session() -> Session:
    workout = Workout(name="W", exercises=(exercise(sets=2, reps=1, rest=10.0),))
    s = Session(expand(workout), EstimatedSpeech())
    s.start(0.0)
    return s


def display(s: Session, hearing: ListenRow, speaker: str | None = None) -> LiveDisplay:
    quiet = Console(file=io.StringIO(), width=80)
    return LiveDisplay(s, VirtualClock(), lambda: hearing, speaker, console=quiet)


def test_without_a_microphone_the_panel_says_so_and_shows_no_meter() -> None:
    d = display(session(), ListenRow("off: no microphone found; the keys work"),
                speaker="no speaker: coaching on screen")
    try:
        text = "\n".join(shown(d))
    finally:
        d.close()
    assert "off: no microphone found" in text
    assert "no speaker: coaching on screen" in text
    assert "dB" not in text


def test_while_listening_the_meter_shows_the_level() -> None:
    d = display(session(), ListenRow("listening", -42.0))
    try:
        text = "\n".join(shown(d))
    finally:
        d.close()
    assert "listening" in text and "-42 dB" in text


def test_the_key_help_fits_80_columns_with_every_key() -> None:
    d = display(session(), ListenRow("listening", -42.0))
    try:
        lines = shown(d)
    finally:
        d.close()
    assert all(len(line) <= 80 for line in lines)
    help_lines = [line for line in lines if "Enter next" in line or "+ faster" in line]
    assert len(help_lines) == 2
    joined = " ".join(help_lines)
    for key in ("r repeat", "p pause", "c continue", "b back", "s skip", "q stop",
                "? status", "h help", "- slower", "+ faster"):
        assert key in joined, key


def test_after_stop_the_panel_shows_the_end() -> None:
    s = session()
    s.handle(Command("stop"), 1.0)
    d = display(s, ListenRow("listening", -42.0))
    try:
        text = "\n".join(shown(d))
    finally:
        d.close()
    assert "DONE" in text and "stopped" in text
    assert "rest 10 s" not in text
    assert "ended" in text


def test_the_hint_to_type_a_value_shows_only_for_a_plan_that_logs() -> None:
    plain = display(session(), ListenRow("listening", -42.0))
    workout = Workout(name="W", exercises=(exercise(sets=2, reps=1, rest=10.0, log=("load",)),))
    logging = Session(expand(workout), EstimatedSpeech())
    logging.start(0.0)
    logs = display(logging, ListenRow("listening", -42.0))
    try:
        without, with_log = "\n".join(shown(plain)), "\n".join(shown(logs))
    finally:
        plain.close()
        logs.close()
    assert "+ faster" in without and "Enter log" not in without
    assert "+ faster · 80kg Enter log" in with_log
