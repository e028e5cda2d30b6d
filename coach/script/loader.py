"""Find, read, merge (`extends`) and load cue scripts.

The public entry points are `resolve_script`, `check_script`, `review_script`,
`load_workout` and `bundled_scripts`. Merging keeps a position for every value, so a problem
in an inherited value is reported in the file that wrote it.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from pathlib import Path

from coach.base import resources
from coach.base.errors import CoachError
from coach.base.printable import clipped, printable
from coach.script.model import Workout
from coach.script.problems import Problem, show
from coach.script.validate import review_document
from coach.script.yamlhelp import not_utf8
from coach.script.yamlpos import NodePath, YamlDoc, parse_yaml

_LOGGER = logging.getLogger(__name__)

SUFFIXES: tuple[str, ...] = (".yaml", ".yml")
# A longer chain of `extends` is a mistake, not a design.
MAX_EXTENDS = 16
# The biggest real script is a few kilobytes; parsing is what would take the time.
MAX_SCRIPT_BYTES = 1_000_000


class ScriptError(CoachError):
    """A cue script with problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        message = str(self.problems[0]) if self.problems else "invalid cue script"
        if len(self.problems) > 1:
            message += f" (and {len(self.problems) - 1} more)"
        super().__init__(message)


def bundled_scripts() -> list[Path]:
    """The scripts shipped with the coach, sorted by name."""
    folder = resources.scripts_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


def resolve_script(ref: str, relative_to: Path | None = None) -> Path:
    """The file `ref` names: a path (relative to `relative_to` if given) or a
    bundled script's name, with or without `.yaml`. Raises CoachError."""
    if not ref.strip():
        raise CoachError("no cue script given: the name is empty")
    try:
        path = Path(ref).expanduser()
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        exists = path.exists()
    # `~nobody/x` (RuntimeError) and names too long for the OS are still
    # just bad references.
    except (OSError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise CoachError(f"cannot use '{clipped(ref)}' as a cue script path: {reason}") from None
    bundled = _bundled_named(ref)
    if exists and bundled is not None and relative_to is None:  # `extends` means its own folder
        return _either(path, ref, bundled)
    if exists:
        _check_readable(path, ref)
        return path
    if bundled is not None:
        return bundled
    names = [p.stem for p in bundled_scripts()]
    hint = difflib.get_close_matches(Path(ref).stem, names, n=1)
    raise CoachError(
        f"no cue script named '{clipped(ref)}': not a file, and not a bundled script "
        "(coach list shows them)" + (f"; did you mean '{hint[0]}'?" if hint else "")
    )


_TOLD: set[str] = set()  # a command resolves its script more than once: say it once


def _either(path: Path, ref: str, bundled: Path) -> Path:
    """`ref` names both something here and a bundled script: a script file here wins
    (it is what the user is working on), a folder doesn't; either way, say which."""
    if path.resolve() == bundled.resolve():  # run from the bundled scripts' own folder
        return path
    if path.is_dir():
        chosen, message = bundled, "'%s' here is a folder: using the bundled script %s"
    else:
        _check_readable(path, ref)
        chosen, message = path, "using the file '%s' here, not the bundled script %s"
    if ref not in _TOLD:
        _TOLD.add(ref)
        _LOGGER.warning(message, printable(ref), bundled)
    return chosen


def _bundled_named(ref: str) -> Path | None:
    if "/" in ref or "\\" in ref:
        return None
    stem = ref
    for suffix in SUFFIXES:
        if ref.endswith(suffix):
            stem = ref[: -len(suffix)]
    for suffix in SUFFIXES:
        candidate = resources.scripts_dir() / f"{stem}{suffix}"
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a name too long for the file system names nothing
            return None
    return None


def _check_readable(path: Path, ref: str) -> None:
    if path.is_dir():
        raise CoachError(f"'{clipped(ref)}' is a directory, not a cue script")
    if not path.is_file():
        raise CoachError(f"'{clipped(ref)}' is not a regular file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise CoachError(f"cannot read '{clipped(ref)}': {exc.strerror or exc}") from None


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_SCRIPT_BYTES + 1)  # no more: the size is all we need to know
    except FileNotFoundError:
        raise CoachError(f"no such file: '{path}'") from None
    except IsADirectoryError:
        raise CoachError(f"'{path}' is a directory, not a cue script") from None
    except OSError as exc:
        raise CoachError(f"cannot read '{path}': {exc.strerror or exc}") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise CoachError(
            f"'{path}' is larger than {MAX_SCRIPT_BYTES // 1_000_000} MB; a cue script is a "
            "few kilobytes of YAML"
        )
    return data


def check_script(path: Path | str) -> list[Problem]:
    """Every problem in the script at `path`, sorted; [] when it is valid.

    Raises CoachError only when `path` itself can't be read.
    """
    problems, _ = _check(Path(path))
    return problems


def review_script(path: Path | str) -> tuple[list[Problem], list[Problem]]:
    """Every problem and every warning (what is valid but won't do what it seems to) in
    the script at `path`, each sorted. Raises CoachError only when `path` can't be read."""
    warnings: list[Problem] = []
    problems, _ = _check(Path(path), warnings)
    return problems, warnings


def load_workout(ref: str) -> Workout:
    """The workout `ref` (a path or bundled name) describes; raises ScriptError."""
    path = resolve_script(ref)
    problems, workout = _check(path)
    if problems or workout is None:
        raise ScriptError(problems)
    _LOGGER.debug("loaded %s: %d exercises", path, len(workout.exercises))
    return dataclasses.replace(workout, source=str(path))


def _check(
    path: Path, warnings: list[Problem] | None = None
) -> tuple[list[Problem], Workout | None]:
    problems: list[Problem] = []
    doc = _load(path, (), problems)
    if doc is None:
        return sorted(set(problems)), None
    found, warned, workout = review_document(doc)
    if warnings is not None:
        warnings.extend(warned)
    return sorted(set(problems) | set(found)), workout


def _load(path: Path, chain: tuple[Path, ...], problems: list[Problem]) -> YamlDoc | None:
    """Parse `path` and everything it extends, merged; None if it is unusable."""
    data = _read(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), *not_utf8(data, exc)))
        return None
    doc = parse_yaml(text, str(path))
    problems.extend(Problem.at(position, message) for position, message in doc.issues)
    if doc.fatal:
        return None
    if not isinstance(doc.value, dict) or not isinstance(doc.value.get("extends"), str):
        return doc
    parent = _load_parent(doc, doc.value["extends"], path, (*chain, path), problems)
    if parent is None or not isinstance(parent.value, dict):
        return doc
    return merge(parent, doc)


def _load_parent(
    doc: YamlDoc, ref: str, path: Path, chain: tuple[Path, ...], problems: list[Problem]
) -> YamlDoc | None:
    at = doc.position(("extends",))

    def problem(message: str) -> None:
        problems.append(Problem.at(at, message))

    try:
        target = resolve_script(ref, relative_to=path.parent)
    except CoachError as exc:
        problem(f"extends: {exc}")
        return None
    seen = [p.resolve() for p in chain]
    if target.resolve() in seen:
        start = seen.index(target.resolve())
        loop = " → ".join(p.name for p in (*chain[start:], target))
        problem(f"extends: cycle {loop}")
        return None
    if len(chain) > MAX_EXTENDS:
        problem(f"extends: more than {MAX_EXTENDS} scripts in a chain")
        return None
    found: list[Problem] = []
    try:
        parent = _load(target, chain, found)
    except CoachError as exc:
        problem(f"extends: {exc}")
        return None
    # A file that isn't a cue script at all (say /etc/passwd) gets one line, not a
    # problem per line of it, which would print the file out.
    if parent is None and target.suffix not in SUFFIXES:
        problem(f"extends: {show(ref)} is not a cue script (it isn't YAML)")
        return None
    top = None if parent is None else parent.value
    if parent is not None and not isinstance(top, dict):
        kind = "text" if isinstance(top, str) else "a list" if isinstance(top, list) else "other"
        problem(f"extends: {show(ref)} is not a cue script (its top level is {kind})")
        return None
    if isinstance(top, dict) and not {"workout", "exercises", "extends", "defaults"} & set(top):
        problem(f"extends: {show(ref)} is not a cue script (it has no 'workout' or 'exercises')")
        return None
    problems.extend(found)
    return parent


# -- merging ----------------------------------------------------------------


def merge(parent: YamlDoc, child: YamlDoc) -> YamlDoc:
    """`child` applied on top of `parent`, keeping every value's position.

    Mappings merge key by key (child wins), lists and cues are replaced, and
    `exercises` entries merge into the inherited exercise of the same name.
    """
    out = YamlDoc(file=child.file)
    out.value = _merge(parent, (), parent.value, child, (), child.value, out, ())
    return out


def _merge(
    parent: YamlDoc,
    p_path: NodePath,
    p_value: object,
    child: YamlDoc,
    c_path: NodePath,
    c_value: object,
    out: YamlDoc,
    out_path: NodePath,
) -> object:
    if out_path == ("exercises",) and isinstance(p_value, list) and isinstance(c_value, list):
        _place(child, c_path, out, out_path)
        return _merge_exercises(parent, p_value, child, c_value, out)
    # A cue is one value: merging a child's cue item into the parent's would
    # keep conditions the child never wrote.
    is_cue = len(out_path) == 1 and out_path[0] in ("intro", "outro")
    is_cue = is_cue or (len(out_path) >= 2 and out_path[-2] == "cues")
    if is_cue or not (isinstance(p_value, dict) and isinstance(c_value, dict)):
        return _copy(child, c_path, c_value, out, out_path)
    _place(child, c_path, out, out_path)
    result: dict[str, object] = {}
    for key, value in p_value.items():
        if key in c_value:
            result[key] = _merge(
                parent, (*p_path, key), value,
                child, (*c_path, key), c_value[key],
                out, (*out_path, key),
            )  # fmt: skip
        else:
            result[key] = _copy(parent, (*p_path, key), value, out, (*out_path, key))
    for key, value in c_value.items():
        if key not in p_value:
            result[key] = _copy(child, (*c_path, key), value, out, (*out_path, key))
    return result


def _merge_exercises(
    parent: YamlDoc, p_list: list[object], child: YamlDoc, c_list: list[object], out: YamlDoc
) -> list[object]:
    def name_of(entry: object) -> object:
        return entry.get("name") if isinstance(entry, dict) else None

    inherited: dict[str, int] = {}
    for index, entry in enumerate(p_list):
        name = name_of(entry)
        if isinstance(name, str) and name not in inherited:
            inherited[name] = index
    # Only a name's first child entry merges; a second one is appended so that
    # validation still reports the duplicate.
    overrides: dict[int, int] = {}
    appended: list[int] = []
    for index, entry in enumerate(c_list):
        name = name_of(entry)
        if isinstance(name, str) and name in inherited and inherited[name] not in overrides:
            overrides[inherited[name]] = index
        else:
            appended.append(index)
    base: NodePath = ("exercises",)
    result: list[object] = []
    for index, entry in enumerate(p_list):
        at: NodePath = (*base, index)
        if index in overrides:
            c_index = overrides[index]
            result.append(
                _merge(parent, at, entry, child, (*base, c_index), c_list[c_index], out, at)
            )
        else:
            result.append(_copy(parent, at, entry, out, at))
    for c_index in appended:
        at = (*base, len(result))
        result.append(_copy(child, (*base, c_index), c_list[c_index], out, at))
    return result


def _place(src: YamlDoc, src_path: NodePath, out: YamlDoc, out_path: NodePath) -> None:
    out.positions[out_path] = src.position(src_path)
    key = src.key_positions.get(src_path)
    if key is not None:
        out.key_positions[out_path] = key


def _copy(
    src: YamlDoc, src_path: NodePath, value: object, out: YamlDoc, out_path: NodePath
) -> object:
    """Record the positions of `value` (and everything in it) under `out_path`."""
    _place(src, src_path, out, out_path)
    if isinstance(value, dict):
        for key, inner in value.items():
            _copy(src, (*src_path, key), inner, out, (*out_path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _copy(src, (*src_path, index), inner, out, (*out_path, index))
    return value
