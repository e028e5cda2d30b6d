"""Moonshine's model files where moonshine-cpp has no wheel (Linux arm64: a Raspberry Pi).

moonshine-cpp ships wheels for Linux x86-64 and macOS arm64 only, but the model in
them is data, not code: two ORT-format files and a tokenizer, which coach rebuilds
and runs with its own ONNX Runtime (coach.models.moonshine_model) on any machine.
On request (`coach model prepare`), pip downloads the Linux x86-64 wheel from the
package index, without installing it, and the model's files are taken out of it
into the cache. Nothing is fetched at any other time.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from coach.base.errors import CoachError

REQUIREMENT = "moonshine-cpp>=0.1.4"
# Any platform's wheel carries the same model; this one exists for every version.
WHEEL_PLATFORM = "manylinux2014_x86_64"
MODEL = "base-en"
FILES = ("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin")
_PREFIX = "moonshine-cpp-"


def fetched_root(cache: Path) -> Path:
    return cache / "moonshine" / "fetched"


def fetched_model(cache: Path) -> Path | None:
    """The newest complete fetched model directory under `cache`, or None."""
    root = fetched_root(cache)
    found = [
        folder / MODEL
        for folder in root.glob(f"{_PREFIX}*")
        if all((folder / MODEL / f).is_file() for f in FILES)
    ]
    return max(found, key=lambda p: _version_key(version_of(p)), default=None)


def version_of(model: Path) -> str:
    """moonshine-cpp's version that a fetched model directory came from."""
    return model.parent.name.removeprefix(_PREFIX)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def fetch(cache: Path, note: Callable[[str], None] | None = None) -> Path:
    """Download moonshine-cpp's wheel with pip and keep its model's files under `cache`;
    returns the model directory."""
    if importlib.util.find_spec("pip") is None:
        raise CoachError(
            "fetching the moonshine model needs pip in coach's Python: python -m ensurepip"
        )
    if note is not None:
        note(f"fetching the Moonshine model from the package index ({REQUIREMENT}, via pip)…")
    root = fetched_root(cache)
    try:
        root.mkdir(parents=True, exist_ok=True)
        download = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
    except OSError as exc:
        raise CoachError(f"can't write the moonshine model's cache in {root}: {exc}") from None
    try:
        done = subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", "--platform", WHEEL_PLATFORM,
                "--dest", str(download), REQUIREMENT,
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        wheels = sorted(download.glob("moonshine_cpp-*.whl"))
        if done.returncode != 0 or not wheels:
            lines = done.stderr.strip().splitlines() or [f"pip's exit code {done.returncode}"]
            raise CoachError(f"could not download moonshine-cpp with pip: {lines[-1]}")
        return _unpack(wheels[0], root)
    finally:
        shutil.rmtree(download, ignore_errors=True)


def _unpack(wheel: Path, root: Path) -> Path:
    version = wheel.name.split("-")[1]
    target = root / f"{_PREFIX}{version}"
    aside = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root))
    try:
        with zipfile.ZipFile(wheel) as archive:
            # The package's files may sit under the wheel's .data/purelib/ folder.
            members = {
                name: _member(archive, f"moonshine_cpp/models/{MODEL}/{name}") for name in FILES
            }
            members["LICENSE"] = _member(archive, "moonshine_cpp/LICENSE")  # it travels along
            for name, member in members.items():
                with archive.open(member) as src, open(aside / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        (aside / MODEL).mkdir()
        for name in (*FILES, "LICENSE"):
            (aside / name).rename(aside / MODEL / name)
        shutil.rmtree(target, ignore_errors=True)
        aside.rename(target)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise CoachError(f"{wheel.name} does not hold the moonshine model: {exc}") from None
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    return target / MODEL


def _member(archive: zipfile.ZipFile, path: str) -> str:
    found = [n for n in archive.namelist() if n == path or n.endswith(f"/purelib/{path}")]
    if not found:
        raise KeyError(path)
    return found[0]
