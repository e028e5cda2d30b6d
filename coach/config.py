"""Settings: config.yaml, then the user's config, then the environment, then flags.

Each layer may set any subset of keys; every value remembers where it came from
so `coach config` can show it. Config files are checked like cue scripts:
every problem as FILE:LINE:COL with a did-you-mean, no traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from coach.base.errors import CoachError
from coach.base.resources import default_config_path
from coach.script.model import TimeCalls
from coach.script.problems import Problem, did_you_mean, show
from coach.script.yamlhelp import not_utf8
from coach.script.yamlpos import NodePath, YamlDoc, parse_yaml
from coach.words.vocabulary import DEFAULT_PHRASES, Vocabulary

_LOGGER = logging.getLogger(__name__)


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
    latency: float | str = "auto"
    tones: bool = True
    metronome: bool = False


@dataclass(frozen=True)
class ListenSettings:
    backend: str = "auto"
    vosk_model: str | None = None
    mute_tail: float = 0.35
    # Listen while the coach talks too (its voice taken out by an echo canceller)
    # instead of going deaf for each cue; off where pyaec can't be imported.
    barge_in: bool = True
    verify: bool = True
    denoise: bool = True


@dataclass(frozen=True)
class CommandSettings:
    language: str = "en"
    # For shared spaces: a word said before every command ("coach, next"); None: none.
    attention: str | None = None
    phrases: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_PHRASES.items()}
    )


@dataclass(frozen=True)
class TimeCallSettings:
    halfway: float = 30.0
    left: float = 10.0
    countdown: int = 3
    tones: bool = False

    def rule(self) -> TimeCalls:
        """The calls a script makes when it doesn't set its own `time_calls`."""
        return TimeCalls(
            halfway=self.halfway,
            left=(self.left,) if self.left > 0 else (),
            countdown=self.countdown,
            tones=self.tones,
        )


@dataclass(frozen=True)
class MusicSettings:
    # A file or a folder of them (MP3, OGG, FLAC, WAV); null = no music.
    path: str | None = None
    level: float = -20.0
    duck: float = 15.0
    ramp: float = 0.25
    shuffle: bool = False


@dataclass(frozen=True)
class LogSettings:
    # The unit of a load said without one ("eighty" → 80 kg).
    unit: str = "kg"


@dataclass(frozen=True)
class Settings:
    session: SessionSettings = SessionSettings()
    history: HistorySettings = HistorySettings()
    voice: VoiceSettings = VoiceSettings()
    audio: AudioSettings = AudioSettings()
    listen: ListenSettings = ListenSettings()
    commands: CommandSettings = CommandSettings()
    time_calls: TimeCallSettings = TimeCallSettings()
    music: MusicSettings = MusicSettings()
    log: LogSettings = LogSettings()
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

    def heard_vocabulary(self) -> Vocabulary:
        """What the listener listens for: the commands, after the attention word if set."""
        return self.vocabulary().addressed(self.commands.attention)

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
    "time_calls": TimeCallSettings,
    "music": MusicSettings,
    "log": LogSettings,
}

# The sensible span of every numeric setting (inclusive): outside it a value is a
# typo, and some (a zero sample rate, a NaN tempo) would break the session.
RANGES: dict[str, tuple[float, float]] = {
    "time_calls.halfway": (0.0, 3600.0),
    "time_calls.left": (0.0, 3600.0),
    "time_calls.countdown": (0, 10),
    "music.level": (-60.0, 0.0),
    "music.duck": (0.0, 60.0),
    "music.ramp": (0.01, 2.0),
    "session.auto_next": (0.0, 3600.0),
    "session.tempo_step": (0.01, 1.0),
    # The scale starts at 1.0 (the script's tempo), so the bounds must span it.
    "session.tempo_min": (0.1, 1.0),
    "session.tempo_max": (1.0, 10.0),
    "voice.rate": (50, 500),
    "voice.volume": (0.0, 1.0),
    "voice.loudness": (-60.0, 0.0),
    "audio.output_device": (0, 1000),
    "audio.input_device": (0, 1000),
    "audio.sample_rate": (8000, 192000),
    "audio.block_size": (16, 65536),
    "audio.latency": (0.001, 10.0),
    "listen.mute_tail": (0.0, 10.0),
}
# Far above any real config; parsing a huge file is what would take the time.
MAX_CONFIG_BYTES = 1_000_000
# Text settings that name a file or folder: `~user/` must resolve.
PATHS: tuple[str, ...] = ("history.path", "listen.vosk_model")
# Environment variables of the coach that are not settings.
OTHER_VARIABLES: tuple[str, ...] = ("COACH_CONFIG", "COACH_HOME", "COACH_CACHE", "COACH_VOSK_MODEL")

# The recognizers the listener can use ("auto": the best one installed here).
BACKENDS: tuple[str, ...] = ("auto", "moonshine", "pocketsphinx", "vosk")

CHOICES: dict[str, tuple[str, ...]] = {
    "voice.engine": ("pyttsx3", "hibari", "estimate"),
    "listen.backend": BACKENDS,
    "log.unit": ("kg", "lb"),
}


def user_config_path() -> Path:
    explicit = os.environ.get("COACH_CONFIG")
    if explicit:
        try:
            return Path(explicit).expanduser()
        except RuntimeError:  # `~nosuchuser/…`: shown as written, refused when loading
            return Path(explicit)
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


def _yaml_number(value: float) -> str:
    """A number as YAML writes it: .nan and .inf, not Python's nan and inf."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return f"{value:g}" if isinstance(value, float) else str(value)


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
    dotted = f"{section}.{key}"
    span = RANGES.get(dotted)
    if span and isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = span
        if not (math.isfinite(value) and low <= value <= high):
            whole = "a number" if _accepts(kind, 0.5) else "a whole number"
            null = " (or null)" if _accepts(kind, None) else ""
            got = _yaml_number(value)
            return f"{dotted}: expected {whole} from {low:g} to {high:g}{null}, got {got}"
    if dotted in PATHS and isinstance(value, str):
        try:
            Path(value).expanduser()
        except RuntimeError:
            return f"{dotted}: can't expand {show(value)} (no such user); write the full path"
    choices = CHOICES.get(f"{section}.{key}")
    if f"{section}.{key}" == "audio.latency" and isinstance(value, str):
        choices = ("auto", "low", "high")
    if choices and value not in choices:
        return f"{section}.{key}: {show(value)} is not one of {', '.join(choices)}" + (
            did_you_mean(str(value), choices)
        )
    if section == "commands" and key == "phrases":
        from coach.words.vocabulary import COMMANDS

        assert isinstance(value, dict)
        unknown = [c for c in value if c not in COMMANDS]
        if unknown:
            return f"commands.phrases: unknown command '{unknown[0]}'" + did_you_mean(
                unknown[0], COMMANDS
            )
        for command, phrases in value.items():
            if not phrases or any(not p.strip() for p in phrases):
                return f"commands.phrases.{command}: expected a list of phrases, none of them empty"
    return None


def _read_file(path: Path, layers: _Layers, label: str) -> None:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise CoachError(f"{path}: cannot read the config file ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise CoachError(f"{path}: larger than 1 MB; a config file is a few lines of YAML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        layers.problems.append(Problem(str(path), *not_utf8(data, exc)))
        return
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


def _read_environment(environ: Mapping[str, str], layers: _Layers) -> list[str]:
    """Read COACH_SECTION_KEY variables; returns the problems, one line each."""
    problems = []
    known = set(OTHER_VARIABLES)
    for section in SECTIONS:
        for key in _field_types(section):
            name = f"COACH_{section.upper()}_{key.upper()}"
            known.add(name)
            if name not in environ or (section, key) == ("commands", "phrases"):
                continue
            value = _parse_env(environ[name])
            problem = _check_value(section, key, value)
            if problem:
                problems.append(f"environment {name}: {problem.split(': ', 1)[1]}")
                continue
            layers.set(section, key, value, f"env {name}")
    for name in ("COACH_HOME", "COACH_CACHE", "COACH_VOSK_MODEL"):
        try:
            Path(environ.get(name, "")).expanduser()
        except RuntimeError:
            problems.append(
                f"environment {name}: can't expand {show(environ[name])} (no such user); "
                "write the full path"
            )
    for name in sorted(environ):
        if name.startswith("COACH_") and name not in known and name not in _WARNED:
            _WARNED.add(name)  # settings are loaded more than once per command
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            _LOGGER.warning("%s is not a coach setting, so it is ignored%s", name, hint)
    return problems


_WARNED: set[str] = set()


def _explicit_config() -> Path | None:
    """$COACH_CONFIG when it names something other than a file: refused, not ignored.

    A name that doesn't exist yet is the documented way to run with no user
    config (tests and benchmarks rely on it); `coach config` says so.
    """
    explicit = os.environ.get("COACH_CONFIG")
    if not explicit:
        return None
    try:
        path = Path(explicit).expanduser()
        if path.is_file() or not path.exists():
            return path
        what = "is a directory" if path.is_dir() else "is not a regular file"
    except (OSError, RuntimeError) as exc:
        what = f"can't be used ({exc})"
    raise CoachError(
        f"COACH_CONFIG={show(explicit)} {what}; point it at a YAML config file, or unset it"
    )


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    user_config: Path | None = None,
) -> Settings:
    """The effective settings. `overrides` are flags: {"audio.output_device": 3}."""
    layers = _Layers()
    _read_file(default_config_path(), layers, "config.yaml")
    user = user_config if user_config is not None else _explicit_config()
    if user is None:
        user = user_config_path()
    if user.is_file():
        _read_file(user, layers, str(user))
    problems = [str(p) for p in sorted(layers.problems)]
    problems += _read_environment(os.environ if environ is None else environ, layers)
    if problems:
        raise CoachError("\n".join(problems))
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
