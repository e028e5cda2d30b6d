"""Logging a set by voice, end to end: a PulseAudio server with a virtual speaker and
microphone, the real coach with its default listener, and an athlete who says a load
and an RPE in the rest after each set (one set in espeak-ng's voice, one in hibari's),
then finds them in `coach history show`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from athlete import Athlete, CoachProcess, Event
from cli import REPO, coach
from pulse import PulseServer
from retries import Retries

SCRIPT = """\
workout: Logged by voice
exercises:
  - name: Squat
    sets: 2
    reps: 1
    rest: 60
    countdown: 0
    log: [load, rpe]
    tempo: {setup: 2, brace: 1, drive: 1, hold: 1, lower: 1}
"""


@pytest.fixture
def session(pulse: PulseServer, tmp_path: Path) -> Iterator[tuple[CoachProcess, Athlete, Path]]:
    home, voices = tmp_path / "home", tmp_path / "voice"
    home.mkdir()
    voices.mkdir()
    script = tmp_path / "logged.yaml"
    script.write_text(SCRIPT)
    process = CoachProcess(["run", str(script), "--json", "--plain"], pulse, home, REPO)
    athlete = Athlete(pulse, process, voices)
    try:
        yield process, athlete, home
    finally:
        athlete.close()
        process.kill()


def _log(
    coach_process: CoachProcess, athlete: Athlete, kind: str, value: float,
    phrases: tuple[str, ...], voice: str, retries: Retries, tries: int = 6,
) -> Event:  # fmt: skip
    """Say the phrases in turn until the coach logs `value`, as a person says it again
    when the coach says back something else (a later value corrects an earlier one)."""
    for attempt in retries.tries(f"{kind} {value:g}", tries):
        mark = len(coach_process.snapshot())
        athlete.say(phrases[attempt % len(phrases)], voice)
        try:
            return coach_process.wait_for(
                lambda e: e["event"] == "logged" and e["kind"] == kind and e["value"] == value,
                timeout=6, after=mark,
            )  # fmt: skip
        except AssertionError:
            continue
    heard = [e for e in coach_process.snapshot() if e["event"] in ("command", "logged")]
    raise AssertionError(f"the coach never logged {kind} {value} ({phrases} in {voice}): {heard}")


def _latest(events: list[Event], set_number: int) -> dict[str, float]:
    return {
        e["kind"]: e["value"] for e in events if e["event"] == "logged" and e["set"] == set_number
    }


def test_a_load_and_an_rpe_said_in_the_rest_reach_the_history(
    session: tuple[CoachProcess, Athlete, Path],
) -> None:
    coach_process, athlete, home = session
    # Said clearly, as to a coach across the room: espeak-ng runs "R P E" together
    # unless the letters are sentences of their own.
    said = {
        1: ("espeak", 60.0, ("sixty kilos", "sixty kilograms"), 8.0,
            ("R. P. E. eight", "R, P, E, eight")),
        2: ("hibari", 80.0, ("eighty kilos", "eighty kilograms"), 9.0,
            ("R P E nine", "R. P. E. nine")),
    }  # fmt: skip
    # Four values said, each said again at most once on average.
    retries = Retries(allowed=4)
    for set_number, (voice, load, load_said, rpe, rpe_said) in said.items():
        mark = len(coach_process.snapshot())
        coach_process.wait_for(
            lambda e: e["event"] == "say" and e["text"] == "Load?",
            timeout=90 if set_number == 1 else 30, after=mark,
        )  # fmt: skip
        wanted = {"load": (load, load_said), "rpe": (rpe, rpe_said)}
        # Like a person hearing "Eight kilos. RPE?" said back, say a value again until
        # both are right (a later value corrects an earlier one; a load said with its
        # unit is heard while RPE is asked).
        for _ in range(4):
            latest = _latest(coach_process.snapshot(), set_number)
            wrong = [kind for kind, (value, _) in wanted.items() if latest.get(kind) != value]
            if not wrong:
                break
            value, phrases = wanted[wrong[0]]
            _log(coach_process, athlete, wrong[0], value, phrases, voice, retries)
        assert _latest(coach_process.snapshot(), set_number) == {"load": load, "rpe": rpe}
        athlete.command("next", "next", "ready")  # done logging: on with the workout
    coach_process.wait_for(lambda e: e["event"] == "done", timeout=40)
    code, stderr = coach_process.finish()
    assert code == 0, stderr

    shown = json.loads(coach("history", "show", "1", "--json", home=home, check=True).stdout)
    values = {
        s["set"]: (s["load"]["value"], s["load"]["unit"], s["rpe"]["value"])
        for s in shown["sets"] if "load" in s
    }  # fmt: skip
    assert values == {1: (60.0, "kg", 8.0), 2: (80.0, "kg", 9.0)}
    printed = coach("history", "show", "1", home=home, check=True).stdout
    assert "60 kg" in printed and "80 kg" in printed
