"""Bundled command vocabularies, one YAML file per language (English is built in)."""
