"""YAML syntax errors in plain words at the line of the mistake (issue 19, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli import isolated_env, run_coach

HEAD = "workout: x\nexercises:\n  - name: a\n    cues:\n"

CASES = [
    ("dedented", HEAD + "      drive: Up\n     hold: Squeeze\n      lower: Down\n",
     "6:6: this line is indented less than the key above it (line 5); line it up with the "
     "keys it belongs to"),
    ("dedented-with-value", HEAD + "      drive: Up\n    hold: Squeeze\n      lower: Down\n",
     "6:5: this line is indented less than the key above it (line 5)"),
    ("colon", HEAD + "      rest: Rest {rest} seconds. Next: {next}.\n",
     "5:38: put the text in quotes: it contains ': ', which YAML reads as a new key"),
    ("brace", HEAD + "      setup: {side} leg in front.\n",
     "5:14: put the text in quotes: it starts with `{`, which YAML reads as syntax, not words"),
    ("tab", "workout: x\nexercises:\n\t- name: a\n",
     "3:1: a tab indents this line; YAML needs spaces: replace the tab with spaces"),
    ("quote", HEAD + '      form: "Keep tight\n',
     "5:13: this quoted text is never closed: add the closing quote"),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_syntax_error_is_explained(tmp_path: Path, name: str, text: str, message: str) -> None:
    script = tmp_path / f"{name}.yaml"
    script.write_text(text, encoding="utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith(f"{script}:{message}"), done.stdout
    run = run_coach("run", str(script), "--simulate", env=isolated_env(tmp_path), timeout=30)
    assert run.returncode == 2 and run.stderr.startswith(f"coach: {script}:{message}")


def test_a_utf16_script_and_config_are_named_as_such(tmp_path: Path) -> None:
    script = tmp_path / "wide.yaml"
    script.write_bytes("workout: x\nexercises: [{name: a}]\n".encode("utf-16"))
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.stdout.startswith(f"{script}:1:1: the file is UTF-16 text; save it as UTF-8")
    config = tmp_path / "config.yaml"
    config.write_bytes("voice:\n  rate: 150\n".encode("utf-16"))
    env = {**isolated_env(tmp_path), "COACH_CONFIG": str(config)}
    done = run_coach("config", env=env, timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"coach: {config}:1:1: the file is UTF-16 text; save it as UTF-8")
