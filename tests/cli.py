"""Run the real `coach` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def coach_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COACH_HOME"] = str(home)
    env.pop("COVERAGE_PROCESS_START", None)
    return env


def coach(
    *args: str, home: Path, check: bool = False, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "coach", *args],
        cwd=REPO,
        env=coach_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"coach {' '.join(args)} failed:\n{result.stderr}")
    return result


def isolated_env(home: Path, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """An environment that reads no user config: the caller's COACH_* settings dropped,
    COACH_HOME at `home`, COACH_CONFIG at a file that doesn't exist; `extra` on top."""
    env = {k: v for k, v in (base or os.environ).items() if not k.startswith("COACH_")}
    env.pop("COVERAGE_PROCESS_START", None)
    env.update(COACH_HOME=str(home), COACH_CONFIG=str(home / "no-user-config.yaml"), **extra)
    return env


def run_coach(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`coach ARGS` in `env`, with nothing on its standard input."""
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
