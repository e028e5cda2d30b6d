"""Cue text templates: `{variable}` fields, `{{` and `}}` for literal braces.

Only bare variable names are allowed. str.format's conversions, format specs,
attributes and indexes would let a script reach into Python objects and are
never needed to say a number out loud, so they are rejected up front.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

_FORMATTER = string.Formatter()


class TemplateError(ValueError):
    """Cue text that is not a valid template; the message is for the user."""


def _parse(text: str) -> Iterator[tuple[str, str | None]]:
    """Yield (literal text, field name or None), checking every field."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise TemplateError(_brace_message(str(exc))) from None
    for literal, name, spec, conversion in parsed:
        if name is None:
            yield literal, None
            continue
        shown = "{" + name + ("!" + conversion if conversion else "")
        shown += (":" + spec if spec else "") + "}"
        if name == "":
            raise TemplateError(
                "empty braces {} in cue text; name a variable like {rep}, "
                "or write {{ and }} for literal braces"
            )
        if name.isdigit():
            raise TemplateError(f"{shown}: numbered fields are not supported; use a variable name")
        if "." in name or "[" in name:
            raise TemplateError(f"{shown}: attributes and indexes are not supported")
        if conversion:
            raise TemplateError(f"{shown}: conversions like !r are not supported")
        if spec:
            raise TemplateError(f"{shown}: format specs like :3 are not supported")
        yield literal, name


def _brace_message(reason: str) -> str:
    if reason.startswith("Single '}'"):
        return "single '}' in cue text; write '}}' for a literal brace"
    if reason.startswith(("Single '{'", "expected '}'")):
        return "unclosed '{' in cue text; write '{{' for a literal brace"
    return f"malformed braces in cue text ({reason})"


def fields(text: str) -> list[str]:
    """The variable names used in `text`, in order; raises TemplateError."""
    return [name for _, name in _parse(text) if name is not None]


def render(text: str, variables: Mapping[str, object]) -> str:
    """Fill in `text`; raises TemplateError for bad fields or missing variables."""
    parts: list[str] = []
    for literal, name in _parse(text):
        parts.append(literal)
        if name is None:
            continue
        if name not in variables:
            raise TemplateError(f"no value for {{{name}}} here")
        parts.append(str(variables[name]))
    return "".join(parts)
