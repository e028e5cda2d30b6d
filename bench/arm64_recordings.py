"""The recordings bench/arm64.sh has `coach recognize` hear on x86-64 and on arm64, and
the comparison of what each named.

    .venv/bin/python bench/arm64_recordings.py make DIR
        DIR/quiet.wav, DIR/pink_15db.wav (+ .truth.json): ten commands in three voices
        (espeak-ng, flite, hibari) and one ordinary sentence, over a room's noise floor
        and over pink noise at 15 dB
    .venv/bin/python bench/arm64_recordings.py compare DIR
        reads DIR/NAME.BACKEND.ARCH.jsonl (`coach recognize --json`) and prints, per
        recording and backend, what was said and what each machine named; exit 1 when
        the two machines differ
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import audio_gen as ag  # noqa: E402
from audio_gen import SR, Voice  # noqa: E402

VOICES = (Voice("espeak", "en-us", rate=160), Voice("flite", "slt"), Voice("hibari", "us"))
SAID = (
    ("Next.", "next"),
    ("Pause.", "pause"),
    ("Resume.", "resume"),
    ("Say again.", "repeat"),
    ("How many left?", "status"),
    ("I think we should grab lunch after this.", None),
    ("Skip exercise.", "skip"),
    ("Go back.", "back"),
    ("What can I say?", "help"),
    ("Slower.", "slower"),
    ("Stop workout.", "stop"),
)
CONDITIONS = {"quiet": None, "pink_15db": 15.0}
ARCHES = ("x86_64", "aarch64")


def make(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, snr in CONDITIONS.items():
        rng = np.random.default_rng(23)
        clips, truth, at = [], [], int(1.0 * SR)
        for i, (text, command) in enumerate(SAID):
            clip, _, _ = ag.trim(ag.synthesize(VOICES[i % len(VOICES)], text, seed=i))
            clip = 0.1 * clip / (ag.active_rms(clip) or 1.0)  # speech at about -20 dBFS
            clips.append((at, clip))
            truth.append({"text": text, "command": command, "start": at / SR,
                          "end": (at + len(clip)) / SR})  # fmt: skip
            at += len(clip) + int(rng.uniform(1.2, 1.8) * SR)
        n = at + SR
        speech = np.zeros(n, np.float32)
        for start, clip in clips:
            speech[start : start + len(clip)] += clip
        if snr is None:
            background = ag.noise_floor(n, rng) * 0.1 * 10 ** (-50 / 20)
        else:
            background = ag.pink_noise(n, rng) * 0.1 * 10 ** (-snr / 20)
        ag.write_audio(out / f"{name}.wav", speech + background)
        (out / f"{name}.truth.json").write_text(json.dumps(truth, indent=1))


def _named(path: Path) -> list[tuple[float, str]]:
    if not path.is_file():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(float(r["start"]), str(r["command"])) for r in lines]


def _at(named: list[tuple[float, str]], start: float, end: float) -> str:
    found = [c for t, c in named if start - 0.5 <= t <= end + 0.5]
    return ",".join(found) or "-"


def compare(folder: Path) -> int:
    differ = 0
    for name in CONDITIONS:
        truth = json.loads((folder / f"{name}.truth.json").read_text())
        for backend in sorted({p.name.split(".")[1] for p in folder.glob(f"{name}.*.*.jsonl")}):
            named = {a: _named(folder / f"{name}.{backend}.{a}.jsonl") for a in ARCHES}
            print(f"\n{name}.wav, --backend {backend}")
            print(f"  {'said':42} {'x86_64':10} {'aarch64':10}")
            for said in truth:
                heard = [_at(named[a], said["start"], said["end"]) for a in ARCHES]
                print(f"  {said['text']:42} {heard[0]:10} {heard[1]:10}")
            same = [c for _, c in named["x86_64"]] == [c for _, c in named["aarch64"]]
            right = sum(
                _at(named["aarch64"], s["start"], s["end"]) == (s["command"] or "-") for s in truth
            )
            print(f"  same commands on both: {'yes' if same else 'NO'};"
                  f" arm64 right on {right} of {len(truth)}")  # fmt: skip
            differ += not same
    return 1 if differ else 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "compare"):
        print("usage: arm64_recordings.py make|compare DIR", file=sys.stderr)
        return 2
    if sys.argv[1] == "make":
        make(Path(sys.argv[2]))
        return 0
    return compare(Path(sys.argv[2]))


if __name__ == "__main__":
    sys.exit(main())
