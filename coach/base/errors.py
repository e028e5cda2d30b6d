"""Errors a user can fix: the CLI prints them as one line and exits 2."""


class CoachError(Exception):
    """Bad input or a missing resource, described in one line for the user."""
