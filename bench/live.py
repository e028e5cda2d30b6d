#!/usr/bin/env python
"""The live listening benchmark, the figure of record for listening.

    .venv/bin/python bench/live.py [--sessions 10] [--seed 0] [--tv DB] [--no-echo]

Whole `coach run demo --json` sessions, each on a private PulseAudio server. The
room (bench/live_room.py) writes the microphone in real time: a -70 dBFS floor,
the athlete's commands at -26 dBFS (±3 dB; the held-out voices of the test split,
never festival's or Piper's), the coach's own voice back through the room (delayed
55 ms, reverberated, at a gain drawn per session from --echo, default -6 to -20 dB),
and with --tv a TV that many dB under the athlete.

The athlete speaks at random moments from the first second on (every 3-8 s), not
waiting for the coach to fall quiet: over cues, in gaps, in the rests. What it says
follows what the coach did, as a person would: "resume" when the coach paused, else
pause, repeat, status, slower, faster, or "next" in a rest. Each command is said
once; a command the coach didn't take is a miss.

Measured from the end of each word, on stream time (the room's wall clock; its own
buffering, up to one 20 ms block, is counted against the coach):
- heard: the coach's timeline has that command within 2.5 s of the word's end;
- the coach's reaction: where its answer (a cut or the reply's first sound) lands in
  what it played, placed on stream time by matching its cues' onsets;
- false actions: commands in the timeline that nobody said.
Prints one row per session, the totals, and writes every command with --json-out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

import audio_gen as ag  # noqa: E402
from cli import isolated_env  # noqa: E402
from live_room import RATE, Room, RoomSettings  # noqa: E402
from make_corpus import TALK, TALK_VOICES, VOICES, split_half  # noqa: E402
from pulse import PulseServer  # noqa: E402

ATHLETE_DB = -26.0  # the athlete's speech at the microphone, dBFS (active level)
HEARD_WITHIN = 2.5  # seconds after the word's end
FIRST_SECONDS = 10.0
SESSION_LIMIT = 240.0  # seconds; a session still running then is stopped
PHRASES = {
    "pause": ["pause", "hold on"],
    "resume": ["resume", "continue"],
    "repeat": ["repeat", "say again"],
    "status": ["status", "how many left"],
    "slower": ["slower"],
    "faster": ["faster"],
    "next": ["next", "ready"],
}
CACHE = REPO / "bench" / "corpus" / "live"


@dataclass
class Said:
    command: str
    phrase: str
    voice: str
    start: float  # stream seconds
    end: float  # the end of the word, stream seconds
    since_launch: float
    over_coach: bool = False  # the coach was sounding while it was said
    heard: bool = False
    heard_as: str | None = None
    decided: float | None = None  # seconds from the word's end to the session taking it
    reaction: float | None = None  # seconds from the word's end to the coach's answer
    answer: str | None = None  # "cut" or "say"


@dataclass
class SessionResult:
    seed: int
    echo_db: float | None
    said: list[Said] = field(default_factory=list)
    false_actions: list[dict[str, Any]] = field(default_factory=list)
    startup: float | None = None  # launch → the coach's first sound, seconds
    load: float = 0.0
    exit_code: int | None = None
    stderr: str = ""


class Voices:
    """Each command phrase in each athlete voice, trimmed, at unit active level (cached)."""

    def __init__(self) -> None:
        self.voices = VOICES["test"]
        self._clips: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
        CACHE.mkdir(parents=True, exist_ok=True)

    def clip(self, phrase: str, voice: ag.Voice) -> tuple[np.ndarray, int]:
        """The clip and where its speech ends, in samples."""
        key = (voice.label, phrase)
        if key not in self._clips:
            name = hashlib.sha1(repr(key).encode()).hexdigest()[:12]
            path = CACHE / f"{name}.npy"
            if path.exists():
                audio = np.load(path)
            else:
                audio = ag.synthesize(voice, phrase)
                np.save(path, audio)
            clip, _s0, s1 = ag.trim(audio)
            clip = clip / np.float32(ag.active_rms(clip) or 1.0)
            self._clips[key] = (clip.astype(np.float32), s1)
        return self._clips[key]


def tv_track(seed: int, seconds: float = 150.0) -> np.ndarray:
    """A TV reading the news (held-out talkers), unit RMS, cached."""
    path = CACHE / f"tv_{seed}.npy"
    if path.exists():
        return np.load(path)
    rng = np.random.default_rng(seed)
    voices = TALK_VOICES["test"]
    audio, _ = ag.talk(int(seconds * RATE), rng, [voices[seed % len(voices)]],
                       split_half(TALK, "test"))
    np.save(path, audio)
    return audio


class Timeline:
    """The coach's JSON timeline, read as it comes; each event stamped with the stream
    time it came at (`clock`)."""

    def __init__(self, process: subprocess.Popen[str], clock: Any = time.monotonic) -> None:
        self.clock = clock
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("{"):
                event = json.loads(line)
                event["arrived"] = round(self.clock(), 3)
                with self._lock:
                    self.events.append(event)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.events)

    def join(self) -> None:
        self._thread.join(5)


def paused(events: list[dict[str, Any]]) -> bool:
    state = False
    for e in events:
        if e["event"] == "command" and not e.get("ignored"):
            if e["command"] == "pause":
                state = True
            elif e["command"] in ("resume", "next"):
                state = False
    return state


def resting(events: list[dict[str, Any]]) -> bool:
    for e in reversed(events):
        if e["event"] in ("rest", "phase"):
            return e["event"] == "rest"
    return False


def choose(events: list[dict[str, Any]], rng: random.Random) -> str:
    """What the athlete says now, given what the coach did so far."""
    if paused(events):
        return "resume"
    if resting(events) and rng.random() < 0.4:
        return "next"
    return rng.choices(["pause", "repeat", "status", "slower", "faster"], [4, 2, 2, 1, 1])[0]


def onsets(monitor: np.ndarray) -> np.ndarray:
    """Where the coach starts to sound after a silence, in stream seconds."""
    frame = 160
    levels = ag.frame_db(monitor, frame)
    out, quiet = [], 0
    for i, level in enumerate(levels):
        if level > -50 and quiet >= 20:
            out.append(i * frame / RATE)
        quiet = quiet + 1 if level < -60 else 0
    return np.array(out)


def stream_offset(events: list[dict[str, Any]], found: np.ndarray) -> float | None:
    """Stream seconds minus session seconds: where the timeline's sounds fall in what
    the coach played, from the sounds that follow a silence."""
    cues, last_end = [], -1.0
    for e in events:
        if e["event"] in ("say", "tone"):
            if e["t"] - last_end > 0.3:
                cues.append(e["t"])
            last_end = max(last_end, e["t"] + e.get("duration", 0.15))
    if not cues or not found.size:
        return None
    best, best_score = None, -1
    for t in cues[:8]:
        for o in found[:40]:
            offset = o - t
            score = sum(1 for c in cues if np.min(np.abs(found - (c + offset))) < 0.04)
            if score > best_score:
                best, best_score = offset, score
    assert best is not None
    residuals = [float(found[np.argmin(np.abs(found - (c + best)))] - (c + best)) for c in cues]
    close = [r for r in residuals if abs(r) < 0.04]
    return best + (float(np.median(close)) if close else 0.0)


def answer_after(events: list[dict[str, Any]], i: int) -> dict[str, Any] | None:
    """The coach's immediate answer to the command event at `i`: a cut or a say at once."""
    t = events[i]["t"]
    for e in events[i + 1 :]:
        if e["t"] - t > 0.3:
            return None
        if e["event"] in ("cut", "say"):
            return e
    return None


def score(result: SessionResult, events: list[dict[str, Any]], monitor: np.ndarray,
          offset: float | None) -> None:
    used: set[int] = set()
    for said in result.said:
        for i, e in enumerate(events):
            if e["event"] != "command" or i in used or offset is None:
                continue
            at = e["t"] + offset
            if said.start - 0.2 <= at <= said.end + HEARD_WITHIN:
                used.add(i)
                said.heard_as = e["command"]
                said.heard = e["command"] == said.command
                said.decided = round(at - said.end, 3)
                answer = answer_after(events, i)
                if answer is not None:
                    said.answer = answer["event"]
                    said.reaction = round(answer["t"] + offset - said.end, 3)
                break
    frame = 160
    levels = ag.frame_db(monitor, frame)
    for said in result.said:
        a, b = int(said.start * RATE / frame), int(said.end * RATE / frame)
        said.over_coach = bool(np.any(levels[a:b] > -50)) if b > a else False
    for i, e in enumerate(events):
        if e["event"] == "command" and i not in used:
            result.false_actions.append(e)
    for said in result.said:
        if said.heard_as is not None and not said.heard:
            result.false_actions.append({"said": said.command, "heard_as": said.heard_as})


def run_session(seed: int, args: argparse.Namespace, voices: Voices, home: Path,
                work: Path) -> SessionResult:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    echo_db = None if args.no_echo else rng.uniform(*args.echo)
    tv = tv_track(seed % 4) * np.float32(10 ** ((ATHLETE_DB - args.tv) / 20)) if args.tv else None
    result = SessionResult(seed, None if echo_db is None else round(echo_db, 1))
    with PulseServer(work / f"pulse-{seed}") as pulse:
        settings = RoomSettings(echo_db=echo_db, tv=tv)
        with Room(pulse, settings, nrng) as room:
            time.sleep(0.5)  # the room's floor before the coach starts, as a real one
            env = isolated_env(home, pulse.env)
            command = [sys.executable, "-m", "coach", *(["-vv"] if args.keep else []), "run",
                       args.script, "--json",
                       *args.coach_args]
            launched = room.seconds
            process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
            timeline = Timeline(process, lambda: room.seconds)
            next_at = launched + rng.uniform(0.3, 3.0)
            while process.poll() is None and room.seconds - launched < SESSION_LIMIT:
                if room.seconds < next_at or room.speaking_until() > room.index + 320:
                    time.sleep(0.01)
                    continue
                events = timeline.snapshot()
                if any(e["event"] == "done" for e in events):
                    break
                name = choose(events, rng)
                phrase = rng.choice(PHRASES[name])
                voice = rng.choice(voices.voices)
                clip, end = voices.clip(phrase, voice)
                level = 10 ** ((ATHLETE_DB + rng.uniform(-3, 3)) / 20)
                start = room.say(clip * np.float32(level))
                result.said.append(Said(
                    name, phrase, voice.label, round(start / RATE, 3),
                    round((start + end) / RATE, 3), round(start / RATE - launched, 3)))
                gap = rng.uniform(1.5, 3.0) if name == "pause" else rng.uniform(3.0, 8.0)
                next_at = (start + clip.size) / RATE + gap
            try:
                process.wait(timeout=max(1.0, SESSION_LIMIT - (room.seconds - launched)))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            result.exit_code = process.returncode
            stderr = process.stderr.read() if process.stderr else ""
            result.stderr = stderr[-2000:]
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"stderr-{seed}.txt").write_text(stderr)
            timeline.join()
            time.sleep(0.3)
        result.load = round(os.getloadavg()[0], 2)
    monitor, mic = room.recordings()
    events = timeline.snapshot()
    if args.keep:
        import soundfile

        args.keep.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(args.keep / f"monitor-{seed}.wav"), monitor, RATE)
        soundfile.write(str(args.keep / f"mic-{seed}.wav"), mic, RATE)
        (args.keep / f"timeline-{seed}.jsonl").write_text(
            "".join(json.dumps(e) + "\n" for e in events))
    found = onsets(monitor)
    offset = stream_offset(events, found)
    first = found[found >= launched]
    result.startup = round(float(first[0]) - launched, 3) if first.size else None
    score(result, events, monitor, offset)
    return result


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def summary(results: list[SessionResult]) -> dict[str, Any]:
    said = [s for r in results for s in r.said]

    def rate(items: list[Said]) -> str:
        heard = sum(s.heard for s in items)
        return f"{heard}/{len(items)}" + (f" ({100 * heard / len(items):.0f} %)" if items else "")

    def cut_by_pause(s: Said) -> bool:
        return s.command == "pause" and s.answer == "cut"

    pause_cut = [s.reaction for s in said
                 if s.heard and cut_by_pause(s) and s.reaction is not None]
    replies = [s.reaction for s in said
               if s.heard and s.reaction is not None and not cut_by_pause(s)]
    unanswered = [s for s in said if s.heard and s.reaction is None and s.command != "next"]
    return {
        "sessions": len(results),
        "heard": rate(said),
        "first_10s": rate([s for s in said if s.since_launch < FIRST_SECONDS]),
        "over_coach": rate([s for s in said if s.over_coach]),
        "in_gaps": rate([s for s in said if not s.over_coach]),
        "worst_session": min(
            (sum(s.heard for s in r.said) / len(r.said) for r in results if r.said), default=None),
        "false_actions": sum(len(r.false_actions) for r in results),
        "pause_to_cut_p50": percentile(pause_cut, 50),
        "pause_to_cut_p95": percentile(pause_cut, 95),
        "decided_p50": percentile([s.decided for s in said if s.heard and s.decided], 50),
        "decided_p95": percentile([s.decided for s in said if s.heard and s.decided], 95),
        "reply_p50": percentile(replies, 50),
        "reply_p95": percentile(replies, 95),
        "heard_unanswered": len(unanswered),
        "startup_median": percentile([r.startup for r in results if r.startup is not None], 50),
        "startup_max": max((r.startup for r in results if r.startup is not None), default=None),
    }


def print_row(r: SessionResult) -> None:
    heard = sum(s.heard for s in r.said)
    first = [s for s in r.said if s.since_launch < FIRST_SECONDS]
    over = [s for s in r.said if s.over_coach]
    echo = "none" if r.echo_db is None else f"{r.echo_db:+.0f} dB"
    print(f"session {r.seed:3d}  echo {echo:>7}  heard {heard:2d}/{len(r.said):2d}  "
          f"first 10 s {sum(s.heard for s in first)}/{len(first)}  "
          f"over the coach {sum(s.heard for s in over)}/{len(over)}  "
          f"false {len(r.false_actions)}  start-up {r.startup}s  load {r.load}"
          + (f"  exit {r.exit_code}" if r.exit_code else ""), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1].strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="the first session's seed")
    parser.add_argument("--script", default="demo")
    parser.add_argument("--echo", type=float, nargs=2, default=(-20.0, -6.0),
                        metavar=("LOW", "HIGH"), help="echo gain range, dB (default -20 -6)")
    parser.add_argument("--no-echo", action="store_true", help="no echo path")
    parser.add_argument("--tv", type=float, default=0.0,
                        help="a TV this many dB under the athlete (default: none)")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each session's recordings, timeline and debug log in DIR")
    parser.add_argument("coach_args", nargs="*", help="more arguments for `coach run` (after --)")
    args = parser.parse_args(argv)
    voices = Voices()
    results = []
    with tempfile.TemporaryDirectory(prefix="coach-live-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        subprocess.run([sys.executable, "-m", "coach", "render", args.script], cwd=REPO,
                       env=isolated_env(home), capture_output=True, check=False)
        for n in range(args.sessions):
            result = run_session(args.seed + n, args, voices, home, work)
            print_row(result)
            results.append(result)
    totals = summary(results)
    print(json.dumps(totals, indent=1))
    if args.json_out:
        args.json_out.write_text(json.dumps(
            {"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
             "summary": totals,
             "sessions": [{**asdict(r)} for r in results]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
