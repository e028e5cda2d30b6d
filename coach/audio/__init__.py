"""Sound out: tones, a sample-accurate mixer and the output stream."""
