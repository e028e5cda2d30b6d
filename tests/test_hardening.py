"""Hostile and mistaken input, through the real `coach` command (issue 19).

Every case: one clear line on stderr, the exit code the contract gives, no
traceback, and no hang (each run has a timeout).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli import isolated_env, run_coach

SCRIPT = """\
workout: Tiny
exercises:
  - name: Bridge
    sets: 1
    reps: 2
    rest: 0
    tempo: {{setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}}
    cues:
      drive: {drive}
"""


def _script(tmp_path: Path, drive: str = '"Up!"', name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(SCRIPT.format(drive=drive), encoding="utf-8")
    return path


def _one_clean_line(done: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert words in lines[0], lines[0]


# -- 1: a long cue ------------------------------------------------------------------


def test_validate_refuses_a_cue_too_long_to_speak(tmp_path: Path) -> None:
    script = _script(tmp_path, drive='"' + "Drive through the heel. " * 4200 + '"')
    env = isolated_env(tmp_path)
    done = run_coach("validate", str(script), env=env, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "drive: the cue is 100800 characters long, more than 1000" in done.stdout
    run = run_coach("run", str(script), "--simulate", env=env, timeout=60)
    _one_clean_line(run, 2, "split it into a list of shorter cues")


def test_say_speaks_a_text_longer_than_espeak_takes_at_once(tmp_path: Path) -> None:
    wav = tmp_path / "long.wav"
    text = "Drive through the heel. " * 920  # past the length that crashed espeak's driver
    done = run_coach("say", text, "--output-wav", str(wav), env=isolated_env(tmp_path),
                     timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert wav.stat().st_size > 0


# -- 2 and 3: settings out of range -----------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COACH_SESSION_AUTO_NEXT", ".nan", "expected a number from 0 to 3600"
         " (or null), got .nan"),
        ("COACH_SESSION_AUTO_NEXT", ".inf", "got .inf"),
        ("COACH_AUDIO_SAMPLE_RATE", "0", "expected a whole number from 8000"
         " to 192000, got 0"),
        ("COACH_SESSION_TEMPO_STEP", "-0.5", "expected a number from 0.01 to 1"),
        ("COACH_SESSION_TEMPO_MAX", "0", "expected a number from 1 to 10, got 0"),
        ("COACH_SESSION_TEMPO_MIN", ".nan", "expected a number from 0.1 to 1"),
        ("COACH_VOICE_RATE", "100000", "expected a whole number from 50 to 500"),
        ("COACH_VOICE_LOUDNESS", ".inf", "expected a number from -60 to 0"),
    ],
)
def test_an_environment_setting_out_of_range_is_refused(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = isolated_env(tmp_path, **{variable: value})
    done = run_coach("run", "demo", "--simulate", env=env, timeout=30)
    _one_clean_line(done, 2, f"environment {variable}: ")
    assert message in done.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("session:\n  auto_next: .nan\n", "config.yaml:2:14: session.auto_next: expected a number"
         " from 0 to 3600 (or null), got .nan"),
        ("session:\n  tempo_min: 1.5\n", "config.yaml:2:14: session.tempo_min: expected a number"
         " from 0.1 to 1, got 1.5"),
        ("audio:\n  sample_rate: 0\n", "config.yaml:2:16: audio.sample_rate: expected a whole"
         " number from 8000 to 192000, got 0"),
    ],
)
def test_a_config_file_setting_out_of_range_is_refused_where_it_is_written(
    tmp_path: Path, setting: str, message: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(setting, encoding="utf-8")
    env = {**isolated_env(tmp_path), "COACH_CONFIG": str(config)}
    done = run_coach("run", "demo", "--simulate", env=env, timeout=30)
    _one_clean_line(done, 2, message)
