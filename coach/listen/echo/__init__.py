"""The coach's own voice taken out of what the microphone hears (barge-in)."""
