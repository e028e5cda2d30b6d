"""Saying a command again, counted. A live test says a command again when the coach
didn't hear it, as a person does; each test states how many times it may, and fails past
that, so the retries can't hide a listener that has got worse."""

from __future__ import annotations

from collections.abc import Iterator


class Retries:
    """The sayings a test needed beyond the first of each command; more than `allowed`
    in one test fails it."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.used = 0

    def tries(self, what: str, most: int) -> Iterator[int]:
        """Attempts 0, 1, … at `what`, at most `most`; each after the first is a retry.
        The failure is raised here, outside the caller's `except AssertionError`."""
        for attempt in range(most):
            if attempt:
                self.used += 1
                if self.used > self.allowed:
                    raise AssertionError(
                        f"{what}: {self.used} retries in this test, more than the "
                        f"{self.allowed} it allows"
                    )
            yield attempt
