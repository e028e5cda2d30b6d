"""How long the recognizer takes to decide on an utterance, listening for commands
only and for logged values too.

    .venv/bin/python bench/value_latency.py --corpus bench/corpus/test-values \
        [--backend moonshine] [--conditions quiet]

Every spoken value of the chosen streams (widened by 0.25 s each side) is handed to the
recognizer as the listener hands it an utterance, once by a recognizer of the commands
alone and once by one that hears the values too, the value's kind asked for (`coach
recognize --log KIND`); the wall time
of its decision (`finish()`, the work left once the utterance is over) is timed. With
moonshine that is the whole decoding; pocketsphinx decodes as the audio comes, so its
time is the feeding and the end together. Prints the median, 95th percentile and
largest time of each, and the recognizers' set-up times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from coach.base.samples import resample  # noqa: E402
from coach.listen.input.files import mono_blocks  # noqa: E402
from coach.listen.recognizers import make_recognizer  # noqa: E402
from coach.words.vocabulary import Vocabulary  # noqa: E402

PAD = 0.25


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus" / "test-values")
    parser.add_argument("--backend", default="moonshine")
    parser.add_argument("--conditions", default="quiet")
    args = parser.parse_args(argv)
    manifest_path = args.corpus / "manifest.json"
    if not manifest_path.exists():
        print(f"value_latency: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    wanted = args.conditions.split(",")
    conds = [c for c in manifest["conditions"] if c["name"] in wanted]
    if len(conds) != len(wanted):
        print(f"value_latency: unknown condition in {args.conditions}", file=sys.stderr)
        return 2
    vocabulary = Vocabulary()
    for values in (False, True):
        t0 = time.perf_counter()
        recognizer = make_recognizer(args.backend, vocabulary, values=values)
        setup = time.perf_counter() - t0
        times = []
        for cond in conds:
            blocks, rate = mono_blocks(args.corpus / cond["file"])
            audio = resample(np.concatenate(list(blocks)), rate, recognizer.sample_rate)
            truth = json.loads((args.corpus / cond["truth"]).read_text(encoding="utf-8"))
            for t in truth:
                if t["kind"] not in ("value", "command"):
                    continue
                lo = max(0, int((t["start"] - PAD) * recognizer.sample_rate))
                hi = int((t["end"] + PAD) * recognizer.sample_rate)
                pcm = (np.clip(audio[lo:hi], -1, 1) * 32767).astype(np.int16)
                if values and t["kind"] == "value":
                    recognizer.listen_for_values(t["command"].split()[0])
                t0 = time.perf_counter()
                recognizer.start()
                recognizer.feed(pcm)
                recognizer.finish()
                times.append(time.perf_counter() - t0)
        ms = np.array(times) * 1000
        print(f"{args.backend}, {'commands and values' if values else 'commands only'}: "
              f"{len(ms)} utterances, p50 {np.percentile(ms, 50):.0f} ms, "
              f"p95 {np.percentile(ms, 95):.0f} ms, max {ms.max():.0f} ms "
              f"(set-up {setup:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
