"""Terminal escapes in a script are shown, never obeyed (issue 19, item 14)."""

from __future__ import annotations

import json
from pathlib import Path

from cli import isolated_env, run_coach

EVIL = (
    'workout: "Evil\\e]2;PWNED\\a"\n'
    "exercises:\n"
    '  - name: "Bridge\\e[2J"\n'
    "    sets: 1\n"
    "    reps: 1\n"
    "    tempo: {setup: 1}\n"
    '    cues: {drive: "Up\\e[2J now\\u202e"}\n'
)

RAW = ("\x1b", "\x07", "\u202e")


def _clean(text: str) -> None:
    assert not [c for c in RAW if c in text], repr(text)


def test_validate_escapes_control_characters_in_keys(tmp_path: Path) -> None:
    script = tmp_path / "evil.yaml"
    script.write_text(EVIL.replace("    sets: 1\n", '    "\\e]2;PWNED\\a": 1\n'), "utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 1
    _clean(done.stdout + done.stderr)
    assert "unknown key '\\x1b]2;PWNED\\x07' in an exercise" in done.stdout


def test_the_text_timeline_escapes_names_and_cues(tmp_path: Path) -> None:
    script = tmp_path / "evil.yaml"
    script.write_text(EVIL, "utf-8")
    done = run_coach("run", str(script), "--simulate", env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 0, done.stderr
    _clean(done.stdout + done.stderr)
    assert "Bridge\\x1b[2J · set 1/1" in done.stdout
    assert "“Up\\x1b[2J now\\u202e”" in done.stdout


def test_json_output_keeps_the_text_as_it_is(tmp_path: Path) -> None:
    script = tmp_path / "evil.yaml"
    script.write_text(EVIL, "utf-8")
    done = run_coach("run", str(script), "--simulate", "--json", env=isolated_env(tmp_path),
                     timeout=30)
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(e.get("exercise") == "Bridge\x1b[2J" for e in events)
    assert "\x1b" not in done.stdout  # JSON's own escaping


def test_an_error_message_escapes_what_it_quotes(tmp_path: Path) -> None:
    done = run_coach("run", "no\x1b]2;PWNED\x07such", env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 2
    _clean(done.stderr)
    assert "no\\x1b]2;PWNED\\x07such" in done.stderr
