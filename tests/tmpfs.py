"""A tmpfs of a test's own (a full disk, a read-only folder): mounting needs root, so
the test is skipped, with the reason, where it can't be had."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def mounted_tmpfs(at: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted on the folder `at` (made here) with mount's -o `options`."""
    at.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(at)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"can't mount a tmpfs: {made.stderr.strip()}")
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=False)
