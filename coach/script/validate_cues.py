"""Checks of cues: cue text and its variables, cue items and the reps, sets and sides
they are limited to, and what depends on the exercise a cue ends up in.

A mixin of the script checker (coach.script.validate): it reports through the
checker's `report`, so every problem carries the FILE:LINE:COL of its node.
"""

from __future__ import annotations

from coach.script import templates
from coach.script.model import (
    CUE_KEYS,
    MAX_REPS,
    REP_CUE_KEYS,
    REP_ONLY_VARIABLES,
    SIDE_VARIABLES,
    VARIABLES,
    CueItem,
    Selector,
)
from coach.script.problems import CueRead, Reports, did_you_mean, is_int, show
from coach.script.yamlpos import NodePath

CUE_ITEM_KEYS: tuple[str, ...] = ("text", "reps", "sets", "sides", "every")
SELECTOR_WORDS: tuple[str, ...] = ("first", "last")
SESSION_CUES: tuple[str, ...] = ("intro", "outro")
# A cue is a sentence or a few, said between reps; a page of text is a paste gone wrong.
MAX_CUE_CHARS = 1000

_REP_CUES_SHOWN = "brace, drive, hold, lower, halfway, last_rep"


class CueChecks(Reports):
    def cues(self, value: object, path: NodePath) -> dict[str, list[CueRead]]:
        if not isinstance(value, dict):
            self.report(path, f"cues: expected a mapping of cue key to cue, got {show(value)}")
            return {}
        result: dict[str, list[CueRead]] = {}
        for key, cue in value.items():
            if key in CUE_KEYS:
                result[key] = self.cue(cue, (*path, key), key)
                continue
            hint = did_you_mean(key, CUE_KEYS)
            if not hint and key in SESSION_CUES:
                hint = f"; {key} goes at the top level of the script"
            self.report_key((*path, key), f"unknown cue key '{key}'{hint}")
        return result

    def cue(self, value: object, path: NodePath, key: str) -> list[CueRead]:
        """A cue: text, a cue item, or a list of them (an empty list says nothing)."""
        if not isinstance(value, list):
            item = self.cue_item(value, path, key)
            return [item] if item else []
        items = []
        for index, entry in enumerate(value):
            if isinstance(entry, list):
                self.report(
                    (*path, index), f"{key}: a cue list holds text or cue items, not other lists"
                )
                continue
            item = self.cue_item(entry, (*path, index), key)
            if item:
                items.append(item)
        return items

    def cue_item(self, value: object, path: NodePath, key: str) -> CueRead | None:
        if isinstance(value, str):
            plain = self.text(value, path, key)
            return None if plain is None else CueRead(CueItem(value), path, plain)
        if not isinstance(value, dict):
            self.report(
                path, f"{key}: expected cue text, a cue item or a list of them, got {show(value)}"
            )
            return None
        self.unknown_keys(value, path, CUE_ITEM_KEYS, "in a cue item")
        self.inapplicable_conditions(value, path, key)
        ok = True
        text = value.get("text")
        variables: tuple[str, ...] | None = ()
        if "text" not in value:
            self.report(path, f"{key}: a cue item needs 'text' (what to say)")
            ok = False
        elif not isinstance(text, str):
            self.report((*path, "text"), f"text: expected what to say, got {show(text)}")
            ok = False
        else:
            variables = self.text(text, (*path, "text"), key)
            ok = variables is not None
        reps = self.selectors(value, path, "reps", "rep")
        sets = self.selectors(value, path, "sets", "set")
        sides = self.side_selector(value, path)
        every: int | None = None
        if "every" in value:
            every = self.whole(value["every"], (*path, "every"), "every", 1, MAX_REPS)
            ok = ok and every is not None
        if not ok or variables is None or None in (reps, sets, sides):
            return None
        assert isinstance(text, str) and reps is not None and sets is not None
        assert sides is not None
        return CueRead(
            CueItem(
                text,
                reps=tuple(s for s, _ in reps[0]) if reps[0] else None,
                sets=tuple(s for s, _ in sets[0]) if sets[0] else None,
                sides=tuple(s for s, _ in sides) if sides else None,
                every=every,
            ),
            (*path, "text"),
            variables,
            side_paths=sides,
            rep_paths=reps[1],
            set_paths=sets[1],
            every_path=(*path, "every") if every is not None else None,
        )

    def inapplicable_conditions(self, item: dict[str, object], path: NodePath, key: str) -> None:
        for condition in ("reps", "sets", "sides", "every"):
            if condition not in item:
                continue
            if key in SESSION_CUES:
                self.report_key(
                    (*path, condition),
                    f"'{condition}' can't be used in {key}: it is said once, outside any exercise",
                )
            elif condition in ("reps", "every") and key not in REP_CUE_KEYS:
                self.report_key(
                    (*path, condition),
                    f"'{condition}' only applies to rep cues ({_REP_CUES_SHOWN}), not to {key}",
                )

    def text(self, text: str, path: NodePath, key: str) -> tuple[str, ...] | None:
        """The variables used in cue text, or None after reporting why it is bad."""
        if not text.strip():
            self.report(path, f"{key}: the cue text is empty")
            return None
        if len(text) > MAX_CUE_CHARS:
            self.report(
                path,
                f"{key}: the cue is {len(text)} characters long, more than {MAX_CUE_CHARS}; "
                "split it into a list of shorter cues",
            )
            return None
        try:
            names = templates.fields(text)
        except templates.TemplateError as exc:
            self.report(path, str(exc))
            return None
        ok = True
        for name in dict.fromkeys(names):
            shown = "{" + name + "}"
            if name not in VARIABLES:
                self.report(
                    path,
                    f"unknown variable {shown} in cue text"
                    + did_you_mean(name, VARIABLES, quote="{"),
                )
                ok = False
            elif key in SESSION_CUES and name != "workout":
                self.report(path, f"{key} may only use {{workout}}, not {shown}")
                ok = False
            elif name in REP_ONLY_VARIABLES and key not in REP_CUE_KEYS:
                self.report(
                    path, f"{shown} only works in rep cues ({_REP_CUES_SHOWN}), not in {key}"
                )
                ok = False
        return tuple(dict.fromkeys(names)) if ok else None

    def selectors(
        self, item: dict[str, object], path: NodePath, key: str, noun: str
    ) -> tuple[tuple[tuple[Selector, NodePath], ...], tuple[tuple[int, NodePath], ...]] | None:
        """`reps:`/`sets:` of a cue item: ((selector, path)…, (number, path)…)."""
        if key not in item:
            return (), ()
        value = item[key]
        entries = _entries(value, (*path, key))
        if entries is None:
            self.report((*path, key), f"{key}: the list is empty")
            return None
        chosen: list[tuple[Selector, NodePath]] = []
        ok = True
        for entry, entry_path in entries:
            if (is_int(entry) and entry >= 1) or (
                isinstance(entry, str) and entry in SELECTOR_WORDS
            ):
                chosen.append((entry, entry_path))
            else:
                ok = False
                self.report(
                    entry_path,
                    f"{key}: expected a {noun} number ≥ 1, 'first' or 'last', got {show(entry)}",
                )
        numbers = tuple((s, p) for s, p in chosen if isinstance(s, int))
        return (tuple(chosen), numbers) if ok else None

    def side_selector(
        self, item: dict[str, object], path: NodePath
    ) -> tuple[tuple[str, NodePath], ...] | None:
        if "sides" not in item:
            return ()
        entries = _entries(item["sides"], (*path, "sides"))
        if entries is None:
            self.report((*path, "sides"), "sides: the list is empty")
            return None
        chosen: list[tuple[str, NodePath]] = []
        for entry, entry_path in entries:
            if not isinstance(entry, str) or not entry.strip():
                self.report(entry_path, f"sides: expected a side name, got {show(entry)}")
                return None
            chosen.append((entry.strip(), entry_path))
        return tuple(chosen)

    def check_cues_in_exercise(
        self,
        name: str,
        sides: tuple[str, ...] | None,
        sets: int | None,
        reps: int | None,
        cues: dict[str, list[CueRead]],
    ) -> None:
        """Checks that depend on the exercise a cue ends up in (maybe via defaults)."""
        for items in cues.values():
            for item in items:
                if sides is not None:
                    self.check_sides(name, sides, item)
                for number, path in item.rep_paths:
                    if reps is not None and number > reps:
                        self.report_once(
                            path,
                            "range",
                            f"rep {number} is out of range: '{name}' has {reps} reps per set",
                        )
                for number, path in item.set_paths:
                    if sets is not None and number > sets:
                        self.report_once(
                            path, "range", f"set {number} is out of range: '{name}' has {sets} sets"
                        )
                every = item.item.every
                if item.every_path and reps is not None and every is not None and every > reps:
                    self.report_once(
                        item.every_path,
                        "range",
                        f"every: {every} is more than "
                        f"the {reps} reps per set of '{name}', so this cue is "
                        "never said",
                    )

    def check_sides(self, name: str, sides: tuple[str, ...], item: CueRead) -> None:
        if not sides:
            for variable in item.variables:
                if variable in SIDE_VARIABLES:
                    self.report_once(
                        item.text_path,
                        variable,
                        f"{{{variable}}} only works in exercises with sides, and '{name}' has none",
                    )
            for side, path in item.side_paths:
                self.report_once(
                    path, "side", f"this cue is limited to side '{side}', but '{name}' has no sides"
                )
            return
        for side, path in item.side_paths:
            if side not in sides:
                self.report_once(
                    path,
                    "side",
                    f"'{name}' has no side '{side}' (its sides: "
                    f"{', '.join(sides)})" + did_you_mean(side, sides),
                )


def _entries(value: object, path: NodePath) -> list[tuple[object, NodePath]] | None:
    """A scalar or a list of scalars as (value, path) pairs; None for an empty list."""
    if not isinstance(value, list):
        return [(value, path)]
    if not value:
        return None
    return [(entry, (*path, index)) for index, entry in enumerate(value)]
