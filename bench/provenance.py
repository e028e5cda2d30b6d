"""Where a benchmark's figures came from: the commit, the machine, and the versions of
the tools that made the corpus and of the engines that heard it.

Every corpus manifest and every `--json-out` result carries `provenance()`, so a
figure in bench/README.md can be traced to what made it; the corpus cache also hashes
`generator_versions()`, so a new espeak-ng or hibari-tts makes the corpus anew.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The command-line tools the corpus is made with, and how each says its version.
_TOOLS = {"espeak-ng": ["espeak-ng", "--version"], "flite": ["flite", "--version"],
          "sox": ["sox", "--version"]}  # fmt: skip
# The Python packages that make the corpus's voices, and those that hear it.
_GENERATOR_PACKAGES = ("hibari-tts",)
_ENGINE_PACKAGES = ("moonshine-cpp", "onnxruntime", "pocketsphinx", "vosk", "numpy")


def _tool_version(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None  # not installed
    said = (done.stdout + done.stderr).strip()
    found = re.search(r"\d+(\.\d+)+[\w.-]*", said)
    return found.group(0) if found else (said.splitlines() or [""])[0][:80] or None


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def generator_versions() -> dict[str, str | None]:
    """The versions of what makes the corpus's audio (None: not installed)."""
    versions = {name: _tool_version(command) for name, command in _TOOLS.items()}
    versions.update({name: _package_version(name) for name in _GENERATOR_PACKAGES})
    return versions


def engine_versions() -> dict[str, str | None]:
    """The versions of what hears it (None: not installed)."""
    return {name: _package_version(name) for name in _ENGINE_PACKAGES}


def commit() -> str | None:
    """The checkout's commit, with "+dirty" when files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def cpu() -> str:
    """The processor's model name, as /proc/cpuinfo gives it where it can."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith(("model name", "hardware", "processor\t: arm")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def provenance() -> dict[str, object]:
    """The commit, machine and versions a result or a corpus was made with."""
    return {
        "commit": commit(),
        "cpu": cpu(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "versions": {**generator_versions(), **engine_versions()},
    }
