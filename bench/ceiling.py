"""The recognizer's ceiling: every utterance of the corpus heard on its own.

    .venv/bin/python bench/ceiling.py --corpus bench/corpus/test [--backend moonshine]
    .venv/bin/python bench/ceiling.py --corpus bench/corpus/test-values [--backend B]

`bench/recognition.py` scores the whole listener: the endpointer that finds an
utterance, the rule that a command follows quiet, the recognizer that names it. This
scores the recognizer alone, as if the rest were perfect. Each truth utterance is cut
out of its stream at its known times (widened by --pre and --post seconds) and handed
to the recognizer exactly as the listener hands it an utterance. No listening pipeline
built around this recognizer can do better than these figures:

- `best`: the commands whose likeliest phrase is the right command, whatever its
  confidence (no gate, so nothing is rejected, talk included);
- `gated`: the commands named right at the recognizer's own confidence gate (what the
  listener accepts);
- `subs`: commands named wrong at the gate;
- `neg>cmd`, `cue>cmd`: negative sentences and the coach's own cues, each cut at its
  own times, that pass the gate as a command (false triggers that no endpointer or
  isolation rule would prevent).

A corpus of logged values (`make_corpus.py --values`) is heard as the session hears it:
each value with its kind asked for (and what comes before it, with that kind too), a
value right when its label is (kind, number and unit), at the recognizer's gate for
values; `subs` are then wrong values and commands.

Exit status: 0 scored, 2 bad usage (no corpus, unknown condition or backend).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from provenance import provenance  # noqa: E402
from recognition import DEFAULT_CORPUS, plain_table, value_label, voice_engine  # noqa: E402

COLUMNS = ("condition", "cmds", "best", "gated", "subs", "neg>cmd", "cue>cmd")


@dataclass
class Ceiling:
    commands: int = 0
    best: int = 0  # the likeliest phrase names the right command
    gated: int = 0  # ... and passes the gate
    substitutions: int = 0  # a wrong command passes the gate
    negatives: int = 0
    negatives_passed: int = 0
    cues: int = 0
    cues_passed: int = 0
    by_engine: dict[str, list[int]] = field(default_factory=dict)  # [commands, gated]

    def add(self, other: Ceiling) -> None:
        for name in ("commands", "best", "gated", "substitutions", "negatives",
                     "negatives_passed", "cues", "cues_passed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for engine, (n, ok) in other.by_engine.items():
            mine = self.by_engine.setdefault(engine, [0, 0])
            mine[0] += n
            mine[1] += ok

    def row(self, name: str) -> dict[str, Any]:
        def share(n: int) -> float | None:
            return round(n / self.commands, 4) if self.commands else None

        return {
            "condition": name,
            "commands": self.commands,
            "best": share(self.best),
            "gated": share(self.gated),
            "substitutions": self.substitutions,
            "negatives": self.negatives,
            "negatives_passed": self.negatives_passed,
            "cues": self.cues,
            "cues_passed": self.cues_passed,
            "gated_by_engine": {
                e: round(ok / n, 4) if n else None for e, (n, ok) in sorted(self.by_engine.items())
            },
            "commands_by_engine": {e: n for e, (n, _) in sorted(self.by_engine.items())},
        }


def _cells(row: dict[str, Any]) -> list[str]:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    return [
        row["condition"], str(row["commands"]), pct(row["best"]), pct(row["gated"]),
        str(row["substitutions"]), f"{row['negatives_passed']}/{row['negatives']}",
        f"{row['cues_passed']}/{row['cues']}",
    ]


def print_table(rows: list[dict[str, Any]], title: str) -> None:
    plain_table(COLUMNS, [_cells(r) for r in rows], title)
    engines = rows[-1]["gated_by_engine"]
    counts = rows[-1]["commands_by_engine"]
    print("gated by voice engine: " + ", ".join(
        f"{e} {100 * a:.1f}% of {counts[e]}" for e, a in engines.items() if a is not None))


_RECOGNIZER: Any = None


def _recognizer(backend: str, values: bool) -> Any:
    """One recognizer per worker process: loading a model costs seconds."""
    global _RECOGNIZER
    if _RECOGNIZER is None:
        from coach.listen.recognizers import make_recognizer
        from coach.words.vocabulary import Vocabulary

        _RECOGNIZER = make_recognizer(backend, Vocabulary(), values=values)
    return _RECOGNIZER


def asked_before(truth: list[dict[str, Any]]) -> list[str | None]:
    """The kind asked for while each utterance is said: the next value's (None for a
    corpus of commands)."""
    asked: list[str | None] = []
    following = None
    for said in reversed(truth):
        if said["kind"] == "value":
            following = said["command"].split()[0]
        asked.append(following)
    return asked[::-1]


def named(
    recognizer: Any, vocabulary: Any, text: str, kind: str | None
) -> tuple[str | None, float]:
    """What the listener would take `text` for, as a label ('next', 'load 80 kg'), and
    the gate it must pass."""
    from coach.words.log_values import parse

    command = vocabulary.command_for(text) if text else None
    value = parse(text, kind) if text and kind is not None else None
    if value is not None and value.kind != "skip":
        return value_label(vars(value)), recognizer.value_min_confidence
    return command, recognizer.min_confidence


def condition_ceiling(stream: Path, backend: str, pre: float, post: float) -> Ceiling:
    """Every truth utterance of `stream`, heard on its own by the recognizer."""
    import numpy as np

    from coach.base.samples import resample
    from coach.listen.input.files import mono_blocks
    from coach.words.vocabulary import Vocabulary

    vocabulary = Vocabulary()
    truth = json.loads(stream.with_suffix(".truth.json").read_text())
    values = any(said["kind"] == "value" for said in truth)
    recognizer = _recognizer(backend, values)
    rate = recognizer.sample_rate
    blocks, stream_rate = mono_blocks(stream)
    audio = np.concatenate(list(blocks))
    if stream_rate != rate:
        audio = resample(audio, stream_rate, rate)
    found = Ceiling()
    for said, kind in zip(truth, asked_before(truth), strict=True):
        first = max(0, int((said["start"] - pre) * rate))
        last = min(audio.size, int((said["end"] + post) * rate))
        if values:
            recognizer.listen_for_values(kind)
        recognizer.start()
        recognizer.feed((np.clip(audio[first:last], -1, 1) * 32767).astype(np.int16))
        hyp = recognizer.finish()
        command, gate = named(recognizer, vocabulary, hyp.text, kind)
        passed = command is not None and hyp.confidence >= gate
        if said["kind"] in ("command", "value"):
            right = command == said["command"]
            found.commands += 1
            found.best += right
            found.gated += right and passed
            found.substitutions += passed and not right
            engine = found.by_engine.setdefault(voice_engine(said), [0, 0])
            engine[0] += 1
            engine[1] += right and passed
        elif said["kind"] == "negative":
            found.negatives += 1
            found.negatives_passed += passed
        else:
            found.cues += 1
            found.cues_passed += passed
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus directory with manifest.json (default bench/corpus/dev)")
    parser.add_argument("--backend", default="auto",
                        help="moonshine, pocketsphinx, vosk or auto (the default)")
    parser.add_argument("--conditions", help="comma-separated subset of conditions")
    parser.add_argument("--pre", type=float, default=0.1,
                        help="seconds of audio kept before each utterance's start (0.1)")
    parser.add_argument("--post", type=float, default=0.15,
                        help="seconds of audio kept after each utterance's end (0.15)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes (default: 2, or the cores there are)")
    parser.add_argument("--json-out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    manifest_path = args.corpus / "manifest.json"
    if not manifest_path.is_file():
        print(f"ceiling: no corpus in {args.corpus} (no manifest.json): build one with "
              "bench/make_corpus.py", file=sys.stderr)
        return 2
    files = {c["name"]: c["file"] for c in json.loads(manifest_path.read_text())["conditions"]}
    conditions = list(files)
    if args.conditions:
        wanted = args.conditions.split(",")
        unknown = sorted(set(wanted) - set(conditions))
        if unknown:
            print(f"ceiling: no condition {', '.join(unknown)} in {args.corpus}; there are "
                  f"{', '.join(conditions)}", file=sys.stderr)
            return 2
        conditions = [c for c in conditions if c in wanted]
    from coach.base.errors import CoachError
    from coach.config import BACKENDS

    if args.backend not in BACKENDS:
        print(f"ceiling: unknown backend {args.backend!r}; choose one of "
              f"{', '.join(BACKENDS)}", file=sys.stderr)
        return 2

    streams = [args.corpus / files[name] for name in conditions]
    try:
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            found = list(pool.map(condition_ceiling, streams, [args.backend] * len(streams),
                                  [args.pre] * len(streams), [args.post] * len(streams)))
    except CoachError as exc:
        print(f"ceiling: {exc}", file=sys.stderr)
        return 2
    total = Ceiling()
    for one in found:
        total.add(one)
    rows = [one.row(name) for name, one in zip(conditions, found, strict=True)]
    rows.append(total.row("OVERALL"))
    print_table(rows, f"the recognizer's ceiling ({args.backend}, {args.corpus.name}, "
                      f"cut at the truth -{args.pre:g}/+{args.post:g} s)")
    if args.json_out:
        args.json_out.write_text(json.dumps({"backend": args.backend, "pre": args.pre,
                                             "post": args.post, "rows": rows,
                                             "provenance": provenance()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
