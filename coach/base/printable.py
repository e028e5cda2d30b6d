"""Text from a script or the user, made safe to print on a terminal.

A cue script is someone else's file: an escape sequence in a name or cue
(ESC ] 2 ; … retitles the window, ESC [ 2 J clears the screen) must be shown,
not obeyed. JSON output is left to JSON's own escaping.
"""

from __future__ import annotations

# C0 and C1 controls and DEL, and the bidirectional overrides that reorder what is shown.
_CODES = [*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _CODES}


def printable(text: str) -> str:
    r"""`text` with every control character written out, e.g. ESC as \x1b."""
    return text.translate(_ESCAPES)


def clipped(text: str, limit: int = 120) -> str:
    """`text` for a one-line message: a long paste is cut, not echoed in full."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}… ({len(text)} characters)"
