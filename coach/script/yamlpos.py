"""Load YAML into plain values while remembering where every value was written.

PyYAML's constructors forget positions, and validation must point at the exact
line and column of every offending value, so this composes the node graph
with the safe loader and builds the values itself, recording the start mark of
each node under its path from the root.

Problems in the YAML itself (syntax errors, duplicate keys, non-text keys,
recursive aliases, alias bombs) come back as issues, never as exceptions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml

from coach.script.yamlhelp import explain

_LOGGER = logging.getLogger(__name__)

# Aliases let a few lines expand into billions of nodes ("billion laughs");
# a real cue script has a few hundred, so stop walking long before that hurts.
MAX_NODES = 200_000
# Nothing in the format nests deeper than ~8; deeper means garbage, and the
# walkers here are recursive.
MAX_DEPTH = 64

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

PathKey = str | int
NodePath = tuple[PathKey, ...]


class Position(NamedTuple):
    """Where a value was written: 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass
class YamlDoc:
    """A YAML document as plain values, with a position for every node.

    `positions[path]` is where the value at `path` starts; `key_positions[path]`
    is where the mapping key naming it was written (absent for list items and
    the root). Positions may point into several files once documents are
    merged through `extends`.
    """

    file: str
    value: object = None
    positions: dict[NodePath, Position] = field(default_factory=dict)
    key_positions: dict[NodePath, Position] = field(default_factory=dict)
    issues: list[tuple[Position, str]] = field(default_factory=list)
    # True when the text could not be used at all (syntax error, empty, too big).
    fatal: bool = False

    def position(self, path: NodePath) -> Position:
        """Where `path` was written, or its nearest written ancestor."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return Position(self.file, 1, 1)

    def key_position(self, path: NodePath) -> Position:
        """Where the key naming `path` was written (the value's position if none)."""
        return self.key_positions.get(path) or self.position(path)


class _TooLarge(Exception):
    pass


def parse_yaml(text: str, file: str, max_nodes: int = MAX_NODES) -> YamlDoc:
    """Parse one YAML document; every problem ends up in `issues`."""
    doc = YamlDoc(file=file)
    loader: yaml.SafeLoader | None = None
    try:
        # The reader rejects unprintable characters as soon as it is made.
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, column, message = explain(exc, text)
        doc.issues.append((Position(file, line, column), message))
        doc.fatal = True
        return doc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        doc.issues.append(
            (
                Position(file, line, column),
                f"character U+{exc.character:04X} is not allowed in YAML",
            )
        )
        doc.fatal = True
        return doc
    except yaml.YAMLError as exc:
        doc.issues.append((Position(file, 1, 1), f"YAML error: {exc}"))
        doc.fatal = True
        return doc
    except RecursionError:
        doc.issues.append((Position(file, 1, 1), "the YAML is nested too deeply"))
        doc.fatal = True
        return doc
    finally:
        if loader is not None:
            loader.dispose()

    if root is None:
        doc.issues.append((Position(file, 1, 1), "the file is empty"))
        doc.fatal = True
        return doc

    walker = _Walker(doc, max_nodes)
    try:
        doc.value = walker.walk(root, ())
    except _TooLarge:
        _LOGGER.debug("%s: stopped after %d nodes", file, max_nodes)
        doc.issues.append(
            (
                _at(file, root.start_mark),
                f"the document is too large (more than {max_nodes} values once aliases "
                "are expanded)",
            )
        )
        doc.value = None
        doc.fatal = True
    return doc


def _at(file: str, mark: yaml.Mark | None) -> Position:
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


class _Walker:
    """Builds fresh values for every path, so shared (aliased) nodes are copied."""

    def __init__(self, doc: YamlDoc, max_nodes: int) -> None:
        self._doc = doc
        self._max_nodes = max_nodes
        self._count = 0
        self._open: set[int] = set()  # ids of collection nodes being walked
        self._constructor = yaml.constructor.SafeConstructor()

    def _issue(self, node: yaml.Node, message: str) -> None:
        self._doc.issues.append((_at(self._doc.file, node.start_mark), message))

    def _recursive(self, node: yaml.Node) -> None:
        # The cut-off value would only cause confusing follow-up problems.
        self._doc.fatal = True
        self._issue(node, "recursive alias: this value contains itself")

    def _tick(self) -> None:
        self._count += 1
        if self._count > self._max_nodes:
            raise _TooLarge

    def walk(self, node: yaml.Node, path: NodePath) -> object:
        self._tick()
        self._doc.positions[path] = _at(self._doc.file, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            self._recursive(node)
            return None
        if len(path) >= MAX_DEPTH:
            self._doc.fatal = True
            self._issue(node, f"nested more than {MAX_DEPTH} levels deep")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ_TAG:
                    self._issue(node, f"unsupported YAML tag {node.tag}")
                return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP_TAG:
                    self._issue(node, f"unsupported YAML tag {node.tag}")
                return self._mapping(node, path)
        finally:
            self._open.discard(id(node))
        self._issue(node, "unsupported YAML node")
        return None

    def _scalar(self, node: yaml.ScalarNode) -> object:
        try:
            return self._constructor.construct_object(node, deep=True)
        # PyYAML's scalar constructors raise assorted errors on odd input
        # (unknown tags, `2020-13-45` as a date, bad base64); each is a problem
        # in the file, not a crash.
        except Exception as exc:  # noqa: BLE001
            reason = getattr(exc, "problem", None) or str(exc)
            self._issue(node, f"cannot read this value: {reason}")
            return None

    def _mapping(self, node: yaml.MappingNode, path: NodePath) -> dict[str, object]:
        result: dict[str, object] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            self._tick()
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in result:
                first = self._doc.key_positions[(*path, key)]
                self._issue(key_node, f"duplicate key '{key}' (first at line {first.line})")
                continue
            self._doc.key_positions[(*path, key)] = _at(self._doc.file, key_node.start_mark)
            result[key] = self.walk(value_node, (*path, key))
        # `<<: *anchor` merge keys: explicit keys win, then earlier sources.
        for merge_node in merges:
            self._merge_into(result, merge_node, path)
        return result

    def _key(self, key_node: yaml.Node) -> str | None:
        if not isinstance(key_node, yaml.ScalarNode):
            self._issue(key_node, "keys must be text, got a list or mapping")
            return None
        key = self._scalar(key_node)
        if isinstance(key, str):
            return key
        if key is not None or key_node.value in ("", "~", "null", "Null", "NULL"):
            # `yes:`, `1:` and `null:` are not text in YAML 1.1.
            self._issue(key_node, f"keys must be text, got {key_node.value or 'nothing'}; quote it")
        return None

    def _merge_into(self, result: dict[str, object], source: yaml.Node, path: NodePath) -> None:
        if id(source) in self._open:
            self._recursive(source)
            return
        if isinstance(source, yaml.SequenceNode):
            self._open.add(id(source))
            try:
                for item in source.value:
                    self._tick()
                    self._merge_into(result, item, path)
            finally:
                self._open.discard(id(source))
            return
        if not isinstance(source, yaml.MappingNode):
            self._issue(source, "'<<' needs a mapping or a list of mappings to merge")
            return
        self._open.add(id(source))
        try:
            nested: list[yaml.Node] = []
            for key_node, value_node in source.value:
                self._tick()
                if key_node.tag == _MERGE_TAG:
                    nested.append(value_node)
                    continue
                key = self._key(key_node)
                if key is None or key in result:
                    continue
                self._doc.key_positions[(*path, key)] = _at(self._doc.file, key_node.start_mark)
                result[key] = self.walk(value_node, (*path, key))
            for value_node in nested:
                self._merge_into(result, value_node, path)
        finally:
            self._open.discard(id(source))
