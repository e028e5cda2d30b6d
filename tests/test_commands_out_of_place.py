"""A command that doesn't apply where the session is gets the coach's own short answer,
or nothing: never a library's warning on the terminal."""

from __future__ import annotations

from pathlib import Path

from cli import coach, json_lines


def test_pause_twice_and_resume_while_running_print_no_library_warning(tmp_path: Path) -> None:
    result = coach(
        "run", "demo", "--simulate", "--json", "--commands", "5:pause,9:pause,10:resume,11:resume",
        home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr == ""
    events = json_lines(result.stdout)
    commands = [(e["t"], e["command"], e.get("ignored", False)) for e in events
                if e["event"] == "command"]  # fmt: skip
    assert commands == [(5.0, "pause", False), (9.0, "pause", True), (10.0, "resume", False),
                        (11.0, "resume", True)]  # fmt: skip
    said = [(e["t"], e["text"]) for e in events if e["event"] == "say"]
    assert (9.0, "Still paused. Say resume when you're ready.") in said
    assert not [text for t, text in said if t == 11.0]  # resume while running: nothing said


def test_a_second_pause_while_the_coach_still_says_paused_adds_nothing(tmp_path: Path) -> None:
    result = coach("run", "demo", "--simulate", "--json", "--commands", "5:pause,6:pause,20:resume",
                   home=tmp_path)  # fmt: skip
    assert result.returncode == 0 and result.stderr == ""
    said = [e["text"] for e in json_lines(result.stdout) if e["event"] == "say"]
    assert "Still paused. Say resume when you're ready." not in said
