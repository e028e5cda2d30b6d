"""`coach new`: a starter script of each kind that validates, with its schema line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cli import coach

from coach.app.starter import KINDS
from coach.script.loader import check_script, load_workout
from coach.script.schema import json_schema


@pytest.mark.parametrize("kind", KINDS)
def test_a_starter_script_validates_and_points_at_the_schema(tmp_path: Path, kind: str) -> None:
    result = coach("new", str(tmp_path / f"my-{kind}"), "--kind", kind, home=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / f"my-{kind}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=coach.schema.json"
    assert check_script(path) == []
    schema = json.loads((tmp_path / "coach.schema.json").read_text(encoding="utf-8"))
    assert schema == json_schema()
    jsonschema = pytest.importorskip("jsonschema", reason="needs jsonschema, a dev extra")
    jsonschema.validate(yaml.safe_load(text), schema)
    kinds = {e.kind for e in load_workout(str(path)).exercises}
    assert kinds == {"reps": {"reps"}, "timed": {"timed"}, "intervals": {"intervals"},
                     "circuit": {"timed", "reps"}}[kind]  # fmt: skip


def test_new_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "plank.yaml").write_text("workout: mine\n", encoding="utf-8")
    result = coach("new", str(tmp_path / "plank"), "--kind", "timed", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"coach: {tmp_path / 'plank.yaml'} already exists; pick another name or move it first"
    )
    assert (tmp_path / "plank.yaml").read_text(encoding="utf-8") == "workout: mine\n"
