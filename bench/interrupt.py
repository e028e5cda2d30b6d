#!/usr/bin/env python
"""Interruption benchmark: how soon does the coach fall silent, and answer, once it
has decided to act on a command?

    .venv/bin/python bench/interrupt.py [--cycles 20] [--latency 0.2] [--seed 0]

A live session on a private PulseAudio server (a null sink as the speaker) reads a
long cue; "pause" and "resume" come in turns at random moments, each one cutting
what the coach is saying (the cue, or its "Paused." answer). For every cut:
- decision → silence: from the moment the session decided (time.monotonic() when
  its `handle` returned a Cut) to where the cut clip stops in the recording of the
  sink's monitor;
- decision → first reply sample: to where the answer's first sample is heard there.
The monitor is read by parec in another process, each piece stamped on arrival, so
both ends are on time.monotonic(). Prints p50 / p95 / max in ms, then the figures as
JSON (also written with --json-out FILE). Targets: p95 ≤ 150 ms and ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from cli import isolated_env, run_coach  # noqa: E402
from cue_onsets import json_events, locate, timeline_cues  # noqa: E402
from provenance import provenance  # noqa: E402
from pulse import PulseServer  # noqa: E402
from voice_timing import RATE, MonitorTap, use_home  # noqa: E402

from coach.app.speaker import sample_at  # noqa: E402

SCRIPT = """\
workout: Interrupt bench
exercises:
  - name: Bridge
    sets: 1
    reps: 1
    countdown: 0
    tempo: {setup: manual, brace: 1, drive: 1, hold: 1, lower: 1}
    cues:
      setup: >-
        Lie on your back with your knees bent and your feet flat on the floor, arms
        long by your sides, chin tucked and ribs down. Take one slow breath out
        before we begin, and say ready whenever you are set.
"""

_WINDOW = 0.005  # seconds: the resolution of "where the clip stops"
_MATCH = 0.8  # a window still carries the clip above this normalised correlation
_GONE = 4  # windows in a row without the clip: it has stopped


def child(work: Path, script: Path) -> int:
    """The session, in-process, with its decisions stamped; commands come on stdin."""
    from coach.app.cli import main
    from coach.session.events import Command, Cut
    from coach.session.machine import Session

    decisions: list[dict[str, Any]] = []
    original = Session.handle

    def handle(self: Session, event: Any, now: float) -> Any:
        actions = original(self, event, now)
        if isinstance(event, Command) and any(isinstance(a, Cut) for a in actions):
            decisions.append({"monotonic": time.monotonic(), "t": now, "command": event.name})
        return actions

    Session.handle = handle  # type: ignore[method-assign]
    code = main(["run", str(script), "--json", "--no-listen"])
    (work / "decisions.json").write_text(json.dumps({"code": code, "decisions": decisions}))
    return 0


def drive(process: subprocess.Popen[str], cycles: int, rng: random.Random) -> None:
    """pause over the cue, resume over "Paused.", in turns, at random moments."""
    assert process.stdin is not None
    time.sleep(9.0)  # the cue is under way
    for _ in range(cycles):
        for key, low, high in (("p", 0.8, 2.5), ("c", 0.3, 1.2)):
            process.stdin.write(key + "\n")
            process.stdin.flush()
            time.sleep(rng.uniform(low, high))
    time.sleep(1.0)
    process.stdin.write("q\n")
    process.stdin.flush()


def stop_of(recorded: np.ndarray, clip: np.ndarray, onset: int, start: int) -> int:
    """Where the recording stops carrying `clip` (placed at `onset`), looking from
    `start` on: the first of _GONE windows in a row that don't match it."""
    n = int(_WINDOW * RATE)
    misses = 0
    for at in range(max(start, onset), min(recorded.size - n, onset + clip.size - n), n):
        a, b = recorded[at : at + n], clip[at - onset : at - onset + n]
        power = float(np.dot(b, b))
        if power < 1e-7:
            continue  # the clip is silent here: it tells nothing
        if float(np.dot(a, b)) / np.sqrt(float(np.dot(a, a)) * power + 1e-12) > _MATCH:
            misses = 0
        else:
            misses += 1
            if misses == _GONE:
                return at - (_GONE - 1) * n
    return onset + clip.size


def measure(events: list[dict[str, Any]], decisions: list[dict[str, Any]],
            recorded: np.ndarray, zero: float) -> tuple[list[float], list[float], int]:
    """decision → silence and decision → first reply sample, in ms, per cut."""
    cues = timeline_cues(events, RATE)
    says = [(e, c) for e, c in zip([e for e in events if e["event"] in ("say", "tone")], cues,
                                   strict=True) if e["event"] == "say"]
    first, first_cue = says[0]
    # The cue is said again and again: its first time is before the first decision.
    before = recorded[: max(RATE, int((decisions[0]["monotonic"] - zero) * RATE))]
    offset = locate(before, first_cue.clip[:RATE], before.size // 2, before.size).found
    offset -= sample_at(first["t"], RATE)
    silence, reply, missed = [], [], 0
    for decision in decisions:
        t = round(decision["t"], 6)  # as the timeline prints it
        cut = [(e, c) for e, c in says if e["t"] < t < e["t"] + e["duration"]]
        answer = [(e, c) for e, c in says if e["t"] == t]
        if not cut or not answer:
            missed += 1
            continue
        said, clip = cut[-1]
        onset = sample_at(said["t"], RATE) + offset
        # Found again for each cut: an underrun shifts what follows it in the sink.
        onset = locate(recorded, clip.clip[: RATE // 2], onset, int(0.4 * RATE)).found
        at = sample_at(t, RATE) + offset
        decided = int((decision["monotonic"] - zero) * RATE)
        stopped = stop_of(recorded, clip.clip, onset, decided)
        heard = locate(recorded, answer[0][1].clip[: RATE // 2], at, RATE // 2).found
        silence.append((zero + stopped / RATE - decision["monotonic"]) * 1000)
        reply.append((zero + heard / RATE - decision["monotonic"]) * 1000)
    return silence, reply, missed


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    a = np.asarray(values)
    return {"n": len(values), "p50": float(np.percentile(a, 50)),
            "p95": float(np.percentile(a, 95)), "max": float(a.max())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=20, help="pause/resume pairs (2 cuts each)")
    parser.add_argument("--latency", type=float, default=None,
                        help="audio.latency for the session (default: config.yaml's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("script", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child), Path(args.script))

    with tempfile.TemporaryDirectory(prefix="coach-interrupt-") as tmp:
        work = Path(tmp)
        script = work / "interrupt.yaml"
        script.write_text(SCRIPT)
        pulse = PulseServer(work / "pulse")
        pulse.start()
        try:
            home = work / "home"
            env = isolated_env(home, pulse.env)
            if args.latency is not None:
                env["COACH_AUDIO_LATENCY"] = str(args.latency)
            run_coach("render", str(script), env=env, timeout=600)  # warm the cache
            tap = MonitorTap(pulse.env)
            try:
                process = subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--child", str(work),
                     str(script)],
                    cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True,
                )
                drive(process, args.cycles, random.Random(args.seed))
                out, err = process.communicate(timeout=120)
                time.sleep(0.3)  # the last of the sound, through the sink, into the tap
            finally:
                tap.stop()
        finally:
            pulse.stop()
        result = json.loads((work / "decisions.json").read_text())
        events = json_events(out)
        use_home(home)
        silence, reply, missed = measure(events, result["decisions"], tap.samples(), tap.clock())
    notes = [line for line in err.splitlines() if "latency" in line]
    figures = {
        "decision_to_silence_ms": stats(silence),
        "decision_to_reply_ms": stats(reply),
        "cuts": len(result["decisions"]),
        "not_measured": missed,
        "latency": args.latency,
        "session": notes,
    }
    for name, row in (("decision → silence", figures["decision_to_silence_ms"]),
                      ("decision → first reply sample", figures["decision_to_reply_ms"])):
        if row:
            print(f"{name:32s} n={row['n']:3.0f}  p50 {row['p50']:6.1f} ms  "
                  f"p95 {row['p95']:6.1f} ms  max {row['max']:6.1f} ms")
    print(" ".join(notes))
    print(json.dumps(figures))
    if args.json_out:
        args.json_out.write_text(json.dumps({**figures, "provenance": provenance()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
