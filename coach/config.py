"""Settings: config.yaml, then the user's config, then the environment, then flags.

Each layer may set any subset of keys; every value remembers where it came from
so `coach config` can show it. Config files are checked like cue scripts:
every problem as FILE:LINE:COL with a did-you-mean, no traceback.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from coach.errors import CoachError
from coach.resources import default_config_path
from coach.script.validate import Problem, did_you_mean, show
from coach.script.yamlpos import NodePath, YamlDoc, parse_yaml
from coach.vocabulary import DEFAULT_PHRASES, Vocabulary


@dataclass(frozen=True)
class SessionSettings:
    auto_next: float | None = None
    tempo_step: float = 0.1
    tempo_min: float = 0.5
    tempo_max: float = 2.0


@dataclass(frozen=True)
class HistorySettings:
    path: str | None = None


@dataclass(frozen=True)
class VoiceSettings:
    engine: str = "pyttsx3"
    voice: str | None = None
    rate: int = 170
    volume: float = 1.0
    loudness: float = -20.0


@dataclass(frozen=True)
class AudioSettings:
    output_device: int | str | None = None
    input_device: int | str | None = None
    sample_rate: int = 48000
    block_size: int = 1024
    latency: float | str = 0.2
    tones: bool = True
    metronome: bool = False


@dataclass(frozen=True)
class ListenSettings:
    backend: str = "auto"
    vosk_model: str | None = None
    mute_tail: float = 0.3
    # Listen while the coach talks too (its voice taken out by an echo canceller)
    # instead of going deaf for each cue; off where pyaec can't be imported.
    barge_in: bool = True
    verify: bool = True
    denoise: bool = True


@dataclass(frozen=True)
class CommandSettings:
    language: str = "en"
    phrases: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_PHRASES.items()}
    )


@dataclass(frozen=True)
class Settings:
    session: SessionSettings = SessionSettings()
    history: HistorySettings = HistorySettings()
    voice: VoiceSettings = VoiceSettings()
    audio: AudioSettings = AudioSettings()
    listen: ListenSettings = ListenSettings()
    commands: CommandSettings = CommandSettings()
    # "section.key" → where the value came from (file:line, env VAR, flag).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def vocabulary(self) -> Vocabulary:
        language = self.commands.language
        phrases_from = self.sources.get("commands.phrases", "default")
        if not language.startswith("en") and phrases_from.startswith(("config.yaml", "default")):
            # Another language, and no phrases of the user's: that language's own.
            return Vocabulary.for_language(language)
        phrases = {command: tuple(said) for command, said in self.commands.phrases.items()}
        return Vocabulary(language=language, phrases=phrases)

    def history_path(self) -> Path | None:
        """The configured history file; None leaves it to COACH_HOME or the data dir."""
        if os.environ.get("COACH_HOME") or self.history.path is None:
            return None
        return Path(self.history.path).expanduser()


SECTIONS: dict[str, type[Any]] = {
    "session": SessionSettings,
    "history": HistorySettings,
    "voice": VoiceSettings,
    "audio": AudioSettings,
    "listen": ListenSettings,
    "commands": CommandSettings,
}

CHOICES: dict[str, tuple[str, ...]] = {
    "voice.engine": ("pyttsx3", "hibari", "estimate"),
    "listen.backend": ("auto", "moonshine", "pocketsphinx", "vosk"),
}


def user_config_path() -> Path:
    explicit = os.environ.get("COACH_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir("coach")) / "config.yaml"


# -- checking one value against a field's type ----------------------------------------


def _accepts(kind: Any, value: object) -> bool:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arm, value) for arm in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str) and value != ""
    if origin is dict:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(p, str) for p in v)
            for k, v in value.items()
        )
    return False


_KIND_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _describe(kind: Any) -> str:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(kind))
    if kind is type(None):
        return "null"
    if typing.get_origin(kind) is dict:
        return "a mapping of command → list of phrases"
    return _KIND_NAMES.get(kind, str(kind))


def _coerce(kind: Any, value: object) -> object:
    if kind is float or (kind == (float | None) and value is not None):
        return float(value)  # type: ignore[arg-type]
    return value


# -- layers ---------------------------------------------------------------------------


@dataclass
class _Layers:
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def set(self, section: str, key: str, value: object, source: str) -> None:
        self.values.setdefault(section, {})[key] = value
        self.sources[f"{section}.{key}"] = source


def _field_types(section: str) -> dict[str, Any]:
    return typing.get_type_hints(SECTIONS[section])


def _check_value(section: str, key: str, value: object) -> str | None:
    kind = _field_types(section)[key]
    if not _accepts(kind, value):
        return f"{section}.{key}: expected {_describe(kind)}, got {show(value)}"
    choices = CHOICES.get(f"{section}.{key}")
    if f"{section}.{key}" == "audio.latency" and isinstance(value, str):
        choices = ("low", "high")
    if choices and value not in choices:
        return f"{section}.{key}: {show(value)} is not one of {', '.join(choices)}" + (
            did_you_mean(str(value), choices)
        )
    if section == "commands" and key == "phrases":
        from coach.session.events import COMMANDS

        assert isinstance(value, dict)
        unknown = [c for c in value if c not in COMMANDS]
        if unknown:
            return f"commands.phrases: unknown command '{unknown[0]}'" + did_you_mean(
                unknown[0], COMMANDS
            )
    return None


def _read_file(path: Path, layers: _Layers, label: str) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CoachError(f"{path}: cannot read the config file ({exc})") from None
    doc = parse_yaml(text, str(path))
    for position, message in doc.issues:
        layers.problems.append(Problem.at(position, message))
    if doc.fatal or doc.value is None:
        return
    if not isinstance(doc.value, dict):
        layers.problems.append(Problem.at(doc.position(()), "expected a mapping of sections"))
        return
    for section, body in doc.value.items():
        _read_section(doc, section, body, layers, label)


def _read_section(doc: YamlDoc, section: str, body: object, layers: _Layers, label: str) -> None:
    where: NodePath = (section,)
    if section not in SECTIONS:
        message = f"unknown section '{section}'" + did_you_mean(section, list(SECTIONS))
        layers.problems.append(Problem.at(doc.key_position(where), message))
        return
    if body is None:
        return
    if not isinstance(body, dict):
        layers.problems.append(Problem.at(doc.position(where), f"{section}: expected a mapping"))
        return
    known = _field_types(section)
    for key, value in body.items():
        path = (section, key)
        if key not in known:
            message = f"unknown key '{section}.{key}'" + did_you_mean(key, list(known))
            layers.problems.append(Problem.at(doc.key_position(path), message))
            continue
        problem = _check_value(section, key, value)
        if problem:
            layers.problems.append(Problem.at(doc.position(path), problem))
            continue
        position = doc.position(path)
        layers.set(section, key, value, f"{label}:{position.line}")


def _parse_env(text: str) -> object:
    """Environment values are YAML scalars: 170, true, null, text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _read_environment(environ: Mapping[str, str], layers: _Layers) -> None:
    for section in SECTIONS:
        for key in _field_types(section):
            name = f"COACH_{section.upper()}_{key.upper()}"
            if name not in environ or (section, key) == ("commands", "phrases"):
                continue
            value = _parse_env(environ[name])
            problem = _check_value(section, key, value)
            if problem:
                raise CoachError(f"environment {name}: {problem.split(': ', 1)[1]}")
            layers.set(section, key, value, f"env {name}")


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    user_config: Path | None = None,
) -> Settings:
    """The effective settings. `overrides` are flags: {"audio.output_device": 3}."""
    layers = _Layers()
    _read_file(default_config_path(), layers, "config.yaml")
    user = user_config if user_config is not None else user_config_path()
    if user.is_file():
        _read_file(user, layers, str(user))
    if layers.problems:
        first = sorted(layers.problems)[0]
        more = len(layers.problems) - 1
        raise CoachError(str(first) + (f" (and {more} more)" if more else ""))
    _read_environment(os.environ if environ is None else environ, layers)
    for dotted, value in (overrides or {}).items():
        section, key = dotted.split(".", 1)
        if value is not None:
            layers.set(section, key, value, "command line")
    built = {}
    for section, cls in SECTIONS.items():
        kinds = _field_types(section)
        given = layers.values.get(section, {})
        built[section] = cls(**{k: _coerce(kinds[k], v) for k, v in given.items()})
    return Settings(**built, sources=dict(layers.sources))


def describe(settings: Settings) -> list[tuple[str, object, str]]:
    """(section.key, value, where it came from) for every setting."""
    rows = []
    for section in SECTIONS:
        values = getattr(settings, section)
        for f in dataclasses.fields(values):
            dotted = f"{section}.{f.name}"
            rows.append((dotted, getattr(values, f.name), settings.sources.get(dotted, "default")))
    return rows
