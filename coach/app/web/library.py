"""The scripts the page offers: the bundled ones and the user's own folder.

Checking and simulating a script typed in the browser go through the same loader,
validator and session as `coach validate` and `coach run --simulate`; only the
file is a temporary one, named as the user named it, so problems read
`NAME.yaml:LINE:COL`.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.app.launch import launch
from coach.app.options import SIMULATED_READY_SECONDS, RunOptions
from coach.app.starter import KINDS, starter_text
from coach.base.errors import CoachError
from coach.config import Settings
from coach.history.store import history_path
from coach.plan import expand
from coach.script.loader import MAX_SCRIPT_BYTES, bundled_scripts, check_script, load_workout
from coach.session.speech import EstimatedSpeech

# A name is a file's stem in one folder: no slashes, no dots, nothing hidden.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# A simulated timeline longer than this is cut: the page shows a session, not a log.
_TIMELINE_LINES = 5000


class BadName(CoachError):
    pass


def valid_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BadName(
            "a script's name is letters, digits, - and _ (up to 64), e.g. 'my-plank'"
        )
    return name


def user_folder() -> Path:
    """The user's own scripts, beside the history (`$COACH_HOME/scripts`)."""
    return history_path().parent / "scripts"


@dataclass(frozen=True)
class ScriptEntry:
    name: str
    path: Path
    bundled: bool

    def to_json(self) -> dict[str, Any]:
        about: dict[str, Any] = {"name": self.name, "bundled": self.bundled}
        try:
            workout = load_workout(str(self.path))
            about |= {"workout": workout.name, "reps": expand(workout).planned_reps}
        except CoachError as exc:  # the user's script may have problems: say so, list it
            about |= {"workout": None, "problem": str(exc)}
        return about


def scripts() -> list[ScriptEntry]:
    found = [ScriptEntry(p.stem, p, True) for p in bundled_scripts()]
    taken = {e.name for e in found}
    folder = user_folder()
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            if path.is_file() and _NAME.fullmatch(path.stem) and path.stem not in taken:
                found.append(ScriptEntry(path.stem, path, False))
    return found


def find(name: str) -> ScriptEntry:
    valid_name(name)
    for entry in scripts():
        if entry.name == name:
            return entry
    raise CoachError(f"no script named {name!r}")


def too_big(size: int) -> str | None:
    if size <= MAX_SCRIPT_BYTES:
        return None
    # The words `coach validate` uses for a file this big.
    return (f"larger than {MAX_SCRIPT_BYTES // 1_000_000} MB; a cue script is a few kilobytes "
            "of YAML")  # fmt: skip


def check_text(name: str, text: str, settings: Settings) -> dict[str, Any]:
    """Problems (with line and column) and, for a valid script, its simulated timeline."""
    valid_name(name)
    with tempfile.TemporaryDirectory(prefix="coach-web-") as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        problems = check_script(path)
        result: dict[str, Any] = {
            "problems": [
                {"line": p.line, "column": p.column, "message": p.message,
                 "text": str(p).replace(str(path), path.name)}
                for p in problems
            ],  # fmt: skip
            "timeline": [],
        }
        if not problems:
            result["timeline"] = simulate(path, settings)
    return result


def simulate(path: Path, settings: Settings) -> list[dict[str, Any]]:
    """`coach run PATH --simulate --json`, as a list."""
    workout = load_workout(str(path))
    out = io.StringIO()
    options = RunOptions(
        simulate=True, json=True, auto_next=SIMULATED_READY_SECONDS, keyboard=False
    )
    launch(expand(workout, settings.time_calls.rule()), options, settings=settings,
           speech=EstimatedSpeech(), out=out)  # fmt: skip
    lines = out.getvalue().splitlines()[:_TIMELINE_LINES]
    return [json.loads(line) for line in lines]


def save(name: str, text: str) -> Path:
    """Write a valid script into the user's folder (the caller checked it)."""
    valid_name(name)
    if any(p.stem == name for p in bundled_scripts()):
        raise BadName(f"{name!r} is a bundled script's name; pick another")
    folder = user_folder()
    target = folder / f"{name}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".saving-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, target)  # whole or not at all, even if the power goes
    except OSError as exc:
        raise CoachError(f"can't save {target}: {exc.strerror or exc}") from None
    return target


def read(name: str) -> str:
    entry = find(name)
    return entry.path.read_text(encoding="utf-8")


def templates() -> list[dict[str, str]]:
    """`coach new`'s starters, one per kind."""
    return [
        {"kind": kind, "text": starter_text("My workout", kind, "my-workout.yaml")}
        for kind in KINDS
    ]
