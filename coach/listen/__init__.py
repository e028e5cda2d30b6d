"""Listening: microphone → resampling → endpointing → recognizer → Command.

Heavy engines (pocketsphinx, vosk, sounddevice, silero) are imported inside the
modules that use them, never at package import.
"""
