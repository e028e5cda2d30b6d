"""Endpointing: speech and the foreground voice found in frames."""
