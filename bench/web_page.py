#!/usr/bin/env python
"""The web page's benchmark: how soon a page shows the session's events, what the
server adds to the speaker's memory, and whether a page polling hard moves a cue.

    .venv/bin/python bench/web_page.py [--speed 2] [--pollers 4]

`coach serve --web --no-audio --output-wav` runs the demo, started through the API,
with a paired headless chromium on the Now page, twice: quiet, then with
`--pollers` threads fetching /api/state as fast as they are answered.
(a) latency: the page notes, for every update, the wall time it was shown minus the
    wall time the session's runner emitted it (one machine, one clock); p50/p95/max;
(b) memory: the resident size of `coach serve` with the page and without it, each
    running the same session, peak and settled;
(c) placement: every cue found in the recorded WAV against the sample the timeline
    gives it (the `--output-wav` check of bench/voice_timing.py), quiet and hammered;
    and `coach export demo` made during each run, compared sample for sample.
Prints a table, then the figures as JSON (also written with --json-out FILE).
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]

from cli import isolated_env, run_coach  # noqa: E402
from cue_onsets import groups, timeline_cues  # noqa: E402
from provenance import provenance  # noqa: E402
from serve_soak import rss_mb  # noqa: E402
from voice_timing import RATE, onsets_in_file, use_home  # noqa: E402

from tests.devtools import Browser  # noqa: E402
from tests.web import WebCoach  # noqa: E402


class Sampler:
    """The resident size of a process, every 100 ms, until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.samples.append(rss_mb(self.pid))
            except OSError:
                return

    def stop(self) -> tuple[float, float]:
        """(peak, the last sample) in MB."""
        self._stop.set()
        self._thread.join(5)
        return max(self.samples), self.samples[-1]


def session_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The session's own events: from its start tone to its end (serve's prompts aside)."""
    first = next(i for i, e in enumerate(events) if e["event"] == "tone" and e["kind"] == "start")
    last = next(i for i, e in enumerate(events) if e["event"] == "done")
    return events[first : last + 1]


def placement(wav: Path, events: list[dict[str, Any]], home: Path) -> dict[str, Any]:
    use_home(home)
    moments = groups(timeline_cues(session_events(events), RATE), RATE)
    onsets = onsets_in_file(wav, moments)
    errors = [abs(o.error) for o in onsets if not o.cut]
    return {"cues": len(errors), "exact": sum(e == 0 for e in errors),
            "worst_samples": max(errors)}  # fmt: skip


def with_page(work: Path, speed: float, pollers: int) -> dict[str, Any]:
    home = work / "home"
    home.mkdir(parents=True)
    wav = work / "session.wav"
    web = WebCoach(["--no-audio", "--speed", f"{speed:g}", "--output-wav", str(wav)],
                   isolated_env(home), home)  # fmt: skip
    browser = Browser(work / "profile")
    polls = [0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                web.request("GET", "/api/state", timeout=10)
                polls[0] += 1
            except (OSError, http.client.HTTPException):
                pass

    try:
        browser.go(f"{web.base}/pair?code={web.code}")
        browser.wait_for("document.getElementById('badge').textContent === 'idle'", 60)
        time.sleep(2.0)
        idle_mb = rss_mb(web.proc.pid)
        sampler = Sampler(web.proc.pid)
        threads = [threading.Thread(target=poll, daemon=True) for _ in range(pollers)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        assert web.request("POST", "/api/start", {"script": "demo"}).status == 202
        exported = work / "export.wav"
        # The reference's home: its cue cache is warm (two renders of a cue differ by a
        # few samples, and rendering would take the CPU the run is measured on).
        export = run_coach("export", "demo", "-o", str(exported),
                           env=isolated_env(work.parent / "export-home"), timeout=600)
        assert export.returncode == 0, export.stderr
        web.wait_for(lambda e: e["event"] == "done", 600)
        seconds = time.monotonic() - started
        stop.set()
        for thread in threads:
            thread.join(15)
        browser.pump(1.0)
        latencies = browser.js("window.coachLatencies")
        peak_mb, settled_mb = sampler.stop()
    finally:
        stop.set()
        browser.close()
        web.stop()
    return {
        "updates": len(latencies),
        "latency_ms": latencies,
        "polls_per_s": polls[0] / seconds,
        "idle_mb": idle_mb,
        "peak_mb": peak_mb,
        "settled_mb": settled_mb,
        "placement": placement(wav, web.events, home),
        "export": exported,
    }


def without_page(work: Path, speed: float) -> dict[str, Any]:
    """The same session from `coach serve` without --web, started by a scripted request."""
    home = work / "home"
    home.mkdir(parents=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--no-audio", "--speed", f"{speed:g}", "--json",
         "--requests", f"{4 * speed:g}:start demo", "--sessions", "1"],
        cwd=REPO, env=isolated_env(home), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(2.5)  # the same settling as with the page, before its session starts
    idle_mb = rss_mb(proc.pid)
    sampler = Sampler(proc.pid)
    proc.wait(600)
    peak_mb, _ = sampler.stop()
    return {"idle_mb": idle_mb, "peak_mb": peak_mb}


def percentiles(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "max": float(a.max())}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=2.0, help="the session's clock speed-up")
    parser.add_argument("--pollers", type=int, default=4, help="threads polling /api/state")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-web-bench-") as folder:
        work = Path(folder)
        reference = work / "reference.wav"
        made = run_coach("export", "demo", "-o", str(reference),
                         env=isolated_env(work / "export-home"), timeout=600)
        assert made.returncode == 0, made.stderr
        base = without_page(work / "base", args.speed)
        quiet = with_page(work / "quiet", args.speed, 0)
        hammered = with_page(work / "hammered", args.speed, args.pollers)
        exports = [soundfile.read(str(path), dtype="float32")[0]
                   for path in (reference, quiet.pop("export"), hammered.pop("export"))]
    same_export = all(np.array_equal(exports[0], other) for other in exports[1:])
    result: dict[str, Any] = {"speed": args.speed, "pollers": args.pollers, "without_page": base,
                              "export_identical": same_export}  # fmt: skip
    print(f"{'run':<22} {'updates':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'polls/s':>8} {'cues exact':>11}")  # fmt: skip
    for name, run in (("page open", quiet), (f"{args.pollers} pollers", hammered)):
        figures = percentiles(run["latency_ms"])
        place = run["placement"]
        print(f"{name:<22} {run['updates']:>7} {figures['p50']:>7.1f} {figures['p95']:>7.1f} "
              f"{figures['max']:>7.1f} {run['polls_per_s']:>8.0f} "
              f"{place['exact']:>5}/{place['cues']:<5}")  # fmt: skip
        result[name] = {**{k: v for k, v in run.items() if k != "latency_ms"}, **figures}
    print(f"coach export demo, made during each run: "
          f"{'identical to the sample' if same_export else 'DIFFERENT'} "
          f"to the one made before ({exports[0].size} samples)")
    added_idle = quiet["idle_mb"] - base["idle_mb"]
    added_peak = max(quiet["peak_mb"], hammered["peak_mb"]) - base["peak_mb"]
    print(f"memory: without the page {base['idle_mb']:.0f} MB idle, {base['peak_mb']:.0f} MB "
          f"peak; the page adds {added_idle:.1f} MB idle, {added_peak:.1f} MB at the peak")
    result["added_mb"] = {"idle": added_idle, "peak": added_peak}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        traced = {**result, "provenance": provenance()}
        args.json_out.write_text(json.dumps(traced, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
