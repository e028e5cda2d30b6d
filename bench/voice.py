"""Whose voice: streams with one athlete each, with and without the athlete's profile.

Each athlete is enrolled from a quiet reading of `coach enrol`'s sentences. Each
stream then holds, in random order, 1.5-3 s apart, over a background:
  - the athlete's commands (each command phrase once);
  - the athlete's own chat (ordinary sentences);
  - another person's chat at the athlete's level, half of it with command words inside;
  - another person's commands (stop, stop workout, next, pause, skip…).
Backgrounds: quiet, a TV 15 and 5 dB under the athlete, four talkers 15 and 5 dB, gym
music 5 dB. The listener runs in this process (coach.listen.pipeline.listener.Listener, the
backend coach recognize would use), once with the profile and once without.

Reported per condition and overall: commands heard, false actions an hour by source
(background, the athlete's chat, another's chat, another's command, or the athlete's
command misheard as another), false stops, and
the equal error rate of the voice match over every utterance decoded as a command.

    nice -n 19 .venv/bin/python bench/voice.py [--split dev|test] [--athletes N]
        [--conditions quiet,tv_5db] [--backend B] [--json-out F]

Voices: espeak-ng, flite and hibari only (never festival or Piper: the outside
measure uses them). The split's athletes and others are make_corpus.py's voices.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import audio_gen as ag  # noqa: E402
from audio_gen import SR, Voice  # noqa: E402
from make_corpus import HARD_NEGATIVES, NEGATIVES, TALK, TALK_VOICES, VOICES, split_half  # noqa: E402
from provenance import provenance  # noqa: E402

from coach.app.enrol import SENTENCES  # noqa: E402
from coach.listen.athlete import enrolment  # noqa: E402
from coach.listen.athlete import voice_match as athlete_voice  # noqa: E402
from coach.listen.athlete.voice_profile import VoiceProfile  # noqa: E402
from coach.listen.pipeline.listener import LastUtterance, Listener, PipelineSettings, Recognition  # noqa: E402
from coach.listen.recognizers import make_recognizer  # noqa: E402
from coach.words.vocabulary import Vocabulary  # noqa: E402

CONDITIONS = {  # name: (background, SNR dB)
    "quiet": ("quiet", 50.0),
    "tv_15db": ("tv", 15.0),
    "tv_5db": ("tv", 5.0),
    "crowd_15db": ("crowd", 15.0),
    "crowd_5db": ("crowd", 5.0),
    "music_5db": ("music", 5.0),
}
ATHLETE_COMMANDS = ["next", "ready", "repeat", "pause", "resume", "go back", "skip",
                    "status", "help", "slower", "faster", "stop workout", "stop", "done"]
OTHER_COMMANDS = ["stop", "stop workout", "next", "pause", "skip", "stop", "repeat", "done"]
# A false action comes from the background, a chat, another's command, or is one of the
# athlete's commands taken for another (misheard).
SOURCES = ("background", "athlete chat", "other chat", "other command", "misheard")
SLACK = 0.35  # seconds a recognition may lie outside what it was said in
ATTENTION = [""]  # the attention word of the run (--attention)


@dataclass
class Item:
    kind: str  # command | athlete chat | other chat | other command
    text: str
    start: float
    end: float


@dataclass
class Tally:
    commands: int = 0
    hits: int = 0
    seconds: float = 0.0
    false: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    false_stops: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0

    def add(self, other: Tally) -> None:
        self.commands += other.commands
        self.hits += other.hits
        self.seconds += other.seconds
        for k, v in other.false.items():
            self.false[k] += v
        self.false_stops += other.false_stops
        self.latencies += other.latencies
        self.cpu += other.cpu

    def row(self) -> dict[str, object]:
        hours = self.seconds / 3600 or 1.0
        lat = np.array(self.latencies) if self.latencies else np.zeros(1)
        return {
            "heard": f"{self.hits}/{self.commands}",
            "false_per_hour": round(sum(self.false.values()) / hours, 1),
            **{f"false_{k.replace(' ', '_')}": round(v / hours, 1) for k, v in self.false.items()},
            "false_stops": self.false_stops,
            "latency_p50": round(float(np.percentile(lat, 50)), 3),
            "latency_p95": round(float(np.percentile(lat, 95)), 3),
            "rtf": round(self.cpu / (self.seconds or 1.0), 4),
        }


@functools.lru_cache(maxsize=4096)
def said(voice: Voice, text: str) -> np.ndarray:
    clip, _, _ = ag.trim(ag.synthesize(voice, text))
    return (clip / (ag.active_rms(clip) or 1.0) * 0.05).astype(np.float32)  # -26 dBFS


def pairs(split: str, count: int) -> list[tuple[Voice, Voice]]:
    """(athlete, another person) pairs from the split's voices, each voice an athlete once."""
    voices = VOICES[split]
    return [(voices[i], voices[(i + 3) % len(voices)]) for i in range(min(count, len(voices)))]


def stream(athlete: Voice, other: Voice, background: str, snr: float, seed: int,
           split: str, attention: str = "") -> tuple[np.ndarray, list[Item]]:
    rng = np.random.default_rng(seed)
    addressed = f"{attention} " if attention else ""
    chat = split_half(NEGATIVES, split)
    hard = split_half(HARD_NEGATIVES, split)
    plan = ([("command", athlete, addressed + c) for c in ATHLETE_COMMANDS]
            + [("athlete chat", athlete, s) for s in rng.choice(chat, 4, replace=False)]
            + [("other chat", other, s) for s in rng.choice(chat, 3, replace=False)]
            + [("other chat", other, s) for s in rng.choice(hard, 3, replace=False)]
            + [("other command", other, c) for c in OTHER_COMMANDS])  # fmt: skip
    order = rng.permutation(len(plan))
    pos = int(1.5 * SR)
    placed: list[tuple[int, np.ndarray]] = []
    items: list[Item] = []
    for i in order:
        kind, voice, text = plan[i]
        clip = said(voice, str(text))
        placed.append((pos, clip))
        items.append(Item(kind, str(text), pos / SR, (pos + clip.size) / SR))
        pos += clip.size + int(rng.uniform(1.5, 3.0) * SR)
    n = pos + SR
    mix = np.zeros(n, np.float32)
    for at, clip in placed:
        mix[at : at + clip.size] += clip
    speech = float(np.sqrt(np.mean(np.concatenate([c for _, c in placed]) ** 2)))
    if background == "quiet":
        bg = ag.noise_floor(n, rng)
    elif background == "music":
        bg = ag.gym_music(n, rng)
    else:
        talkers = TALK_VOICES[split] if background == "crowd" else [TALK_VOICES[split][seed % 4]]
        bg, _ = ag.talk(n, rng, talkers, split_half(TALK, split), render=said)
    bg = bg / (ag.rms(bg) or 1.0) * speech / 10 ** (snr / 20)
    return (mix + bg).astype(np.float32), items


def enrol(athlete: Voice, seed: int) -> tuple[VoiceProfile, float]:
    rng = np.random.default_rng(seed)
    gap = np.zeros(SR // 3, np.float32)
    audio = np.concatenate([part for s in SENTENCES for part in (said(athlete, s), gap)])
    audio = audio + ag.noise_floor(audio.size, rng) * 0.05 * 10 ** (-50 / 20)
    began = time.process_time()
    result = enrolment.enrol(audio.astype(np.float32))
    assert result.profile is not None, [p.line() for p in result.problems]
    return result.profile, time.process_time() - began


def run(audio: np.ndarray, backend: str, profile: VoiceProfile | None, attention: str = ""
        ) -> tuple[list[Recognition], list[LastUtterance], float]:
    vocabulary = Vocabulary().addressed(attention)
    listener = Listener(make_recognizer(backend, vocabulary), vocabulary, SR,
                        PipelineSettings(voice=profile))  # fmt: skip
    step = int(0.03 * SR)
    found: list[Recognition] = []
    heard: list[LastUtterance] = []
    began = time.process_time()
    for at in range(0, audio.size, step):
        found += listener.feed(audio[at : at + step], time=0.0 if at == 0 else None)
        if listener.last_heard is not None and (not heard or heard[-1] is not listener.last_heard):
            heard.append(listener.last_heard)
    found += listener.flush()
    return found, heard, time.process_time() - began


def where(t0: float, t1: float, items: list[Item]) -> Item | None:
    for item in items:
        if t0 < item.end + SLACK and t1 > item.start - SLACK:
            return item
    return None


def score(found: list[Recognition], items: list[Item], seconds: float, cpu: float) -> Tally:
    vocabulary = Vocabulary().addressed(ATTENTION[0])
    tally = Tally(commands=sum(1 for i in items if i.kind == "command"), seconds=seconds, cpu=cpu)
    hit: set[int] = set()
    for r in found:
        item = where(r.start, r.end, items)
        if item is not None and item.kind == "command" and id(item) not in hit and (
            vocabulary.command_for(item.text) == r.command
        ):
            hit.add(id(item))
            tally.hits += 1
            tally.latencies.append(r.emitted_at - item.end)
            continue
        source = "background" if item is None else item.kind
        source = "misheard" if source == "command" else source
        tally.false[source] += 1
        tally.false_stops += r.command == "stop"
    return tally


def eer(scores: list[tuple[float, bool]]) -> tuple[float, float]:
    """The equal error rate of the voice match, and the match at which it falls."""
    target = np.array([s for s, t in scores if t])
    other = np.array([s for s, t in scores if not t])
    if not target.size or not other.size:
        return float("nan"), float("nan")
    best = (2.0, 0.0, 0.0)
    for at in np.unique(np.concatenate([target, other])):
        miss, false = float(np.mean(target < at)), float(np.mean(other >= at))
        if abs(miss - false) < best[0]:
            best = (abs(miss - false), (miss + false) / 2, float(at))
    return best[1], best[2]


def sweep(runs: list[tuple[str, list[Recognition], list[Item], float, float]], backend: str
          ) -> list[dict[str, object]]:
    gate = make_recognizer(backend, Vocabulary()).min_confidence
    out = []
    for floor in np.arange(0.40, 0.71, 0.05):
        for span in (0.0, 0.1, 0.2):
            total = Tally()
            by: dict[str, Tally] = {}
            for name, found, items, seconds, cpu in runs:
                kept = [r for r in found if r.voice_match is not None and r.voice_match
                        >= floor + span * (1 - min(1.0, max(0.0, (r.confidence - gate)
                                                            / (1 - gate))))]  # fmt: skip
                tally = score(kept, items, seconds, cpu)
                total.add(tally)
                by.setdefault(name, Tally()).add(tally)
            out.append({"floor": round(float(floor), 2), "span": span, **total.row(),
                        "by": {n: [t.row()["heard"], t.row()["false_per_hour"]]
                               for n, t in by.items()}})  # fmt: skip
            print(json.dumps(out[-1]), file=sys.stderr, flush=True)
    return out


def ceiling() -> int:
    """The embedder's own equal error rate between voices on clean commands."""
    from coach.listen.athlete import speaker

    voices = [*VOICES["dev"], *VOICES["test"]]
    profiles = {v: enrol(v, 0)[0].array() for v in voices}
    commands = {v: [said(v, c) for c in ATHLETE_COMMANDS] for v in voices}
    for seconds in (0.0, speaker.MIN_SECONDS):
        speaker.MIN_SECONDS, scores = seconds, []
        for v, clips in commands.items():
            for clip in clips:
                vector = speaker.embed(clip)
                scores += [(float(vector @ p), v == owner) for owner, p in profiles.items()]
        rate, at = eer(scores)
        print(f"said over to {seconds:.1f} s: EER {rate:.1%} at a match of {at:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=sorted(VOICES), default="dev")
    parser.add_argument("--athletes", type=int, default=3)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--attention", default="", metavar="WORD",
                        help="the athlete says WORD before each command; others don't")
    parser.add_argument("--ceiling", action="store_true",
                        help="the embedder alone: clean commands of 18 voices against each "
                        "one's profile, with and without saying short ones over to 1.6 s")
    parser.add_argument("--sweep", action="store_true",
                        help="hear every voice, then score a grid of MATCH_FLOOR/MATCH_SPAN")
    args = parser.parse_args()
    names = [c for c in args.conditions.split(",") if c]
    unknown = [c for c in names if c not in CONDITIONS]
    if unknown:
        print(f"unknown condition(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.ceiling:
        return ceiling()
    seed0 = {"dev": 100, "test": 200}[args.split]
    ATTENTION[0] = args.attention
    totals = {"without": Tally(), "with": Tally()}
    rows: list[dict[str, object]] = []
    matches: dict[str, list[tuple[float, bool]]] = {}
    swept: list[tuple[str, list[Recognition], list[Item], float, float]] = []
    if args.sweep:  # every voice passes; the grid is applied after (refractory aside)
        athlete_voice.MATCH_FLOOR, athlete_voice.MATCH_SPAN = -1.0, 0.0
    enrol_cpu: list[float] = []
    for a, (athlete, other) in enumerate(pairs(args.split, args.athletes)):
        profile, cpu = enrol(athlete, seed0 + a)
        enrol_cpu.append(cpu)
        for c, name in enumerate(names):
            background, snr = CONDITIONS[name]
            audio, items = stream(athlete, other, background, snr, seed0 + 10 * a + c, args.split,
                                  args.attention)
            for label, used in (("without", None), ("with", profile)):
                found, heard, cpu = run(audio, args.backend, used, args.attention)
                tally = score(found, items, audio.size / SR, cpu)
                totals[label].add(tally)
                rows.append({"athlete": athlete.label, "condition": name, "profile": label,
                             **tally.row()})  # fmt: skip
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
                if used is not None and args.sweep:
                    swept.append((name, found, items, audio.size / SR, cpu))
                if used is not None:
                    for h in heard:
                        if h.voice_match is None:
                            continue
                        item = where(h.start, h.end, items)
                        own = item is not None and item.kind in ("command", "athlete chat")
                        matches.setdefault(name, []).append((h.voice_match, own))
    summary = {
        "split": args.split, "backend": args.backend, "attention": args.attention,
        "athletes": [a.label for a, _ in pairs(args.split, args.athletes)],
        "overall": {label: t.row() for label, t in totals.items()},
        "eer": {name: [round(v, 3) for v in eer(m)] for name, m in matches.items()},
        "eer_all": [round(v, 3) for v in eer([s for m in matches.values() for s in m])],
        "enrol_cpu_seconds": round(float(np.mean(enrol_cpu)), 2),
        "rows": rows,
    }
    if args.sweep:
        summary["sweep"] = sweep(swept, args.backend)
    print(json.dumps({k: v for k, v in summary.items() if k != "rows"}, indent=1))
    if args.json_out:
        summary["provenance"] = provenance()
        args.json_out.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
