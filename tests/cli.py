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


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
