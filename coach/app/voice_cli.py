"""`coach render`, `coach say`, `coach export` and `coach devices`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from coach.app.settings import settings_for
from coach.base.errors import CoachError
from coach.base.paths import output_file
from coach.base.printable import printable


def add_voice_commands(sub: Any) -> None:
    render = sub.add_parser(
        "render",
        help="pre-render every cue of scripts",
        description=(
            "Render every cue SCRIPT can say (every variable filled in) into the cue cache, "
            "in parallel, so sessions never wait on the voice."
        ),
    )
    render.add_argument("scripts", nargs="+", metavar="SCRIPT")
    render.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    render.set_defaults(handler=_cmd_render)

    say = sub.add_parser(
        "say",
        help="speak a line in the coach's voice",
        description="Speak TEXT in the configured voice (a quick check of voice and speaker).",
    )
    say.add_argument("text", metavar="TEXT")
    say.add_argument("--device", metavar="INDEX|NAME", help="output device (`coach devices`)")
    say.add_argument("--output-wav", type=Path, metavar="FILE", help="write it to FILE instead")
    say.set_defaults(handler=_cmd_say)

    export = sub.add_parser(
        "export",
        help="render a whole session to one audio file",
        description=(
            "Render the whole guided session of SCRIPT (default timings, no commands) into one "
            "WAV, FLAC or OGG file, to play on a phone. Manual phases last --auto-next seconds "
            "after the coach stops talking, as in `coach run --simulate`, and every cue lands "
            "on the sample the simulated timeline gives."
        ),
    )
    export.add_argument("script", metavar="SCRIPT")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    export.add_argument(
        "--auto-next", type=_seconds, default=None, metavar="SECONDS",
        help="how long manual phases (setup) last after the cue (default: as --simulate, 3)",
    )
    export.add_argument(
        "--music", metavar="FILE|DIR",
        help="your music under the coach, ducked while it speaks (config music.path)",
    )
    export.set_defaults(handler=_cmd_export)

    devices = sub.add_parser(
        "devices",
        help="list sound devices",
        description="List sound devices; use the index or name in config or with --device.",
    )
    devices.set_defaults(handler=_cmd_devices)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 3600:  # also refuses nan and inf, which would never end a phase
        raise argparse.ArgumentTypeError("must be seconds from 0 to 3600")
    return value


def _progress_bar(total: int, label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True, console=_stderr_console(),
    )
    task = progress.add_task(label, total=total)
    return progress, task


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _cmd_render(args: argparse.Namespace) -> int:
    from coach.plan import expand
    from coach.script.loader import load_workout
    from coach.session.catalog import session_texts
    from coach.session.phrases import Phrases
    from coach.voice.cache import CueCache, default_cache_dir
    from coach.voice.engines import make_engine
    from coach.voice.render import render_all

    settings = settings_for()
    texts: list[str] = []
    for script in args.scripts:
        texts += session_texts(expand(load_workout(script), settings.time_calls.rule()), Phrases())
    texts = list(dict.fromkeys(texts))
    engine = make_engine(settings.voice)
    rate = settings.audio.sample_rate
    cache = CueCache(default_cache_dir(), engine.identity, rate, settings.voice.loudness,
                     settings.voice.volume)
    cached = len(texts) - len([t for t in texts if cache.get(t) is None])
    started = time.perf_counter()
    progress, task = _progress_bar(len(texts) - cached, "rendering cues")
    with progress:
        rendered = render_all(
            texts, settings.voice, rate, cache,
            progress=lambda _: progress.advance(task), workers=args.workers,
        )
    seconds = time.perf_counter() - started
    speed = f", {rendered / seconds:.1f} cues/s" if rendered and seconds > 0 else ""
    kept = f"in {cache.root}" if cache.writable else f"but not kept: {cache.root} can't be written"
    print(
        f"{len(texts)} cues: {rendered} rendered, {cached} already cached "
        f"({seconds:.1f} s{speed}) {kept}"
    )
    return 0


def _cmd_say(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise CoachError("nothing to say; give the words in quotes, e.g. coach say 'Ready?'")
    from coach.audio.output import NoOutputDevice, play_clip
    from coach.voice.voice import Voice

    output = output_file(args.output_wav, "said.wav") if args.output_wav is not None else None
    settings = settings_for(args)
    voice = Voice.from_settings(settings)
    try:
        clip = voice.clip(args.text)
    finally:
        voice.close()
    rate = settings.audio.sample_rate
    if output is not None:
        import soundfile

        try:
            soundfile.write(str(output), clip, rate)
        except (OSError, RuntimeError, TypeError, ValueError) as exc:
            raise CoachError(f"{args.output_wav}: can't write it ({exc})") from None
        print(f"{args.output_wav}: {len(clip) / rate:.2f} s")
        return 0
    try:
        play_clip(clip, settings.audio)
    except NoOutputDevice as exc:
        print(f"coach: {exc}; here it is on screen:", file=sys.stderr)
        print(printable(args.text))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from coach.app.export import export_session
    from coach.app.launch import open_voice
    from coach.app.options import SIMULATED_READY_SECONDS
    from coach.plan import expand
    from coach.script.loader import load_workout

    output = output_file(args.output, "session.ogg")
    settings = settings_for(args)
    plan = expand(load_workout(args.script), settings.time_calls.rule())
    started = time.perf_counter()
    voice = open_voice(settings, None)
    if voice is None:
        raise CoachError("export needs a voice that renders audio; check voice.engine in config")
    try:
        _warm_up(voice, plan)
        auto_next = SIMULATED_READY_SECONDS if args.auto_next is None else args.auto_next
        exported = export_session(plan, settings, voice, output, auto_next)
    finally:
        voice.close()
    minutes, seconds = divmod(exported.seconds, 60)
    print(
        f"{exported.path}: {int(minutes)}:{seconds:04.1f} with {exported.cues} cues "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    return 0


def _warm_up(voice: Any, plan: Any) -> None:
    """Render what isn't cached yet, with a progress bar (export waits for all of it)."""
    from coach.session.catalog import session_texts
    from coach.session.phrases import Phrases

    missing = voice.missing(session_texts(plan, Phrases()))
    if not missing:
        return
    progress, task = _progress_bar(len(missing), "rendering cues")
    with progress:
        for text in missing:
            voice.clip(text)
            progress.advance(task)


def _cmd_devices(args: argparse.Namespace) -> int:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise CoachError(
            f"PortAudio is not installed ({exc}); sudo apt-get install libportaudio2"
        ) from None
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise CoachError(f"can't list sound devices: {exc}") from None
    if len(devices) == 0:
        print("No sound devices. Sessions will coach on screen.")
        return 0
    print(f"{'':2}{'#':>3}  {'in':>3} {'out':>3}  {'rate':>6}  name")
    for index, d in enumerate(devices):
        mark = ("<" if index == default_in else " ") + (">" if index == default_out else " ")
        print(
            f"{mark}{index:>3}  {d['max_input_channels']:>3} {d['max_output_channels']:>3}  "
            f"{d['default_samplerate']:>6.0f}  {d['name']}"
        )
    print("\n< default input, > default output. Choose one with --device INDEX|NAME "
          "or audio.output_device / audio.input_device in config.")
    return 0
