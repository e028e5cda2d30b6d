"""A folder where a file was asked for: one line naming a file that fits what is
written there, and exit code 2, before any work is done."""

from __future__ import annotations

from pathlib import Path

from cli import coach


def _refused(tmp_path: Path, *args: str) -> str:
    result = coach(*args, home=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    return line


def test_each_output_given_a_folder_suggests_a_file_of_its_own_kind(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = str(folder)
    is_folder = f"coach: {out}: is a folder; give a file name, e.g. "
    assert _refused(tmp_path, "export", "demo", "-o", out) == is_folder + f"{out}/session.ogg"
    assert _refused(tmp_path, "run", "demo", "--no-audio", "--output-wav", out) == (
        is_folder + f"{out}/session.wav"
    )
    assert _refused(tmp_path, "say", "Hello.", "--output-wav", out) == (
        is_folder + f"{out}/said.wav"
    )
    coach("run", "demo", "--no-audio", "--speed", "50", "--auto-next", "1", "--plain",
          home=tmp_path, check=True, stdin="")  # fmt: skip
    assert _refused(tmp_path, "stats", "--practice", "--html", out) == (
        is_folder + f"{out}/progress.html"
    )


def test_new_given_a_folder_asks_for_a_name_in_it_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    assert _refused(tmp_path, "new", f"{folder}/") == (
        f"coach: {folder}/: is a folder; give the script a name in it, e.g. "
        f"`coach new {folder}/plank`"
    )
    (tmp_path / "plank.yaml").mkdir()
    assert _refused(tmp_path, "new", str(tmp_path / "plank")) == (
        f"coach: {tmp_path}/plank.yaml: is a folder; give a file name, e.g. "
        f"{tmp_path}/plank.yaml/my-workout.yaml"
    )
    assert list(folder.iterdir()) == []
