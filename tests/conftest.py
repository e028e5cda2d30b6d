"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pulse import PulseServer, PulseUnavailable


@pytest.fixture
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A PulseAudio server of the test's own, `speaker` and `mic` null sinks (see
    tests/pulse.py): tests that run at once (pytest-xdist) never hear each other.
    Where PulseAudio can't run the test is skipped, saying why; in CI it fails."""
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    try:
        server.start()
    except PulseUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def moonshine_prepared() -> None:
    """The moonshine backend's model, rebuilt once before any test needs it: the first
    `coach` a test starts would otherwise spend some 40 seconds on it, inside its timeout."""
    from coach.models import moonshine_model

    if moonshine_model.available():
        moonshine_model.prepared()


# Live sessions at once (pytest-xdist). On two cores, two at once beside the other tests
# now and then missed a command; PYTEST_LIVE_QUEUES raises it on a bigger machine.
LIVE_GROUPS = int(os.environ.get("PYTEST_LIVE_QUEUES", "1"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist (`--dist loadgroup`), the live audio tests run in LIVE_GROUPS
    queues while the rest spreads over every worker."""
    live = [item for item in items if "pulse" in getattr(item, "fixturenames", ())]
    for n, item in enumerate(live):
        item.add_marker(pytest.mark.xdist_group(f"live-{n % LIVE_GROUPS}"))
