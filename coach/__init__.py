"""coach: an offline, hands-free, voice-guided workout coach."""

import os

# onnxruntime (the listener's models, hibari's voice) writes a device id under
# ~/.cache/Microsoft and queues a usage event in every process that imports it,
# unless this is set before the import; every coach process imports this first.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
