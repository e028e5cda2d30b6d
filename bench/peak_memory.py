"""Peak memory of a command and every process it starts, sampled from /proc (Linux).

    .venv/bin/python bench/peak_memory.py -- coach model prepare

Prints the peak of the whole process tree's resident memory (the sum over the
processes alive at one sample; shared pages count in each), the peak of the
largest single process and the most processes at once, sampled every 20 ms; the
command's own output is passed through. Exit code: the command's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> dict[int, int]:
    """Resident bytes of `root` and its descendants, by process id."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    rss, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            rss[pid] = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo += children.get(pid, [])
    return rss


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: peak_memory.py -- COMMAND…", file=sys.stderr)
        return 2
    started = time.monotonic()
    process = subprocess.Popen(args)
    total = single = most = 0
    while process.poll() is None:
        sizes = _tree(process.pid)
        total = max(total, sum(sizes.values()))
        single = max(single, max(sizes.values(), default=0))
        most = max(most, len(sizes))
        time.sleep(0.02)
    mb = 2**20
    print(
        f"peak_memory: tree {total / mb:.0f} MB, largest process {single / mb:.0f} MB, "
        f"at most {most} processes, {time.monotonic() - started:.1f} s: {' '.join(args)}",
        file=sys.stderr,
    )
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
