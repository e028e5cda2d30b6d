"""Suggestions that name what was meant, and one report per root cause (issue 19, item 12)."""

from __future__ import annotations

from pathlib import Path

from cli import isolated_env, run_coach

TYPOS = """\
workout: Typos
exercises:
  - name: Split squat
    sidse: [left, right]
    stes: 2
    reps: 4
    cues:
      before_set: "Set {set} of {sets}, {side} leg."
      setup: "{side} leg in front, {other_side} behind."
      drive: {text: "Drive!", sides: [left]}
      hold: "{reps_remaining} to go"
      rest: "Next: {next_exercise}"
"""


def test_misspelt_sides_and_sets_are_reported_once_with_the_right_suggestions(
    tmp_path: Path,
) -> None:
    script = tmp_path / "typos.yaml"
    script.write_text(TYPOS, encoding="utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.splitlines() == [
        f"{script}:4:5: unknown key 'sidse' in an exercise; did you mean 'sides'?",
        f"{script}:5:5: unknown key 'stes' in an exercise; did you mean 'sets'?",
        f"{script}:11:13: unknown variable {{reps_remaining}} in cue text; "
        "did you mean {reps_left}?",
        f"{script}:12:13: unknown variable {{next_exercise}} in cue text; did you mean {{next}}?",
    ]
    assert done.stderr == "4 problems found\n"
