"""A cue cache that can't be written: coach on without it, with one warning (issue 19,
item 9). A read-only file system needs a tmpfs of our own, so root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli import isolated_env, run_coach
from tmpfs import mounted_tmpfs

WARNING = "can't be written (Read-only file system); cues are kept in memory this time"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """COACH_HOME with its cache/ folder on a read-only file system."""
    with mounted_tmpfs(tmp_path / "cache", "size=1m,ro"):
        yield tmp_path


@pytest.mark.parametrize("command", [
    ["run", "demo", "--no-audio", "--speed", "50", "--plain"],
    ["render", "demo"],
    ["export", "demo", "-o", "{home}/demo.ogg"],
])
def test_a_read_only_cache_is_coached_around(home: Path, command: list[str]) -> None:
    args = [part.format(home=home) for part in command]
    done = run_coach(*args, env=isolated_env(home), timeout=180)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "cue cache" in line]
    assert len(warnings) == 1 and WARNING in warnings[0], done.stderr
