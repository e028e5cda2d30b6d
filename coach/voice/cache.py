"""Rendered cues on disk, keyed by everything that changes their sound.

A session never waits on synthesis for a cue it has said before: the key is
the engine's identity (engine, voice, rate), the output rate, the loudness
target and the text, so changing the voice simply misses the cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import platformdirs

from coach.base.samples import Samples

_LOGGER = logging.getLogger(__name__)

# Bump when cleanup or the file format changes, to leave old entries behind.
CACHE_VERSION = 1


def default_cache_dir() -> Path:
    home = os.environ.get("COACH_HOME")
    if home:
        return Path(home).expanduser() / "cache" / "cues"
    return Path(platformdirs.user_cache_dir("coach")) / "cues"


class CueCache:
    def __init__(self, root: Path, identity: str, rate: int, loudness: float, volume: float):
        self.root = root
        self.fingerprint = f"v{CACHE_VERSION}|{identity}|{rate}|{loudness:g}|{volume:g}"
        self.writable = True  # until a write fails: then cues live in memory only

    def path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.fingerprint}|{text}".encode()).hexdigest()
        return self.root / digest[:2] / f"{digest}.npy"

    def get(self, text: str) -> Samples | None:
        path = self.path(text)
        try:
            samples: Samples = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None  # missing, or a half-written file from a crash: render again
        return samples.astype(np.float32, copy=False)

    def put(self, text: str, samples: Samples) -> None:
        if not self.writable:
            return
        try:
            self._write(self.path(text), samples)
        except OSError as exc:  # read-only, full, or not ours: coach on without a cache
            self.writable = False
            _LOGGER.warning(
                "the cue cache %s can't be written (%s); cues are kept in memory this time",
                self.root, exc.strerror or exc,
            )

    @staticmethod
    def _write(path: Path, samples: Samples) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, samples.astype(np.float32), allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
