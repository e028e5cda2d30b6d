"""Figures on the package's imports: arrows between files, file circles, package
pairs that import each other, and the largest module. `make lint` enforces the
layers (import-linter); this says how far a tree is from them.

    .venv/bin/python tools/import_report.py [PACKAGE_DIR]   # default: coach
"""

from __future__ import annotations

import argparse
import ast
import itertools
from collections import defaultdict
from pathlib import Path


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py file under `root`."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def arrows(found: dict[str, Path]) -> dict[str, set[str]]:
    """Which modules of the package each module imports (at any depth in the file)."""

    def owner(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    imports: dict[str, set[str]] = defaultdict(set)
    root = next(iter(found)).split(".")[0]
    for module, path in found.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                if target.split(".")[0] != root:
                    continue
                hit = owner(target)
                # "from pkg import name": the submodule if it is one, else the package
                if hit is not None and hit != module and hit != root:
                    imports[module].add(hit)
    for module in imports:  # a submodule's import stands for its package's
        imports[module] -= {m for m in imports[module] if any(
            o.startswith(m + ".") for o in imports[module])}
    return imports


def circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = itertools.count()

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for other in imports.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(imports) | {t for ts in imports.values() for t in ts}):
        if node not in index:
            visit(node)
    return groups


def unit(module: str) -> str:
    """The package's part a module belongs to: its subpackage, or itself at the top."""
    parts = module.split(".")
    return ".".join(parts[:2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default="coach", type=Path)
    args = parser.parse_args()
    found = modules(args.package.resolve())
    imports = arrows(found)
    file_circles = circles(imports)
    by_unit: dict[str, set[str]] = defaultdict(set)
    for module, targets in imports.items():
        for target in targets:
            if unit(module) != unit(target):
                by_unit[unit(module)].add(unit(target))
    pairs = sorted({tuple(sorted((a, b))) for a, bs in by_unit.items() for b in bs
                    if a in by_unit.get(b, ())})
    largest = max(found.values(), key=lambda p: len(p.read_text(encoding="utf-8").splitlines()))
    print(f"files                          {len(found)}")
    print(f"arrows between files           {sum(len(t) for t in imports.values())}")
    print(f"arrows between package parts   {sum(len(t) for t in by_unit.values())}")
    print(f"file circles                   {len(file_circles)}")
    for group in file_circles:
        print(f"    {' ↔ '.join(group)}")
    print(f"package pairs importing each other  {len(pairs)}")
    for a, b in pairs:
        print(f"    {a} ↔ {b}")
    lines = len(largest.read_text(encoding="utf-8").splitlines())
    print(f"largest module                 {largest.relative_to(args.package.resolve().parent)}"
          f" ({lines} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
