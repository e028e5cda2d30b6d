"""Paths given on the command line, checked before any work is done for them."""

from __future__ import annotations

import errno
from pathlib import Path

from coach.base.errors import CoachError


def output_file(path: Path, example: str | None = None) -> Path:
    """`path` with `~` expanded, in a folder that exists, and not a folder itself;
    checked up front so a long render doesn't end in "System error.". `example`: a file
    name that fits, suggested inside the folder when `path` is one."""
    try:
        expanded = path.expanduser()
    except RuntimeError:  # `~nosuchuser/…`
        raise CoachError(f"{path}: no such user's home folder; write the full path") from None
    parent = expanded.parent
    _nameable(path, expanded)
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "doesn't exist"
        raise CoachError(f"{path}: the folder '{parent}' {what}; create it or write elsewhere")
    if expanded.is_dir():
        suggested = "" if example is None else f", e.g. {path / example}"
        raise CoachError(f"{path}: is a folder; give a file name{suggested}")
    return expanded


def _nameable(path: Path, expanded: Path) -> None:
    """Refuse a name the file system can't even look up (too long, …), in one line."""
    try:
        expanded.is_dir()
        expanded.parent.is_dir()
    except OSError as exc:
        raise CoachError(f"{_shortened(str(path))}: {_why(exc, expanded)}") from None


def _shortened(name: str, most: int = 60) -> str:
    """A name short enough to read in one line: its start, '…', and its end."""
    return name if len(name) <= most else f"{name[: most // 2]}…{name[-most // 2 + 1 :]}"


def _why(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        longest = max((part for part in path.parts), key=len)
        return (f"the name is too long ({len(longest.encode())} bytes; a file name can have "
                "at most 255); give a shorter one")  # fmt: skip
    return f"can't be written ({exc.strerror or exc})"


def readable_input(path: str | Path) -> None:
    """Refuse an existing file that can't be opened for reading, saying why: the audio
    library would only say "System error."."""
    try:
        file = Path(path).expanduser()
        if not file.is_file():  # opening a FIFO would wait for a writer
            return
        with file.open("rb"):
            pass
    except PermissionError:
        raise CoachError(f"{path}: permission denied; make it readable (chmod u+r)") from None
    except (OSError, RuntimeError):
        return  # missing, a folder, …: the reader names those itself
