"""The coach's voice: text-to-speech rendered ahead of time, cleaned up and cached."""
