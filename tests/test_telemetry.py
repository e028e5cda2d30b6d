"""No telemetry (issue 19, item 10): onnxruntime, loaded by the listener, writes a device
id under ~/.cache/Microsoft unless it is told not to before it is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest
from cli import REPO


@pytest.mark.parametrize("backend", ["auto", "pocketsphinx"])
def test_recognize_leaves_no_onnxruntime_device_id(tmp_path: Path, backend: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    wav = tmp_path / "next.wav"
    said = subprocess.run(
        [sys.executable, "-m", "coach", "say", "next", "--output-wav", str(wav)], cwd=REPO,
        env={**os.environ, "COACH_HOME": str(tmp_path / "coach")}, capture_output=True,
        text=True, timeout=60,
    )
    assert said.returncode == 0, said.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "XDG_", "ORT_"))}
    # A fresh HOME, but the moonshine model already rebuilt (conftest) where it is.
    env.update(HOME=str(home), COACH_HOME=str(tmp_path / "coach"),
               COACH_CACHE=platformdirs.user_cache_dir("coach"))
    done = subprocess.run(
        [sys.executable, "-m", "coach", "recognize", str(wav), "--backend", backend],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert not (home / ".cache" / "Microsoft").exists()
    assert not [p for p in home.rglob("*") if "onnxruntime" in p.name.lower()]
