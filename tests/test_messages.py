"""Small messages that were wrong, missing or too much (issue 19, item 13), through
the real `coach` command."""

from __future__ import annotations

import os
from pathlib import Path

from cli import isolated_env, run_coach


def _one_line(done, code: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert words in lines[0], lines[0]


def test_validate_takes_bundled_names_and_says_ok_on_stdout(tmp_path: Path) -> None:
    done = run_coach("validate", "hip-thrust", "demo", env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2 scripts OK\n" and done.stderr == ""


def test_validate_a_folder_or_fifo_says_what_it_is(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    _one_line(run_coach("validate", str(tmp_path), env=env, timeout=30), 2,
              "is a directory, not a cue script")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    _one_line(run_coach("validate", str(fifo), env=env, timeout=30), 2,
              "is not a regular file")


def test_every_mistake_in_a_config_file_is_shown(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("voice:\n  rate: fast\n  volum: 1\n", encoding="utf-8")
    env = {**isolated_env(tmp_path), "COACH_CONFIG": str(config)}
    done = run_coach("run", "demo", "--simulate", env=env, timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"coach: {config}:2:9: voice.rate: expected a whole number, got 'fast'",
        f"coach: {config}:3:3: unknown key 'voice.volum'; did you mean 'volume'?",
    ]


def test_a_misspelt_variable_is_named_with_the_right_one(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "COACH_VOICE_RAT": "150"}
    done = run_coach("run", "demo", "--simulate", env=env, timeout=30)
    assert done.returncode == 0
    assert "COACH_VOICE_RAT is not a coach setting, so it is ignored; did you mean " \
        "COACH_VOICE_RATE?" in done.stderr


def test_coach_config_naming_a_folder_is_refused(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "COACH_CONFIG": str(tmp_path)}
    _one_line(run_coach("config", env=env, timeout=30), 2,
              "is a directory; point it at a YAML config file, or unset it")


def test_coach_config_says_where_defaults_and_history_are(tmp_path: Path) -> None:
    done = run_coach("config", env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 0, done.stderr
    assert f"History: {tmp_path / 'history.sqlite3'}" in done.stdout
    assert "config.yaml: " in done.stdout and "it does not exist" in done.stdout


def test_a_home_folder_of_nobody_is_a_clear_mistake(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "COACH_HISTORY_PATH": "~nosuchuser/h.sqlite3"}
    _one_line(run_coach("history", env=env, timeout=30), 2,
              "COACH_HISTORY_PATH: can't expand '~nosuchuser/h.sqlite3' (no such user)")
    _one_line(run_coach("export", "demo", "-o", "~nosuchuser/x.ogg", env=isolated_env(tmp_path),
                        timeout=30), 2, "no such user's home folder; write the full path")


def test_export_to_a_missing_folder_says_so_before_rendering(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.ogg"
    _one_line(run_coach("export", "demo", "-o", str(target), env=isolated_env(tmp_path),
                        timeout=30), 2, f"the folder '{target.parent}' doesn't exist")


def test_a_simulated_pause_asks_for_resume(tmp_path: Path) -> None:
    done = run_coach("run", "demo", "--simulate", "--commands", "5:pause",
                     env=isolated_env(tmp_path), timeout=30)
    _one_line(done, 2, "waits for 'resume'; add it to --commands")


def test_serve_needs_a_positive_number_of_sessions(tmp_path: Path) -> None:
    done = run_coach("serve", "--no-audio", "--sessions", "-1", env=isolated_env(tmp_path),
                     timeout=30)
    assert done.returncode == 2 and "argument --sessions: must be 1 or more" in done.stderr


def test_model_download_offline_is_one_line(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "HTTPS_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9"}
    done = run_coach("model", "download", "en-us", env=env, timeout=60)
    _one_line(done, 2, "could not download vosk-model-small-en-us-0.15: no connection")
    assert "Exception ignored" not in done.stderr


def test_a_very_long_name_is_not_echoed(tmp_path: Path) -> None:
    script = tmp_path / "long.yaml"
    script.write_text(f"workout: {'W' * 5000}\nexercises: [{{name: Bridge}}]\n", encoding="utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 1
    assert done.stdout.strip() == (
        f"{script}:1:10: workout: the name is 5000 characters long; keep it to 100 or fewer"
    )


def test_extending_a_file_that_is_no_script_does_not_print_it(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.write_text("".join(f"user{i}: hunter{i}\n" for i in range(27)), encoding="utf-8")
    script = tmp_path / "child.yaml"
    script.write_text("workout: x\nextends: secrets\nexercises: [{name: a}]\n", encoding="utf-8")
    done = run_coach("validate", str(script), env=isolated_env(tmp_path), timeout=30)
    assert done.returncode == 1 and "hunter" not in done.stdout + done.stderr
    assert done.stdout.strip() == (
        f"{script}:2:10: extends: 'secrets' is not a cue script "
        "(it has no 'workout' or 'exercises')"
    )


def test_a_very_long_script_name_is_not_echoed(tmp_path: Path) -> None:
    done = run_coach("run", "x" * 5000, "--simulate", env=isolated_env(tmp_path), timeout=30)
    _one_line(done, 2, "… (5000 characters)' as a cue script path: File name too long")
    assert len(done.stderr) < 300


def test_home_folders_of_nobody_in_the_environment_and_model_path(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "COACH_HOME": "~nosuchuser/h"}
    _one_line(run_coach("history", env=env, timeout=30), 2,
              "environment COACH_HOME: can't expand '~nosuchuser/h' (no such user)")
    _one_line(run_coach("model", "path", "~nosuchuser/x", env=isolated_env(tmp_path),
                        timeout=30), 2, "~nosuchuser/x: no such user's home folder")
