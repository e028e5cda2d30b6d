"""Where the listener's audio comes from: the microphone or a recording."""
