"""Barge-in: commands said while the coach talks, with the coach's voice in the mic.

    .venv/bin/python bench/echo.py                  # dev voices, default backend
    .venv/bin/python bench/echo.py --split test --scenes 40

Each stream is the coach talking most of the time (its cues, by its own voices)
and an athlete saying commands, half of them over the coach. The coach's sound
reaches the microphone through a simulated room (a delay of 10–60 ms that the
listener is not told, a reverberant impulse response) at --echo-db over the
athlete's voice, with pink noise 30 dB under the athlete. With --drift-ppm, the
speaker's clock runs that many parts per million fast against the microphone's, as
when they are two devices (a USB microphone and a laptop's speakers): the echo
slides away from where the coach's clips were scheduled, by 18 ms over three
minutes at 100 ppm.

The same stream is heard three ways, by the real listener:
- mute: the default; deaf while the coach plays (plus its tail);
- open: listening all the time, nothing done about the echo (what barge-in
  would be without a canceller);
- barge-in: the echo cancelled (coach.listen.echo.canceller), listening over the coach once
  the canceller has shown it takes 25 dB off (till then deaf, as with mute).

Reported per way: commands heard over the coach and in its pauses, false
triggers (every one is the coach's own voice heard as a command) per hour, and
for the canceller its echo return loss enhancement (ERLE: how far the coach's
voice comes down, median over the streams, where the athlete is silent) and its
real-time factor.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soxr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import audio_gen as ag  # noqa: E402
from make_corpus import COACH_VOICES, SEEDS, VOICES, Renderer, coach_cues, command_items  # noqa: E402
from recognition import score  # noqa: E402

from coach.listen.echo.canceller import PlayedSound, cancelled  # noqa: E402
from coach.listen.pipeline.listener import Listener, PipelineSettings, recognize_audio  # noqa: E402
from coach.listen.recognizers import make_recognizer  # noqa: E402
from coach.words.vocabulary import Vocabulary  # noqa: E402

SR = ag.SR
WAYS = ("mute", "open", "barge-in")


@dataclass
class Stream:
    mic: np.ndarray  # what the microphone heard
    echo: np.ndarray  # the coach's part of it
    clips: list[tuple[float, np.ndarray]]  # what the coach played: (start s, samples)
    truth: list[dict[str, Any]]
    over_coach: set[float]  # start times of the commands said while the coach talked


def build(
    split: str, scenes: int, echo_db: float, seed: int, drift_ppm: float = 0.0, rt60: float = 0.3
) -> Stream:
    """Coach cues back to back (0.3–1.2 s apart); after each, a command half the time,
    said either over the next cue or in the pause before it."""
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    render = Renderer()
    cues, commands = coach_cues(seed), command_items()
    voices = VOICES[split]
    pos = SR
    clips: list[tuple[int, np.ndarray]] = []
    said: list[tuple[int, np.ndarray, str, str, bool]] = []
    for i in range(scenes):
        coach_voice = COACH_VOICES[i % len(COACH_VOICES)]
        cue, _, _ = render.clip(coach_voice, cues[i % len(cues)], 1.0, 0)
        clips.append((pos, cue))
        if i % 2 == 0:
            phrase, command = commands[rng.randrange(len(commands))]
            voice = voices[rng.randrange(len(voices))]
            clip, _, _ = render.clip(voice, phrase.capitalize() + ".", 1.0, 0)
            over = rng.random() < 0.5
            at = pos + int(rng.uniform(0.3, 0.7) * cue.size) if over else pos + cue.size + SR // 2
            said.append((at, clip, phrase, command, over))
            if not over:
                pos = at + clip.size
        pos += cue.size + int(rng.uniform(0.3, 1.2) * SR) + (SR if i % 2 == 0 else 0)
    n = max(pos, max(at + c.size for at, c, *_ in said) if said else 0) + SR
    played = np.zeros(n, dtype=np.float32)
    for at, clip in clips:
        played[at : at + clip.size] += clip
    athlete = np.zeros(n, dtype=np.float32)
    truth = []
    for at, clip, phrase, command, over in said:
        clip = clip / (ag.active_rms(clip) or 1.0) * 0.05
        athlete[at : at + clip.size] += clip
        truth.append(
            {
                "kind": "command",
                "phrase": phrase,
                "command": command,
                "start": at / SR,
                "end": (at + clip.size) / SR,
                "over": over,
            }
        )
    delay = np.zeros(int(nrng.uniform(0.01, 0.06) * SR) + 1, dtype=np.float32)
    delay[-1] = 1.0
    room = ag.convolve(ag.room_impulse(nrng, rt60=rt60), delay)
    if drift_ppm:  # played by a faster clock: the same samples in less of the mic's time
        played_out = soxr.resample(played, SR, SR / (1 + drift_ppm * 1e-6), "VHQ")
        played_out = np.pad(played_out, (0, max(0, n - played_out.size)))[:n]
    else:
        played_out = played
    echo = ag.convolve(played_out, room)
    echo *= 0.05 * 10 ** (echo_db / 20) / (ag.active_rms(echo) or 1.0)
    noise = ag.pink_noise(n, nrng) * 0.05 * 10 ** (-30 / 20)
    mic = np.clip(athlete + echo + noise, -1, 1).astype(np.float32)
    starts = [(at / SR, clip) for at, clip in clips]
    over_coach = {t["start"] for t in truth if t["over"]}
    return Stream(mic, echo, starts, truth, over_coach)


def hear(stream: Stream, way: str, backend: str) -> tuple[list[dict[str, Any]], float]:
    vocab = Vocabulary()
    recognizer = make_recognizer(backend, vocab)
    played = PlayedSound(SR)
    for start, clip in stream.clips:
        played.add(start, clip)

    def playing_at(t: float) -> bool:
        return any(s <= t < s + c.size / SR for s, c in stream.clips)

    listener = Listener(
        recognizer,
        vocab,
        SR,
        PipelineSettings(barge_in=way == "barge-in"),
        # As in a session: barge-in too is deaf while the coach plays until its
        # canceller has shown that it takes the coach's voice down.
        playing_at=playing_at if way != "open" else None,
        played=played,
    )
    began = time.perf_counter()
    found = [r.event() for r in recognize_audio(listener, stream.mic, SR)]
    return found, time.perf_counter() - began


def erle(stream: Stream) -> tuple[float, float]:
    """The canceller alone: dB the coach's voice comes down where the athlete is
    silent (after the first 2 s it takes to learn the room), and its real-time factor."""
    played = PlayedSound(SR)
    for start, clip in stream.clips:
        played.add(start, clip)
    began = time.perf_counter()
    out = cancelled(stream.mic, played)
    rtf = (time.perf_counter() - began) / (stream.mic.size / SR)
    quiet = np.abs(stream.echo) > 1e-3
    quiet[: 2 * SR] = False
    for t in stream.truth:
        quiet[int((t["start"] - 0.2) * SR) : int((t["end"] + 0.4) * SR)] = False
    before = float(np.mean(stream.mic[quiet] ** 2))
    after = float(np.mean(out[quiet] ** 2)) or 1e-12
    return 10 * np.log10(before / after), rtf


def _share(ok: float, of: float) -> str:
    return f"{ok:>5.0f}/{of:<3.0f} {100 * ok / max(1, of):5.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--scenes", type=int, default=40, help="coach cues per stream (40)")
    parser.add_argument("--streams", type=int, default=3, help="streams, each its own room (3)")
    parser.add_argument(
        "--echo-db",
        type=float,
        default=6.0,
        help="the coach's voice at the mic over the athlete's, dB (6)",
    )
    parser.add_argument(
        "--drift-ppm",
        type=float,
        default=0.0,
        help="the speaker's clock this many parts per million fast against the mic's (0)",
    )
    parser.add_argument(
        "--rt60",
        type=float,
        default=0.3,
        help="the room's reverberation time, s (0.3; past 0.13 s its tail outlasts the filter)",
    )
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args(argv)
    if missing := ag.tools_missing():
        print(f"bench/echo.py needs {', '.join(missing)}", file=sys.stderr)
        return 2
    rows: dict[str, dict[str, float]] = {
        w: {"over": 0, "over_ok": 0, "gap": 0, "gap_ok": 0, "ft": 0, "hours": 0.0} for w in WAYS
    }
    erles, rtfs = [], []
    for k in range(args.streams):
        stream = build(args.split, args.scenes, args.echo_db, SEEDS[args.split] + k,
                       args.drift_ppm, args.rt60)
        db, rtf = erle(stream)
        erles.append(db)
        rtfs.append(rtf)
        for way in WAYS:
            found, _ = hear(stream, way, args.backend)
            result = score(stream.truth, found, duration=stream.mic.size / SR)
            missed = {e["start"] for e in result.errors if e["error"] in ("miss", "substitution")}
            row = rows[way]
            for t in stream.truth:
                kind = "over" if t["start"] in stream.over_coach else "gap"
                row[kind] += 1
                row[kind + "_ok"] += round(t["start"], 3) not in {round(m, 3) for m in missed}
            row["ft"] += result.false_triggers
            row["hours"] += stream.mic.size / SR / 3600
        print(f"stream {k + 1}/{args.streams}: ERLE {db:.1f} dB", file=sys.stderr)
    print(
        f"bench/echo.py: split {args.split}, {args.streams} streams of {args.scenes} cues, "
        f"coach {args.echo_db:+g} dB over the athlete at the mic"
        + (f", its clock {args.drift_ppm:g} ppm fast" if args.drift_ppm else "")
        + f", RT60 {args.rt60:g} s"
    )
    print(f"{'way':10} {'over the coach':>15} {'in its pauses':>15} {'FT':>4} {'FT/h':>7}")
    for way, r in rows.items():
        over, gap = _share(r["over_ok"], r["over"]), _share(r["gap_ok"], r["gap"])
        print(f"{way:10} {over} {gap} {r['ft']:>4.0f} {r['ft'] / r['hours']:7.1f}")
    print(
        f"canceller: ERLE median {statistics.median(erles):.1f} dB "
        f"(streams: {', '.join(f'{e:.1f}' for e in erles)}), RTF {statistics.median(rtfs):.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
