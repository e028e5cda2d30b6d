"""Words a user reads that were wrong: the timeline's clock, what validation names as
bad, what a binary file is called."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli import coach

from coach.script.loader import check_script
from coach.session.timeline import clock_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(59.96, " 1:00.0"), (59.94, " 0:59.9"), (119.99, " 2:00.0"), (0.0, " 0:00.0"),
     (61.3, " 1:01.3"), (3599.96, "60:00.0")],
)  # fmt: skip
def test_the_timeline_clock_never_shows_sixty_seconds(seconds: float, shown: str) -> None:
    assert clock_text(seconds) == shown


def test_validation_names_the_bad_part_of_a_list(tmp_path: Path) -> None:
    script = tmp_path / "w.yaml"
    script.write_text(
        "workout: W\nexercises:\n  - {name: T, intervals: []}\n"
        "  - name: P\n    seconds: 30\n    time_calls: {left: [10, 0]}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_script(script)]
    assert problems == [
        f"{script}:3:26: intervals: expected {{work: SECONDS, rest: SECONDS}} or a list of them "
        "with names, got an empty list: give at least one",
        f"{script}:6:29: left: expected seconds left to call, above 0, e.g. 10 or [30, 10], "
        "got 0 (item 2 of the list)",
    ]


def test_a_program_is_not_called_utf16_text(tmp_path: Path) -> None:
    program = Path("/bin/ls")
    if not program.is_file():
        pytest.skip("no /bin/ls here")
    result = coach("validate", str(program), home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == (
        f"{program}:1:1: the file is not text (a program or other binary file?); give a YAML file\n"
    )
