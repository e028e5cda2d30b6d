#!/usr/bin/env python
"""Voice timing benchmark: are cues heard when the schedule says, and how soon does
a session start talking?

    .venv/bin/python bench/voice_timing.py [--minutes 60] [--speed 100] [--skip-live]

(a) cue-onset error against the printed timeline in `--output-wav` (--no-audio, sped
    up) and in `coach export` output, plus drift over a long session;
(b) live onset error through a PulseAudio null sink, recorded from its monitor;
(c) time from `coach run` to the first cue, warm cache (median of 5);
(d) `coach render` throughput.
Prints a table, then the figures as JSON (also written with --json-out FILE).
See bench/README-voice.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from cli import isolated_env, run_coach  # noqa: E402
from cue_onsets import (  # noqa: E402
    SHORT_SCRIPT,
    Group,
    groups,
    json_events,
    locate,
    timeline_cues,
)
from provenance import provenance  # noqa: E402
from pulse import PulseServer  # noqa: E402

RATE = 48000



@dataclass
class Row:
    name: str
    n: int = 0
    p50: float | None = None
    p9x: float | None = None  # p99 for file rows, p95 for live rows (see `p9x_label`)
    max: float | None = None
    p9x_label: str = "p99"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# -- running coach ------------------------------------------------------------------------


def has_command(name: str, env: dict[str, str]) -> bool:
    return run_coach(name, "--help", env=env, timeout=60).returncode == 0


def use_home(home: Path) -> None:
    """Point this process's cue cache at a run's COACH_HOME (timeline_cues reads it)."""
    os.environ["COACH_HOME"] = str(home)
    os.environ["COACH_CONFIG"] = str(home / "no-user-config.yaml")


# -- measuring -----------------------------------------------------------------------------


@dataclass
class Onset:
    t: float
    labels: tuple[str, ...]
    error: int  # samples: found - expected
    score: float
    cut: bool = False  # the file ends before the cue does


def onsets_in_file(
    path: Path, moments: Sequence[Group], offset: int = 0, window: float = 0.25
) -> list[Onset]:
    """Find each group near sample `start + offset` of a (possibly huge) sound file."""
    found = []
    with soundfile.SoundFile(str(path)) as f:
        rate = f.samplerate
        w = int(window * rate)
        for g in moments:
            near = g.start + offset
            lo = max(0, near - w)
            # A cue the file cuts short is looked for by what there is of it.
            template = g.template[: max(0, f.frames - near)]
            if template.size < rate // 50:
                found.append(Onset(g.start / rate, g.labels, 0, 0.0, cut=True))
                continue
            f.seek(lo)
            chunk = f.read(near - lo + w + template.size, dtype="float32")
            m = locate(chunk, template, near - lo, w)
            cut = template.size < g.template.size
            found.append(Onset(g.start / rate, g.labels, m.found + lo - near, m.score, cut))
    return found


def stats_ms(errors: Sequence[float], q: float) -> tuple[float, float, float]:
    a = np.abs(np.asarray(errors, dtype=np.float64))
    return float(np.percentile(a, 50)), float(np.percentile(a, q)), float(a.max())


def file_row(name: str, onsets: Sequence[Onset], rate: int, note: str = "") -> Row:
    errors = [o.error / rate * 1000 for o in onsets]
    p50, p99, worst = stats_ms(errors, 99)
    weak = sum(o.score < 0.9 for o in onsets)
    cut = [" / ".join(o.labels) for o in onsets if o.cut]
    extra = {"exact": sum(o.error == 0 for o in onsets), "weak_matches": weak, "cut_off": cut}
    if cut:
        note += f"; cut off by the end of the file: {', '.join(cut)}"
    return Row(name, len(onsets), p50, p99, worst, note=note, extra=extra)


# -- (a) files ---------------------------------------------------------------------------


def output_wav_row(work: Path, script: str, speed: float, label: str) -> tuple[Row, Path]:
    home = work / "home"
    wav = work / f"{label}.wav"
    started = time.monotonic()
    done = run_coach(
        "run", script, "--no-audio", "--speed", f"{speed:g}", "--output-wav", str(wav), "--json",
        env=isolated_env(home), timeout=3600,
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        return Row(label, note=f"coach failed: {done.stderr.strip()[-200:]}"), wav
    events = json_events(done.stdout)
    use_home(home)
    cues = timeline_cues(events, RATE)
    moments = groups(cues, RATE)
    onsets = onsets_in_file(wav, moments)
    session = events[-1]["t"] - events[0]["t"]
    row = file_row(
        label, onsets, RATE, note=f"{session / 60:.1f} min session at --speed {speed:g}, "
        f"{wall:.0f} s wall"
    )
    row.extra["session_s"] = session
    row.extra["onsets"] = onsets
    row.extra["events"] = events
    row.extra["script"] = script
    row.extra["home"] = home
    return row, wav


def drift_row(long_row: Row) -> Row:
    onsets: list[Onset] = long_row.extra.get("onsets", [])
    if len(onsets) < 20:
        return Row("drift (first vs last 10 %)", note="no long session to measure")
    tenth = max(1, len(onsets) // 10)
    first = np.mean([o.error for o in onsets[:tenth]]) / RATE * 1000
    last = np.mean([o.error for o in onsets[-tenth:]]) / RATE * 1000
    return Row(
        "drift (first vs last 10 %)",
        n=2 * tenth,
        max=float(last - first),
        note=f"mean error first 10 %: {first:+.3f} ms, last 10 %: {last:+.3f} ms "
        f"(max column = last - first)",
        extra={"first_ms": first, "last_ms": last},
    )


def plan_drift_row(long_row: Row) -> Row:
    events = long_row.extra.get("events")
    if not events:
        return Row("schedule vs --simulate (s)", note="no long session to compare")
    return schedule_drift(
        "schedule vs --simulate (s)", events, long_row.extra["script"], long_row.extra["home"]
    )


def schedule_drift(name: str, events: list[dict[str, Any]], script: str, home: Path) -> Row:
    """A run's timeline against the same session simulated (the ideal schedule):
    how much later than planned do cues come as the session goes on?"""
    sim = run_coach("run", script, "--simulate", "--json", env=isolated_env(home), timeout=600)
    planned = [e for e in json_events(sim.stdout) if e["event"] in ("say", "tone")]
    ran = [e for e in events if e["event"] in ("say", "tone")]
    if [e.get("text", e.get("kind")) for e in planned] != [
        e.get("text", e.get("kind")) for e in ran
    ]:
        return Row(name, note="the run said other things than the simulation; not compared")
    late = [(r["t"] - ran[0]["t"]) - (p["t"] - planned[0]["t"]) for r, p in zip(
        ran, planned, strict=True)]
    tenth = max(1, len(late) // 10)
    first, last = float(np.mean(late[:tenth])), float(np.mean(late[-tenth:]))
    total = planned[-1]["t"] - planned[0]["t"]
    return Row(
        name, n=len(late), p50=float(np.median(late)), max=float(max(late)),
        note=f"cue t minus planned t: first 10 % {first:+.3f} s, last 10 % {last:+.3f} s "
        f"({last / total * 100:.2f} % of the session)",
        extra={"first_s": first, "last_s": last},
    )


def long_script(work: Path, minutes: float, env: dict[str, str]) -> Path:
    """The hip thrust, timed setup, with as many sets as make about `minutes`."""
    base = yaml.safe_load((REPO / "scripts" / "hip-thrust.yaml").read_text())
    base["defaults"]["tempo"]["setup"] = 8
    path = work / "long.yaml"

    def length(sets: int) -> float:
        base["exercises"][0]["sets"] = sets
        path.write_text(yaml.safe_dump(base, sort_keys=False))
        done = run_coach("run", str(path), "--simulate", "--json", env=env, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return float(json_events(done.stdout)[-1]["t"])

    target = minutes * 60
    one = length(1)
    per_set = length(2) - one  # a set, its rest and its setups
    sets = max(1, 1 + round((target - one) / per_set))
    length(sets)  # leaves the script at that many sets
    return path


def export_row(work: Path, script: str) -> Row:
    home = work / "home"
    env = isolated_env(home)
    if not has_command("export", env):
        return Row("coach export", note="skipped: `coach export` doesn't exist yet")
    out = work / "export.wav"
    done = run_coach("export", script, "-o", str(out), env=env, timeout=1200)
    if done.returncode != 0:
        return Row("coach export", note=f"export failed: {done.stderr.strip()[-200:]}")
    # The schedule: the same session simulated (export renders the simulated timeline).
    sim = run_coach("run", script, "--simulate", "--json", env=env, timeout=600)
    events = json_events(sim.stdout)
    use_home(home)
    info = soundfile.info(str(out))
    if info.samplerate != RATE:
        return Row("coach export", note=f"exported at {info.samplerate} Hz; not compared")
    cues = timeline_cues(events, RATE)
    moments = groups(cues, RATE)
    # Where does t=0 fall in the file? The first cue anywhere in the first 10 s.
    head, _ = soundfile.read(str(out), frames=10 * RATE, dtype="float32")
    first = locate(head, moments[0].template, 0, head.size)
    onsets = onsets_in_file(out, moments, offset=first.found - moments[0].start, window=0.5)
    return file_row(
        "coach export", onsets, RATE,
        note=f"vs `run --simulate` timeline; t=0 at sample {first.found - moments[0].start}",
    )


# -- (b) live ------------------------------------------------------------------------------


class MonitorTap:
    """parec streaming a sink's monitor in 10 ms pieces, each stamped on arrival.

    Sample k was played at about `clock() + k / RATE`: a piece arrives a little
    after its last sample was played, never before, so the earliest arrival
    relative to the sample count (the lower envelope) fixes the line, within
    parec's few milliseconds of delivery.
    """

    def __init__(self, env: dict[str, str], source: str = "speaker.monitor") -> None:
        self._process = subprocess.Popen(
            ["parec", "--raw", f"--device={source}", "--format=float32le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._pieces: list[tuple[float, bytes]] = []
        self._flowing = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        # An idle null sink takes a moment to start feeding a new recorder.
        if not self._flowing.wait(10):
            self.stop()
            raise RuntimeError(f"parec got nothing from {source}")

    def _read(self) -> None:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        while piece := os.read(fd, 65536):
            self._pieces.append((time.monotonic(), piece))
            self._flowing.set()

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)
        self._thread.join(5)

    def samples(self) -> np.ndarray:
        data = b"".join(p for _, p in self._pieces)
        return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").copy()

    def clock(self) -> float:
        """time.monotonic() at which sample 0 was played."""
        ends = np.cumsum([len(p) // 4 for _, p in self._pieces]) / RATE
        arrivals = np.asarray([t for t, _ in self._pieces])
        return float(np.min(arrivals - ends))


def live_child(args: argparse.Namespace) -> int:
    """A live session run in-process (pulse env), so its output stream's clock can
    be tied to time.monotonic() (the same clock in every process). Prints the
    timeline; writes meta.json into the work dir. Nothing else runs in here:
    a recorder in the same interpreter causes underruns of its own."""
    from coach.app.cli import main
    from coach.audio import output

    work = Path(args.live_child)
    devices: list[Any] = []
    # PortAudio stream time → time.monotonic(), sampled in the first callbacks.
    clock_pairs: list[float] = []
    original_start = output.SoundDeviceOutput.start
    original_callback = output.SoundDeviceOutput._callback

    def start(self: output.SoundDeviceOutput) -> None:
        devices.append(self)
        original_start(self)

    def callback(self: Any, outdata: Any, frames: int, when: Any, status: Any) -> None:
        if len(clock_pairs) < 200:
            clock_pairs.append(time.monotonic() - float(when.currentTime))
        original_callback(self, outdata, frames, when, status)

    output.SoundDeviceOutput.start = start  # type: ignore[method-assign]
    output.SoundDeviceOutput._callback = callback  # type: ignore[method-assign]
    code = main(["run", args.script, "--json"])  # the timeline goes to stdout
    device = devices[0] if devices else None
    first_dac = getattr(device, "first_dac_time", None)
    meta = {
        "code": code,
        "first_dac_monotonic": (
            None if first_dac is None or not clock_pairs
            else first_dac + float(np.median(clock_pairs))
        ),
        "latency": getattr(device, "latency", None),
        "underruns": getattr(device, "underruns", None),
        "late_cues": device.mixer.late_clips if device else None,
    }
    (work / "meta.json").write_text(json.dumps(meta))
    return 0


def live_rows(work: Path, pulse: PulseServer, script: str) -> list[Row]:
    home = work / "home"
    env = isolated_env(home, pulse.env)
    run_coach("run", script, "--simulate", "--json", env=env, timeout=600)  # warm the cache
    tap = MonitorTap(pulse.env)
    try:
        child = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--live-child", str(work), script],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=900,
        )
        time.sleep(0.3)  # the last of the sound, through the sink, into the tap
    finally:
        tap.stop()
    meta_path = work / "meta.json"
    if child.returncode != 0 or not meta_path.exists():
        return [Row("live (PulseAudio)", note=f"failed: {child.stderr.strip()[-300:]}")]
    meta = json.loads(meta_path.read_text())
    events = json_events(child.stdout)
    use_home(home)
    recorded = tap.samples()
    soundfile.write(str(work / "monitor.wav"), recorded, RATE, subtype="FLOAT")
    cues = timeline_cues(events, RATE)
    moments = groups(cues, RATE)
    first = locate(recorded, moments[0].template, 0, recorded.size)
    relative = onsets_in_file(
        # Under half the countdown's 1 s spacing: identical beeps can't be mistaken
        # for their neighbours, and any error up to 450 ms still shows.
        work / "monitor.wav", moments, offset=first.found - moments[0].start, window=0.45
    )
    rel_ms = [o.error / RATE * 1000 for o in relative]
    p50, p95, worst = stats_ms(rel_ms, 95)
    audio_note = (
        f"{meta['underruns']} underruns, {meta['late_cues']} late cues, output latency "
        f"{meta['latency'] * 1000:.0f} ms as reported"
    )
    rows = [
        Row(
            "live, relative to the start tone",
            len(relative), p50, p95, worst, "p95",
            note=audio_note,
            extra={
                "weak_matches": sum(o.score < 0.9 for o in relative),
                "errors_ms": [round(e, 3) for e in rel_ms],
                "underruns": meta["underruns"],
            },
        )
    ]
    rows.append(schedule_drift("live schedule vs --simulate (s)", events, script, home))
    if meta["first_dac_monotonic"] is not None:
        # Expected: output sample n reaches the DAC at first_dac_time + n / RATE,
        # PortAudio's estimate, which includes the output latency it reports.
        expected_first = meta["first_dac_monotonic"] + moments[0].start / RATE
        heard_first = tap.clock() + first.found / RATE
        constant = (heard_first - expected_first) * 1000
        absolute = [constant + e for e in rel_ms]
        p50a, p95a, worsta = stats_ms(absolute, 95)
        rows.append(
            Row(
                "live, absolute", len(absolute), p50a, p95a, worsta, "p95",
                note=f"heard (parec arrival clock) - (first_dac_time + t): a constant "
                f"{constant:+.1f} ms plus the relative errors",
                extra={"offset_ms": constant},
            )
        )
    return rows


# -- (c) time to the first cue -------------------------------------------------------------


def first_cue_times(
    work: Path, pulse: PulseServer, runs: int, extra: Sequence[str] = ()
) -> Row:
    name = " ".join(["time to first cue (s)", *extra])
    home = work / "home"
    script = work / "short.yaml"
    script.write_text(SHORT_SCRIPT)
    env = isolated_env(home, pulse.env)
    warm = run_coach("run", str(script), "--simulate", "--json", env=env, timeout=600)
    if warm.returncode != 0:
        return Row(name, note=f"failed: {warm.stderr.strip()[-200:]}")
    to_sound: list[float] = []
    to_line: list[float] = []
    for _ in range(runs):
        sound, line = one_first_cue(script, env, pulse, extra)
        if sound is not None:
            to_sound.append(sound)
        if line is not None:
            to_line.append(line)
    sound_median = statistics.median(to_sound) if to_sound else None
    line_median = statistics.median(to_line) if to_line else None
    return Row(
        name,
        n=len(to_sound),
        p50=sound_median,
        max=max(to_sound) if to_sound else None,
        note=f"median of {runs}, warm cache, process start → first sound on the sink "
        f"(target ≤ 1 s); first 'say' line on stdout: median "
        f"{line_median if line_median is None else round(line_median, 3)} s",
        extra={"to_sound_s": to_sound, "to_say_line_s": to_line},
    )


def one_first_cue(
    script: Path, env: dict[str, str], pulse: PulseServer, extra: Sequence[str] = ()
) -> tuple[float | None, float | None]:
    tap = MonitorTap(pulse.env)
    said: float | None = None
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "run", str(script), "--json", *extra],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    for text in process.stdout:
        if '"event": "say"' in text:
            said = time.monotonic()
            break
    time.sleep(0.5)  # the cue's sound, through the sink, into the tap
    process.send_signal(signal.SIGTERM)  # "stop": the session ends, progress saved
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    tap.stop()
    samples = tap.samples()
    loud = np.flatnonzero(np.abs(samples) > 1e-3)
    heard = tap.clock() + loud[0] / RATE if loud.size else None
    return (
        None if heard is None else heard - started,
        None if said is None else said - started,
    )


# -- (d) render throughput -------------------------------------------------------------------


def render_row(work: Path) -> Row:
    home = work / "home"
    env = isolated_env(home)
    if not has_command("render", env):
        return Row("coach render (cues/s)", note="skipped: `coach render` doesn't exist yet")
    scripts = sorted(str(p) for p in (REPO / "scripts").glob("*.yaml"))
    started = time.monotonic()
    done = run_coach("render", *scripts, env=env, timeout=1800)
    wall = time.monotonic() - started
    if done.returncode != 0:
        return Row("coach render (cues/s)", note=f"failed: {done.stderr.strip()[-200:]}")
    rendered = sum(1 for _ in (home / "cache").rglob("*.npy"))
    return Row(
        "coach render (cues/s)",
        n=rendered,
        p50=rendered / wall,
        note=f"{rendered} cues of {len(scripts)} bundled scripts, cold cache, {wall:.1f} s "
        f"wall on {os.cpu_count()} cores (incl. start-up)",
    )


# -- output ----------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(rows: Sequence[Row]) -> None:
    print(f"{'measurement':<36} {'n':>5} {'p50':>9} {'p95/99':>12} {'max':>9}  note")
    for r in rows:
        p9x = "—" if r.p9x is None else f"{r.p9x:.3f} ({r.p9x_label})"
        print(f"{r.name:<36} {r.n:>5} {fmt(r.p50):>9} {p9x:>12} {fmt(r.max):>9}  {r.note}")
    print("(errors in ms unless the name says otherwise)")


def to_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        body = asdict(r)
        body["extra"] = {
            k: v for k, v in r.extra.items() if k not in ("onsets", "events", "script", "home")
        }
        out.append(body)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="length of the drift session")
    parser.add_argument("--speed", type=float, default=100, help="--speed of the file runs")
    parser.add_argument("--runs", type=int, default=5, help="runs for the time to first cue")
    parser.add_argument("--skip-live", action="store_true", help="no PulseAudio parts (b, c)")
    parser.add_argument(
        "--parts", default="abcd", help="which parts to run, e.g. 'b' or 'ad' (default: abcd)"
    )
    parser.add_argument("--live-script", default="demo", help="script for the live run (b)")
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    parser.add_argument("--live-child", help=argparse.SUPPRESS)
    parser.add_argument("script", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.live_child:
        return live_child(args)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coach-voice-timing-") as tmp:
        root = Path(tmp)

        def part(name: str) -> Path:
            path = root / name
            path.mkdir()
            print(f"… {name}", file=sys.stderr, flush=True)
            return path

        parts = set(args.parts) - (set("bc") if args.skip_live else set())
        if "a" in parts:
            work = part("output-wav")
            row, wav = output_wav_row(work, "demo", args.speed, "output-wav (demo)")
            rows.append(row)
            wav.unlink(missing_ok=True)
            rows.append(export_row(part("export"), "demo"))
            work = part("long")
            script = long_script(work, args.minutes, isolated_env(work / "home"))
            long_row, wav = output_wav_row(
                work, str(script), args.speed, f"output-wav ({args.minutes:g} min)"
            )
            wav.unlink(missing_ok=True)
            rows.append(long_row)
            rows.append(drift_row(long_row))
            rows.append(plan_drift_row(long_row))
        if parts & set("bc"):
            with PulseServer(part("pulse")) as pulse:
                if "b" in parts:
                    rows.extend(live_rows(part("live"), pulse, args.live_script))
                if "c" in parts:
                    rows.append(first_cue_times(part("first-cue"), pulse, args.runs))
                    # The same without the microphone listener, whose start-up the
                    # first cue waits for.
                    rows.append(
                        first_cue_times(part("first-cue-no-listen"), pulse, args.runs,
                                        ["--no-listen"])
                    )
        if "d" in parts:
            rows.append(render_row(part("render")))

    print_table(rows)
    body = json.dumps(to_json(rows), indent=2)
    print(body)
    if args.json_out:
        traced = {"figures": to_json(rows), "provenance": provenance()}
        args.json_out.write_text(json.dumps(traced, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
