"""Score the listener on the benchmark corpus.

    .venv/bin/python bench/recognition.py               # bench/corpus/dev, default backend
    .venv/bin/python bench/recognition.py --corpus bench/corpus/test --backend vosk
    .venv/bin/python bench/recognition.py --recognitions-dir DIR  # score saved JSON lines
    .venv/bin/python bench/recognition.py --gain-db -30  # every stream 30 dB quieter
    .venv/bin/python bench/recognition.py --rate 8000 --dc-offset 0.1  # a telephone, an offset

For each stream of the corpus (manifest.json) it runs `coach recognize FILE --json
[--backend B]` as a child process, measures its wall time and peak RSS, saves its output
(DIR/CONDITION.jsonl) and scores it against CONDITION.truth.json:

- a recognition is correct when its command equals a truth command's and its
  [start, end] overlaps the truth interval widened by --slack seconds (0.5) each side;
- substitution: overlaps a truth command that got no correct recognition, wrong command;
- miss: a truth command with neither;
- false trigger: any other recognition (on a negative sentence, on the coach's own cue,
  on background only, or a second recognition of an already matched command).

Prints a table per condition plus OVERALL, and the accuracy by voice engine (espeak,
flite, hibari: how like a person the voice sounds matters), and writes the same as JSON
with --json-out.
Exit status: 0 scored; 1 a recognizer run failed or --min-accuracy was not met; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance import provenance

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = HERE / "corpus" / "dev"
SLACK = 0.5

# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


@dataclass
class Score:
    duration: float
    commands: int = 0
    correct: int = 0
    substitutions: int = 0
    misses: int = 0
    false_triggers: int = 0
    # where the false triggers fell: negative | cue | command (duplicate) | the words of
    # other people talking in the background (talk) | nothing (background)
    false_by_kind: dict[str, int] = field(
        default_factory=lambda: {"negative": 0, "cue": 0, "duplicate": 0, "talk": 0,
                                 "background": 0}
    )
    latencies: list[float] = field(default_factory=list)
    ignored: int = 0  # recognitions without a command
    errors: list[dict[str, Any]] = field(default_factory=list)  # misses, subs, false triggers
    # per voice engine (espeak, flite, hibari: the part of a truth's voice before ":"):
    # [commands, correct]. The engines differ in how like a person they sound.
    by_engine: dict[str, list[int]] = field(default_factory=dict)

    def add(self, other: Score) -> None:
        self.duration += other.duration
        for name in ("commands", "correct", "substitutions", "misses", "false_triggers",
                     "ignored"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.false_by_kind.items():
            self.false_by_kind[k] = self.false_by_kind.get(k, 0) + v
        self.latencies += other.latencies
        for engine, (commands, correct) in other.by_engine.items():
            mine = self.by_engine.setdefault(engine, [0, 0])
            mine[0] += commands
            mine[1] += correct


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the intersection of two intervals; >= 0 means they touch."""
    return min(a1, b1) - max(a0, b0)


def score(
    truth: Sequence[dict[str, Any]],
    recognitions: Sequence[dict[str, Any]],
    duration: float,
    slack: float = SLACK,
    talk: Sequence[dict[str, Any]] = (),
) -> Score:
    """Match recognitions to truth commands (see the module doc) and count. `talk`:
    what the background's talkers said ({start, end, text}), where a false trigger on
    nothing said in the foreground counts as theirs."""
    result = Score(duration=duration)
    # A logged value is scored as a command whose name is its label ("load 80 kg").
    commands = [t for t in truth if t.get("kind") in ("command", "value")]
    result.commands = len(commands)
    recs = []
    for r in recognitions:
        if not r.get("command"):
            result.ignored += 1
            continue
        start = float(r["start"])
        end = float(r.get("end", start))
        said = value_label(r["value"]) if r.get("value") else r["command"]
        recs.append({**r, "command": said, "start": start, "end": max(start, end)})
    recs.sort(key=lambda r: (r.get("emitted_at", r["end"]), r["start"]))

    def hits(rec: dict[str, Any], t: dict[str, Any]) -> float | None:
        ov = _overlap(rec["start"], rec["end"], t["start"] - slack, t["end"] + slack)
        return ov if ov >= 0 else None

    matched: dict[int, dict[str, Any]] = {}  # truth index -> recognition
    used: set[int] = set()
    # 1. correct: same command, overlapping; each truth takes the first such recognition
    #    (in decision order), preferring the truth it overlaps most.
    for ri, rec in enumerate(recs):
        best = None
        for ti, t in enumerate(commands):
            if ti in matched or t["command"] != rec["command"]:
                continue
            ov = hits(rec, t)
            if ov is not None and (best is None or ov > best[0]):
                best = (ov, ti)
        if best is not None:
            matched[best[1]] = rec
            used.add(ri)
    for ti, t in enumerate(commands):
        engine = result.by_engine.setdefault(voice_engine(t), [0, 0])
        engine[0] += 1
        engine[1] += ti in matched
    for ti, rec in matched.items():
        t = commands[ti]
        result.correct += 1
        emitted = float(rec.get("emitted_at", rec["end"]))
        result.latencies.append(round(emitted - float(t["end"]), 4))
    # 2. substitutions: a remaining recognition overlapping an unmatched truth command.
    subbed: set[int] = set()
    for ri, rec in enumerate(recs):
        if ri in used:
            continue
        best = None
        for ti, t in enumerate(commands):
            if ti in matched or ti in subbed:
                continue
            ov = hits(rec, t)
            if ov is not None and (best is None or ov > best[0]):
                best = (ov, ti)
        if best is not None:
            subbed.add(best[1])
            used.add(ri)
            t = commands[best[1]]
            result.errors.append({"error": "substitution", "truth": t["command"],
                                  "phrase": t["phrase"], "voice": t.get("voice"),
                                  "start": t["start"], "end": t["end"],
                                  "heard": rec["command"], "text": rec.get("text")})
    result.substitutions = len(subbed)
    # 3. misses
    for ti, t in enumerate(commands):
        if ti not in matched and ti not in subbed:
            result.misses += 1
            result.errors.append({"error": "miss", "truth": t["command"], "phrase": t["phrase"],
                                  "voice": t.get("voice"), "start": t["start"], "end": t["end"]})
    # 4. false triggers: classify by what they overlap (without slack first, then with).
    for ri, rec in enumerate(recs):
        if ri in used:
            continue
        result.false_triggers += 1
        where = "background"
        for widen in (0.0, slack):
            over = [t for t in truth if _overlap(rec["start"], rec["end"],
                                                 t["start"] - widen, t["end"] + widen) >= 0]
            if over:
                kind = over[0].get("kind")
                where = "duplicate" if kind in ("command", "value") else str(kind)
                what = over[0].get("phrase")
                break
        else:
            said = [t for t in talk if _overlap(rec["start"], rec["end"],
                                                t["start"] - slack, t["end"] + slack) >= 0]
            what = said[0]["text"] if said else None
            where = "talk" if said else "background"
        result.false_by_kind[where] = result.false_by_kind.get(where, 0) + 1
        result.errors.append({"error": "false_trigger", "on": where, "truth_phrase": what,
                              "heard": rec["command"], "text": rec.get("text"),
                              "start": rec["start"], "end": rec["end"]})
    result.errors.sort(key=lambda e: e["start"])
    return result


# When the session has its answer to a value (the listener's closing pause, ~0.3 s) and
# asks for the next; the corpus's values are at least 0.62 s apart.
ANSWERED_AFTER = 0.5


def asked_kinds(truth: list[dict[str, Any]]) -> str:
    """`coach recognize --log`'s kinds, as the session asks: each value's kind from just
    after the value before it (the first's from the start)."""
    asked, since = [], 0.0
    for entry in truth:
        if entry.get("kind") == "value":
            asked.append(f"{since:g}:{entry['command'].split()[0]}")
            since = round(float(entry["end"]) + ANSWERED_AFTER, 3)
    return ",".join(asked)


def value_label(value: dict[str, Any]) -> str:
    """A recognition's logged value as the corpus labels it: 'load 80 kg', 'rpe 7.5'."""
    parts = [str(value["kind"])]
    if value.get("value") is not None:
        parts.append(f"{float(value['value']):g}")
    if value.get("unit"):
        parts.append(str(value["unit"]))
    return " ".join(parts)


def voice_engine(truth: dict[str, Any]) -> str:
    """'espeak' for a truth said by 'espeak:en-us/r165/p50'."""
    return str(truth.get("voice") or "unknown").split(":", 1)[0]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summary(s: Score, wall: float | None = None, peak_mb: float | None = None) -> dict[str, Any]:
    hours = s.duration / 3600
    return {
        "audio_seconds": round(s.duration, 2),
        "commands": s.commands,
        "correct": s.correct,
        "accuracy": round(s.correct / s.commands, 4) if s.commands else None,
        "substitutions": s.substitutions,
        "misses": s.misses,
        "false_triggers": s.false_triggers,
        "false_triggers_by_kind": dict(s.false_by_kind),
        "false_triggers_per_hour": round(s.false_triggers / hours, 2) if hours else None,
        "false_triggers_per_hour_talk": (
            round(s.false_by_kind.get("talk", 0) / hours, 2) if hours else None),
        "latency_p50": _r(percentile(s.latencies, 50)),
        "latency_p95": _r(percentile(s.latencies, 95)),
        "rtf": round(wall / s.duration, 4) if wall is not None and s.duration else None,
        "wall_seconds": round(wall, 2) if wall is not None else None,
        "peak_mb": round(peak_mb, 1) if peak_mb is not None else None,
        "ignored": s.ignored,
        "accuracy_by_engine": {
            engine: round(correct / commands, 4) if commands else None
            for engine, (commands, correct) in sorted(s.by_engine.items())
        },
        "commands_by_engine": {e: n for e, (n, _) in sorted(s.by_engine.items())},
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# ---------------------------------------------------------------------------
# Running the recognizer
# ---------------------------------------------------------------------------


def parse_jsonl(text: str) -> tuple[list[dict[str, Any]], int]:
    """Recognitions from JSON lines; returns (recognitions, number of unparsable lines)."""
    out, bad = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if isinstance(obj, dict) and "start" in obj:
            out.append(obj)
        else:
            bad += 1
    return out, bad


def recs_in(text: str) -> bool:
    return bool(parse_jsonl(text)[0])


@dataclass
class Run:
    stdout: str
    stderr: str
    returncode: int
    wall: float
    peak_mb: float


def run_child(cmd: Sequence[str], timeout: float) -> Run:
    """Run cmd, collect stdout; wall time and the child's own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return Run(out.decode(errors="replace"), stderr, proc.returncode, wall, peak)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

COLUMNS = [
    ("condition", "condition"),
    ("commands", "cmds"),
    ("accuracy", "acc"),
    ("substitutions", "subs"),
    ("misses", "miss"),
    ("false_triggers", "FT"),
    ("ft_where", "FT neg/cue/dup/talk/bg"),
    ("false_triggers_per_hour", "FT/h"),
    ("false_triggers_per_hour_talk", "of talk"),
    ("latency_p50", "lat p50"),
    ("latency_p95", "lat p95"),
    ("rtf", "RTF"),
    ("peak_mb", "peak MB"),
]


def _cell(row: dict[str, Any], key: str) -> str:
    if key == "ft_where":
        k = row["false_triggers_by_kind"]
        return (f"{k['negative']}/{k['cue']}/{k['duplicate']}/{k.get('talk', 0)}/"
                f"{k['background']}")
    value = row.get(key)
    if value is None:
        return "-"
    if key == "accuracy":
        return f"{100 * value:.1f}%"
    if key in ("latency_p50", "latency_p95"):
        return f"{value:.2f}s"
    if key == "rtf":
        return f"{value:.3f}"
    if key in ("false_triggers_per_hour", "false_triggers_per_hour_talk"):
        return f"{value:.1f}"
    if key == "peak_mb":
        return f"{value:.0f}"
    return str(value)


def _print_rich(cells: list[list[str]], title: str) -> bool:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        return False
    console = Console()
    need = sum(max(len(h), *(len(c[i]) for c in cells)) + 3 for i, (_, h) in enumerate(COLUMNS))
    if console.width < need:
        return False  # too narrow for the boxes: plain text wraps better
    table = Table(title=title)
    for i, (_, head) in enumerate(COLUMNS):
        table.add_column(head, justify="left" if i == 0 else "right", no_wrap=True)
    for i, row in enumerate(cells):
        table.add_row(*row, end_section=i == len(cells) - 2)
    console.print(table)
    return True


def print_table(rows: list[dict[str, Any]], title: str, file: Any = sys.stdout) -> None:
    """Rich on a terminal, plain aligned text otherwise; the last row is the total."""
    cells = [[_cell(r, k) for k, _ in COLUMNS] for r in rows]
    if file is sys.stdout and sys.stdout.isatty() and _print_rich(cells, title):
        return
    plain_table([h for _, h in COLUMNS], cells, title, file)


def plain_table(heads: Sequence[str], cells: list[list[str]], title: str,
                file: Any = None) -> None:
    """Aligned text: the first column to the left, the others to the right; the last
    row (the total) under a rule of its own. `file`: standard output by default (as it
    is when called, so that a capture sees it)."""
    file = sys.stdout if file is None else file
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths, strict=True)))

    print(title, file=file)
    print(line(heads), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for i, row in enumerate(cells):
        if i == len(cells) - 1:
            print("  ".join("-" * w for w in widths), file=file)
        print(line(row), file=file)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def _alterations(args: argparse.Namespace) -> list[str]:
    """How the streams are altered before coach hears them, as labels (none: as made)."""
    return [label for label, on in (
        (f"gain{args.gain_db:+g}", args.gain_db),
        (f"dc{args.dc_offset:+g}", args.dc_offset),
        (f"{args.rate}Hz", args.rate),
    ) if on]


def altered_copy(stream: Path, args: argparse.Namespace, folder: Path) -> Path:
    """`stream` resampled (--rate), turned (--gain-db) and offset (--dc-offset), as
    16-bit PCM in `folder` (clipped)."""
    import numpy as np
    import soundfile
    import soxr

    audio, rate = soundfile.read(str(stream), dtype="float32", always_2d=True)
    if args.rate and args.rate != rate:
        audio, rate = soxr.resample(audio, rate, args.rate), args.rate
    audio = audio * 10 ** (args.gain_db / 20) + args.dc_offset
    out = folder / stream.name
    soundfile.write(str(out), np.clip(audio, -1, 1), rate, subtype="PCM_16")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus directory with manifest.json (default bench/corpus/dev)")
    parser.add_argument("--backend", help="passed to coach recognize --backend")
    parser.add_argument("--options", default="", metavar="'OPTS'",
                        help="more options for coach recognize, e.g. '--no-verify --no-denoise'")
    parser.add_argument("--coach", default=f"{shlex.quote(sys.executable)} -m coach",
                        help="how to call coach (default: this python -m coach)")
    parser.add_argument("--recognitions-dir", type=Path,
                        help="score saved CONDITION.jsonl files instead of running coach")
    parser.add_argument("--save-dir", type=Path,
                        help="where to keep the recognizer's output "
                             "(default CORPUS/recognitions/BACKEND)")
    parser.add_argument("--conditions", help="comma-separated subset of conditions")
    parser.add_argument("--value-gate", type=float, metavar="C",
                        help="drop the logged values heard below confidence C (with "
                             "--recognitions-dir: a stricter gate for values, tried without "
                             "running coach again; the listener's refractory window aside)")
    parser.add_argument("--slack", type=float, default=SLACK,
                        help="seconds a recognition may lie outside the truth interval (0.5)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per stream")
    parser.add_argument("--json-out", type=Path, help="write the results as JSON here")
    parser.add_argument("--errors", action="store_true",
                        help="list every miss, substitution and false trigger")
    parser.add_argument("--gain-db", type=float, default=0.0, metavar="DB",
                        help="turn every stream up or down by DB before coach hears it "
                             "(a far or low-gain microphone: --gain-db -30)")
    parser.add_argument("--dc-offset", type=float, default=0.0, metavar="X",
                        help="add a constant X (full scale 1) to every stream, as some "
                             "microphones do")
    parser.add_argument("--rate", type=int, metavar="HZ",
                        help="resample every stream to HZ first (a telephone: --rate 8000)")
    parser.add_argument("--min-accuracy", type=float,
                        help="exit 1 when the OVERALL accuracy (0..1) is below this")
    args = parser.parse_args(argv)

    manifest_path = args.corpus / "manifest.json"
    if not manifest_path.exists():
        print(f"recognition: no corpus at {args.corpus} (run bench/make_corpus.py)",
              file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    conds = manifest["conditions"]
    if args.conditions:
        wanted = [c.strip() for c in args.conditions.split(",")]
        unknown = set(wanted) - {c["name"] for c in conds}
        if unknown:
            print(f"recognition: unknown condition(s): {', '.join(sorted(unknown))}",
                  file=sys.stderr)
            return 2
        conds = [c for c in conds if c["name"] in wanted]
    if args.recognitions_dir and not args.recognitions_dir.is_dir():
        print(f"recognition: no directory {args.recognitions_dir}", file=sys.stderr)
        return 2
    save_dir = None
    altered = _alterations(args)
    if not args.recognitions_dir:
        label = "_".join([args.backend or "default", *altered])
        save_dir = args.save_dir or args.corpus / "recognitions" / label
        save_dir.mkdir(parents=True, exist_ok=True)
    turned = None
    if altered and not args.recognitions_dir:
        turned = tempfile.TemporaryDirectory(prefix="coach-bench-")

    rows: list[dict[str, Any]] = []
    total = Score(duration=0.0)
    total_wall, peak, failed, any_wall = 0.0, None, [], False
    for cond in conds:
        name = cond["name"]
        truth = json.loads((args.corpus / cond["truth"]).read_text(encoding="utf-8"))
        talk = (json.loads((args.corpus / cond["talk"]).read_text(encoding="utf-8"))
                if cond.get("talk") else [])
        duration = float(cond["duration"])
        wall = peak_mb = None
        status = "ok"
        if args.recognitions_dir:
            path = args.recognitions_dir / f"{name}.jsonl"
            if not path.exists():
                print(f"recognition: {name}: no {path}, counted as no recognitions",
                      file=sys.stderr)
                status = "missing"
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        else:
            stream = args.corpus / cond["file"]
            if turned is not None:
                stream = altered_copy(stream, args, Path(turned.name))
            cmd = [*shlex.split(args.coach), "recognize", str(stream), "--json"]
            if manifest.get("values"):  # a corpus of logged values: the logging listener
                cmd += ["--log", asked_kinds(truth)]
            if args.backend:
                cmd += ["--backend", args.backend]
            cmd += shlex.split(args.options)
            print(f"{name}: {' '.join(shlex.quote(c) for c in cmd)}", file=sys.stderr)
            run = run_child(cmd, args.timeout)
            text, wall, peak_mb = run.stdout, run.wall, run.peak_mb
            if run.returncode != 0:
                last = run.stderr.strip().splitlines()[-1:] or ["(no message)"]
                print(f"recognition: {name}: coach exited {run.returncode}: {last[0]}",
                      file=sys.stderr)
                status = f"exit {run.returncode}"
                failed.append(name)
                if run.returncode == 2 and not recs_in(text):
                    print("recognition: bad usage; not running the other streams",
                          file=sys.stderr)
                    return 2
            assert save_dir is not None
            (save_dir / f"{name}.jsonl").write_text(text, encoding="utf-8")
            total_wall += wall
            any_wall = True
            peak = peak_mb if peak is None else max(peak, peak_mb)
        recs, bad = parse_jsonl(text)
        if args.value_gate is not None:
            recs = [r for r in recs if r.get("command") != "log"
                    or r["confidence"] >= args.value_gate]
        if bad:
            print(f"recognition: {name}: {bad} unparsable line(s) ignored", file=sys.stderr)
        s = score(truth, recs, duration, slack=args.slack, talk=talk)
        total.add(s)
        row = {"condition": name, "status": status, "description": cond.get("description"),
               **summary(s, wall, peak_mb), "unparsable_lines": bad, "errors": s.errors}
        rows.append(row)
        print(f"{name}: {row['correct']}/{row['commands']} correct, {row['false_triggers']} "
              f"false triggers" + (f", RTF {row['rtf']:.3f}" if row["rtf"] is not None else ""),
              file=sys.stderr)
        if args.errors:
            for e in s.errors:
                print(f"  {name} {json.dumps(e)}", file=sys.stderr)

    overall = {"condition": "OVERALL", **summary(total, total_wall if any_wall else None, peak)}
    title = (f"coach recognize on {args.corpus} (split {manifest.get('split')}, "
             f"backend {args.backend or 'default'}, slack ±{args.slack:g} s"
             + (f", altered: {' '.join(altered)})" if altered else ")"))
    print_table([*rows, overall], title)
    print("accuracy by voice engine: " + ", ".join(
        f"{engine} {100 * (acc or 0):.1f} % of {overall['commands_by_engine'][engine]}"
        for engine, acc in overall["accuracy_by_engine"].items()))
    if args.json_out:
        doc = {"corpus": str(args.corpus), "split": manifest.get("split"),
               "backend": args.backend, "slack": args.slack,
               "source": str(args.recognitions_dir) if args.recognitions_dir else "coach",
               "conditions": rows, "overall": overall, "provenance": provenance(),
               "corpus_provenance": manifest.get("provenance")}
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    if failed:
        print(f"recognition: the recognizer failed on {', '.join(failed)}", file=sys.stderr)
        return 1
    if args.min_accuracy is not None and (overall["accuracy"] or 0) < args.min_accuracy:
        print(f"recognition: accuracy {overall['accuracy']} below {args.min_accuracy}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
