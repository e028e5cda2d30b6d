"""CPU time of `coach run --simulate --json` against the number of intervals.

    .venv/bin/python bench/simulate_scale.py [--counts 100,1000,10000] [--runs 3]

Writes an intervals script per count (ten named intervals of 2 s work and 1 s rest,
repeated count/10 rounds) and prints, for each, the least user+system CPU seconds
of the command over the runs, and the CPU per thousand intervals: a flat column is
linear.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def _script(count: int) -> str:
    lines = ["workout: Many intervals", "exercises:", "  - name: Squats",
             f"    rounds: {count // 10}", "    intervals:"]  # fmt: skip
    lines += [f"      - {{name: Interval {n}, work: 2, rest: 1}}" for n in range(1, 11)]
    return "\n".join(lines) + "\n"


def _cpu(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'intervals':>9}  {'CPU s':>6}  {'per 1000':>8}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["COACH_HOME"] = folder
        for count in (int(c) for c in args.counts.split(",")):
            path = Path(folder) / f"intervals-{count}.yaml"
            path.write_text(_script(count))
            command = [sys.executable, "-m", "coach", "run", str(path), "--simulate", "--json"]
            best = min(_cpu(command) for _ in range(args.runs))
            print(f"{count:>9}  {best:>6.2f}  {best / count * 1000:>8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
