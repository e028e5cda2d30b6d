"""coach: an offline, hands-free, voice-guided workout coach."""

__version__ = "0.1.0"
