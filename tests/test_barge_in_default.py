"""Barge-in is on by default where its echo canceller can run, and quietly off elsewhere."""

from __future__ import annotations

import sys

import pytest

from coach.config import load_settings
from coach.session.listening import canceller_available


def test_barge_in_is_the_default_and_the_config_turns_it_off() -> None:
    assert load_settings(environ={}).listen.barge_in is True
    assert load_settings({"listen.barge_in": False}, environ={}).listen.barge_in is False


def test_without_pyaec_barge_in_falls_back_to_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyaec", None)
    assert canceller_available() is False
