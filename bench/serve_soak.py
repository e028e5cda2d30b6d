"""Soak run of `coach serve`: hours of idle listening and sessions, memory watched.

`coach serve` runs on a sped-up clock with a recording (room noise and speech,
looped) standing in for the microphone, so the listener really listens the
whole time; scripted requests start one bundled workout after another, each
after a long idle spell. The resident memory of the process is sampled all
along; the report gives its growth after warm-up and the slope per hour of
served time.

    .venv/bin/python bench/serve_soak.py --hours 8
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile
from provenance import provenance

REPO = Path(__file__).resolve().parent.parent
WORKOUTS = ["demo", "dead bug", "hip thrust", "band hip thrust"]
# Served seconds of each bundled session (the simulated length, manual phases 3 s).
SESSION_SECONDS = {"demo": 70, "dead bug": 300, "hip thrust": 640, "band hip thrust": 560}


def idle_recording(path: Path, seconds: float = 120.0, rate: int = 16000) -> None:
    """Room tone with bursts of non-command chatter-like noise, nothing on the menu."""
    rng = np.random.default_rng(7)
    n = int(seconds * rate)
    audio = rng.normal(0, 0.003, n).astype(np.float32)
    for start in rng.uniform(0, seconds - 3, 12):
        a, b = int(start * rate), int((start + rng.uniform(0.5, 2.5)) * rate)
        t = np.arange(b - a) / rate
        burst = 0.05 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 4 * t))
        audio[a:b] += (burst + rng.normal(0, 0.02, b - a)).astype(np.float32)
    soundfile.write(str(path), audio, rate)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=8.0, help="served hours to cover")
    parser.add_argument("--speed", type=float, default=40.0, help="clock speed-up")
    parser.add_argument("--idle-minutes", type=float, default=20.0,
                        help="idle listening before each session")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    requests, served = [], 0.0
    while served < args.hours * 3600:
        workout = WORKOUTS[len(requests) % len(WORKOUTS)]
        requests.append(f"{args.idle_minutes * 60:.0f}:start {workout}")
        served += args.idle_minutes * 60 + SESSION_SECONDS[workout]
    with tempfile.TemporaryDirectory() as tmp:
        idle = Path(tmp) / "idle.wav"
        idle_recording(idle)
        env = {**os.environ, "COACH_HOME": tmp}
        command = [
            sys.executable, "-m", "coach", "serve", "--no-audio", "--speed", str(args.speed),
            "--listen-file", str(idle), "--requests", ",".join(requests),
            "--sessions", str(len(requests)),
        ]
        started = time.monotonic()
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        samples: list[tuple[float, float]] = []
        while proc.poll() is None:
            served_now = (time.monotonic() - started) * args.speed
            try:
                samples.append((served_now / 3600, rss_mb(proc.pid)))
            except OSError:
                break
            print(f"\r{served_now / 3600:5.2f} h served, {samples[-1][1]:6.1f} MB",
                  end="", file=sys.stderr)
            time.sleep(2.0)
        print(file=sys.stderr)
        _, err = proc.communicate()
        wall = time.monotonic() - started
    if proc.returncode != 0:
        print(err, file=sys.stderr)
        return 1
    hours = np.array([h for h, _ in samples])
    mb = np.array([m for _, m in samples])
    warm = hours >= hours.max() * 0.1  # after the first tenth: models loaded, caches filled
    slope = float(np.polyfit(hours[warm], mb[warm], 1)[0]) if warm.sum() > 2 else float("nan")
    report = {
        "served_hours": round(float(hours.max()), 2),
        "sessions": len(requests),
        "wall_minutes": round(wall / 60, 1),
        "rss_mb_after_warmup": round(float(mb[warm][0]), 1),
        "rss_mb_end": round(float(mb[-1]), 1),
        "rss_mb_max": round(float(mb.max()), 1),
        "growth_mb_per_served_hour": round(slope, 2),
    }
    for key, value in report.items():
        print(f"{key:>28}: {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps({**report, "provenance": provenance()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
