"""Bounded work: a huge file, a huge plan or a huge list is refused quickly with one
clear message (issue 19, item 4)."""

from __future__ import annotations

from pathlib import Path

from cli import isolated_env, run_coach


def test_a_huge_script_is_refused_before_parsing(tmp_path: Path) -> None:
    script = tmp_path / "big.yaml"
    entry = '  - name: e{}\n    cues: {{drive: "Drive through the heel and keep going"}}\n'
    with script.open("w", encoding="utf-8") as f:
        f.write("workout: big\nexercises:\n")
        for index in range(200_000):
            f.write(entry.format(index))
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=20)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (
        f"coach: '{script}' is larger than 1 MB; a cue script is a few kilobytes of YAML\n"
    )


def test_a_plan_of_a_million_reps_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "many.yaml"
    script.write_text("workout: x\nexercises: [{name: a, sets: 1000, reps: 1000}]\n", "utf-8")
    done = run_coach("run", str(script), "--simulate", env=isolated_env(tmp_path), timeout=20)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (
        f"coach: {script}:2:12: exercises: the session has 1000000 reps in all; at most 5000 "
        "(check sets, reps and sides)\n"
    )


def test_a_plan_of_days_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "long.yaml"
    script.write_text("workout: x\nexercises: [{name: a, sets: 10, reps: 10, rest: 86400}]\n",
                      "utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=20)
    assert done.returncode == 1
    assert "the session lasts 216 hours without its manual phases; at most 12" in done.stdout


def test_forty_thousand_sides_are_refused_quickly(tmp_path: Path) -> None:
    script = tmp_path / "sides.yaml"
    sides = ", ".join(f"s{i}" for i in range(40_000))
    script.write_text(f"workout: x\nexercises: [{{name: a, sides: [{sides}]}}]\n", "utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=8)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout == f"{script}:2:30: sides: 40000 sides; at most 10\n"
