"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulse import PulseServer, PulseUnavailable


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A private PulseAudio server: `speaker` and `mic` null sinks (see tests/pulse.py)."""
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    try:
        server.start()
    except PulseUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def moonshine_prepared() -> None:
    """The moonshine backend's model, rebuilt once before any test needs it: the first
    `coach` a test starts would otherwise spend some 40 seconds on it, inside its timeout."""
    from coach.listen import moonshine_model

    if moonshine_model.available():
        moonshine_model.prepared()
