"""YAML syntax errors in plain words, at the line of the mistake, with the likely fix.

PyYAML describes what its parser expected ("expected <block end>, but found
'<block mapping start>'"), often on the line after the one that is wrong. The
common mistakes in cue scripts are few: a line indented wrong, a cue with
": " in it or starting with "{", a tab, an unclosed quote.
"""

from __future__ import annotations

import re

import yaml

# Characters that mean something to YAML at the start of a plain value.
_SPECIAL_START = "{[&*!|>%@`"
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?[^\s#'\"][^:#]*?:\s+(\S.*)$")


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """(line, column, message), 1-based, for a YAML syntax error in `text`."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.splitlines() or [""]
    problem = exc.problem or exc.context or "malformed YAML"
    current = lines[line] if line < len(lines) else ""

    if "'\\t'" in problem:
        return line + 1, column + 1, (
            "a tab indents this line; YAML needs spaces: replace the tab with spaces"
        )
    value = _value(current)
    if value is not None and value[:1] in _SPECIAL_START and value[:1] != "|":
        return line + 1, current.index(value) + 1, (
            f"put the text in quotes: it starts with `{value[0]}`, which YAML reads as "
            "syntax, not words"
        )
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        start = exc.context_mark
        return start.line + 1, start.column + 1, (
            "this quoted text is never closed: add the closing quote"
        )
    if problem.startswith("mapping values are not allowed"):
        return _colon(lines, line, column)
    if problem.startswith("expected <block end>") or "block mapping" in problem:
        return _indent(lines, line, column)
    return line + 1, column + 1, f"YAML syntax error: {problem}"


def _value(line: str) -> str | None:
    """The value written after `key: ` on this line, if any."""
    found = _KEY_VALUE.match(line)
    return found.group(1) if found else None


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], line: int) -> int | None:
    """The last line above `line` with something on it (not blank, not a comment)."""
    for index in range(line - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index
    return None


def _colon(lines: list[str], line: int, column: int) -> tuple[int, int, str]:
    current = lines[line] if line < len(lines) else ""
    first_colon = current.find(": ")
    if 0 <= first_colon < column:  # a second ": " on a line that already has its key
        return line + 1, column + 1, (
            "put the text in quotes: it contains ': ', which YAML reads as a new key"
        )
    above = _previous(lines, line)
    if above is not None and _indent_of(current) > _indent_of(lines[above]):
        before = _previous(lines, above)
        if before is not None and _indent_of(lines[above]) < _indent_of(lines[before]):
            return above + 1, _indent_of(lines[above]) + 1, _misaligned("less", before)
        return line + 1, _indent_of(current) + 1, _misaligned("more", above)
    return line + 1, column + 1, "YAML syntax error: a ': ' where a value was expected"


def _indent(lines: list[str], line: int, column: int) -> tuple[int, int, str]:
    current = lines[line] if line < len(lines) else ""
    above = _previous(lines, line)
    if above is None:
        return line + 1, column + 1, "this line is indented, but nothing above it is a key"
    where = "less" if _indent_of(current) < _indent_of(lines[above]) else "more"
    return line + 1, _indent_of(current) + 1, _misaligned(where, above)


def _misaligned(where: str, above: int) -> str:
    return (
        f"this line is indented {where} than the key above it (line {above + 1}); "
        "line it up with the keys it belongs to"
    )


def not_utf8(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int, str]:
    """(line, column, message) for a file that isn't UTF-8 text."""
    if _utf16(data):
        return 1, 1, "the file is UTF-16 text; save it as UTF-8 (most editors: Save with Encoding)"
    if b"\x00" in data[:512]:
        return 1, 1, "the file is not text (a program or other binary file?); give a YAML file"
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return line, column, "the file is not UTF-8 text"


def _utf16(data: bytes) -> bool:
    """A byte-order mark, or the zero bytes of UTF-16 text without one: every other byte
    (a YAML script's keys are ASCII), where a binary file has them anywhere."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:512]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return min(even, odd) == 0 and max(even, odd) * 3 >= len(head) // 2
