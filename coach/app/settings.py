"""The settings every command runs with: config files and COACH_* variables, the flags on top."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line starts without the settings' modules
    from coach.config import Settings

# The flags (argparse destinations) that override a setting, and which one.
FLAG_SETTINGS: dict[str, str] = {
    "device": "audio.output_device",
    "input_device": "audio.input_device",
    "barge_in": "listen.barge_in",
    "backend": "listen.backend",
    "model": "listen.vosk_model",
    "verify": "listen.verify",
    "denoise": "listen.denoise",
    "language": "commands.language",
    "wake_word": "commands.attention",  # coach serve --wake-word: menu and session alike
    "music": "music.path",
}


def settings_for(args: argparse.Namespace | None = None) -> Settings:
    """The effective settings for a command; a flag left out (None) leaves the setting be."""
    from coach.config import load_settings

    flags = vars(args) if args is not None else {}
    return load_settings({key: flags.get(dest) for dest, key in FLAG_SETTINGS.items()})
