"""ONNX Runtime sessions for the listener's small models (Silero VAD, the embeddings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def session(model: Path, *, arena: bool = True) -> Any:
    """A CPU session on one thread: each run is a fraction of a millisecond to a few
    milliseconds of work, and the listener shares two cores with the coach's audio.
    `arena=False`: for inputs that are small and of a fixed shape, where the memory
    arena only holds memory."""
    import onnxruntime as ort

    ort.disable_telemetry_events()  # belt and braces: coach/__init__.py opts out at import
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if not arena:
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
