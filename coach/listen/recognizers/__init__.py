"""Recognizer backends; each imports its engine only when constructed."""
