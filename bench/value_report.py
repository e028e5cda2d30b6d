"""The logged-values tables of bench/README.md from `recognition.py --json-out` files.

    .venv/bin/python bench/value_report.py --corpus bench/corpus/test-values \
        moonshine=/tmp/moonshine.json pocketsphinx=/tmp/pocketsphinx.json

For each run: per condition, the accuracy and what was heard wrong: **wrong values** (a
value logged on a spoken value that is not its value), **values on nothing** (a value
logged on a cue, a negative, the background), **commands** (a command acted on where a
value was said, or on nothing); then the accuracy by kind of value, over all conditions
and over quiet and the three 20 dB conditions pooled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coach.words.log_values import VALUE_KINDS

# The conditions pooled as "quiet and 20 dB".
EASY = ("quiet", "pink_20db", "music_20db", "babble_20db")


def is_value(label: str | None) -> bool:
    return bool(label) and str(label).split()[0] in VALUE_KINDS


def heard_wrong(errors: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(wrong values, values on nothing, commands) among a condition's errors."""
    wrong = nothing = commands = 0
    for e in errors:
        if e["error"] == "substitution":
            wrong += is_value(e["heard"])
            commands += not is_value(e["heard"])
        elif e["error"] == "false_trigger" and e["on"] != "duplicate":
            nothing += is_value(e["heard"])
            commands += not is_value(e["heard"])
    return wrong, nothing, commands


def kind_of(label: str) -> str:
    """'load 62.5 kg' → 'load with a unit, a half'; 'rpe 8' → 'rpe'."""
    words = label.split()
    if words[0] != "load":
        return words[0]
    name = "load with a unit" if len(words) == 3 else "load, no unit"
    return name + (", a half" if float(words[1]) != int(float(words[1])) else "")


def by_kind(corpus: Path, doc: dict[str, Any], only: Sequence[str] = ()) -> dict[str, list[int]]:
    """kind → [values said, heard right], over the run's conditions (or `only` those)."""
    counts: dict[str, list[int]] = {}
    for row in doc["conditions"]:
        if only and row["condition"] not in only:
            continue
        truth = json.loads((corpus / f"{row['condition']}.truth.json").read_text())
        wrong = ("miss", "substitution")
        missed = {(e["start"], e["truth"]) for e in row["errors"] if e["error"] in wrong}
        for t in truth:
            if t["kind"] == "value":
                count = counts.setdefault(kind_of(t["command"]), [0, 0])
                count[0] += 1
                count[1] += (t["start"], t["command"]) not in missed
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("runs", nargs="+", metavar="NAME=JSON")
    args = parser.parse_args(argv)
    runs = {}
    for run in args.runs:
        name, _, path = run.partition("=")
        runs[name] = json.loads(Path(path).read_text(encoding="utf-8"))
    names = list(runs)
    print("| condition | " + " | ".join(
        f"{n} acc | wrong value / value on nothing / command" for n in names) + " |")
    print("| --- " * (1 + 2 * len(names)) + "|")
    conditions = [row["condition"] for row in runs[names[0]]["conditions"]]
    totals = {n: [0, 0, 0] for n in names}
    for i, condition in enumerate(conditions):
        cells = [condition]
        for n in names:
            row = runs[n]["conditions"][i]
            wrong = heard_wrong(row["errors"])
            totals[n] = [a + b for a, b in zip(totals[n], wrong, strict=True)]
            cells += [f"{100 * row['accuracy']:.1f} %", " / ".join(map(str, wrong))]
        print("| " + " | ".join(cells) + " |")
    cells = ["OVERALL"]
    for n in names:
        cells += [f"**{100 * runs[n]['overall']['accuracy']:.1f} %**",
                  " / ".join(map(str, totals[n]))]
    print("| " + " | ".join(cells) + " |")
    print()
    print("| | " + " | ".join(names) + " |")
    print("| --- " * (1 + len(names)) + "|")
    kinds = {n: (by_kind(args.corpus, runs[n]), by_kind(args.corpus, runs[n], EASY)) for n in names}
    for kind in sorted(kinds[names[0]][0]):
        cells = [kind]
        for n in names:
            (said, right), (easy_said, easy_right) = kinds[n][0][kind], kinds[n][1][kind]
            cells.append(f"{100 * right / said:.1f} % ({100 * easy_right / easy_said:.1f} %)")
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
