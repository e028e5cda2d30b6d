"""Peak memory and start-up of a session with long music under it, against none.

    .venv/bin/python bench/music_memory.py [--minutes 30] [--runs 2] [--script demo]

Makes (once, with sox, in --music-dir) a 30-minute stereo OGG at 44.1 kHz and a
30-minute stereo 16-bit WAV at 48 kHz (345 MB), then runs, with no music and with
each:

- `coach run SCRIPT --no-audio --speed 10 --output-wav F --json`: the peak resident
  memory of the process tree, and the wall time from starting the command to the
  first cue it prints (the session's first `say`);
- `coach export SCRIPT -o F.ogg`: its peak memory and wall time.

The least of --runs runs is printed for each figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_memory import _tree  # noqa: E402  (the same sampling as peak_memory.py)

MB = 2**20


def _music(folder: Path, minutes: float) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    seconds = str(minutes * 60)
    made = {
        "ogg": (folder / f"long-{minutes:g}min.ogg", ["-r", "44100", "-c", "2"],
                ["synth", seconds, "pinknoise", "tremolo", "0.5", "40", "vol", "0.5"]),
        "wav": (folder / f"long-{minutes:g}min.wav", ["-r", "48000", "-c", "2", "-b", "16"],
                ["synth", seconds, "sine", "220", "sine", "330", "vol", "0.3"]),
    }  # fmt: skip
    for path, output, effects in made.values():
        if not path.exists():
            print(f"making {path} with sox…", file=sys.stderr, flush=True)
            subprocess.run(["sox", "-n", *output, str(path), *effects], check=True)
    return {kind: path for kind, (path, _, _) in made.items()}


def _measure(command: list[str]) -> tuple[float, float | None, float]:
    """Peak tree memory (MB), seconds to the first `say` line (None: none), wall seconds."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    first: list[float] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not first and '"event": "say"' in line:
                first.append(time.monotonic() - started)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_tree(process.pid).values()))
        time.sleep(0.02)
    reader.join(timeout=5)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return peak / MB, (first[0] if first else None), time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--script", default="demo")
    default_dir = Path(tempfile.gettempdir()) / "coach-bench-music"
    parser.add_argument("--music-dir", type=Path, default=default_dir)
    args = parser.parse_args()
    music = _music(args.music_dir, args.minutes)
    coach = [sys.executable, "-m", "coach"]
    print(f"{'command':<8} {'music':<28} {'peak MB':>8} {'first cue s':>11} {'wall s':>7}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["COACH_HOME"] = folder
        out = Path(folder)
        # Render the cues once, so every run below starts with the same warm cache.
        subprocess.run([*coach, "render", args.script], check=True, capture_output=True)
        choices = [("none", []), *[(p.name, ["--music", str(p)]) for p in music.values()]]
        for label, extra in choices:
            for name, command in [
                ("run", [*coach, "run", args.script, "--no-audio", "--speed", "10",
                         "--output-wav", str(out / "run.wav"), "--json", *extra]),
                ("export", [*coach, "export", args.script, "-o", str(out / "export.ogg"), *extra]),
            ]:  # fmt: skip
                runs = [_measure(command) for _ in range(args.runs)]
                peak = min(r[0] for r in runs)
                firsts = [r[1] for r in runs if r[1] is not None]
                first = f"{min(firsts):.2f}" if firsts else "-"
                wall = min(r[2] for r in runs)
                print(f"{name:<8} {label:<28} {peak:>8.0f} {first:>11} {wall:>7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
