"""The application: where the session, the sound, the voice and the listener are put together."""
