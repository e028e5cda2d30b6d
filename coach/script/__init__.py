"""Cue scripts: the YAML format, its loader, validator and JSON Schema."""
