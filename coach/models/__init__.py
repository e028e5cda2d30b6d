"""Speech models: fetched, rebuilt and found on disk (vosk, Moonshine, ONNX runtimes,
Silero's fallback), and the bundled weights in data/."""
