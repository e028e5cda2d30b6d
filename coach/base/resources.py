"""Where the bundled scripts, default config and audio assets live.

In a source checkout they sit beside the package; a wheel carries them inside
it under `_bundled/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _bundled(name: str) -> Path:
    beside = _PACKAGE.parent / name
    if beside.exists():
        return beside
    return _PACKAGE / "_bundled" / name


def scripts_dir() -> Path:
    return _bundled("scripts")


def default_config_path() -> Path:
    return _bundled("config.yaml")


def audio_assets_dir() -> Path:
    return _bundled("audio_assets")
