"""The listening subcommands: `coach recognize`, `coach listen`, `coach model`."""

from __future__ import annotations

import argparse
import json
import queue
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.app.settings import settings_for
from coach.base.errors import CoachError
from coach.config import BACKENDS, Settings
from coach.words.log_values import VALUE_KINDS

if TYPE_CHECKING:
    from coach.listen.pipeline.listener import PipelineSettings

EXIT_OK = 0


def asked_kinds(text: str) -> tuple[tuple[float, str], ...]:
    """`--log`: 'rpe' (asked from the start) or '0:load,6.5:rpe' (each from T seconds)."""
    asked = []
    for item in text.split(","):
        at, _, kind = item.rpartition(":")
        try:
            seconds = float(at) if at else 0.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r}: T is seconds, as in 6.5:rpe") from None
        if kind not in VALUE_KINDS:
            raise argparse.ArgumentTypeError(
                f"{kind!r} is no kind of value: choose one of {', '.join(VALUE_KINDS)}"
            )
        asked.append((seconds, kind))
    return tuple(asked)


def _language_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--language",
        default=None,
        metavar="LANG",
        help="command vocabulary language (default: config.yaml's commands.language, 'en'); "
        "bundled: en, ko",
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="recognizer (default: config's listen.backend, 'auto': vosk when a model is "
        "configured or found; else, for English, moonshine when installed; else pocketsphinx)",
    )
    p.add_argument("--model", metavar="DIR", default=None, help="an unpacked vosk model to use")
    p.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        default=None,
        help="pocketsphinx alone, without the command verifier's second opinion",
    )
    p.add_argument(
        "--no-denoise",
        dest="denoise",
        action="store_false",
        default=None,
        help="let pocketsphinx hear the background too (no noise filter before it)",
    )
    p.add_argument(
        "--min-confidence",
        type=_fraction,
        default=None,
        metavar="C",
        help="accept a command at this confidence (0..1) or more; higher: fewer false "
        "triggers, more missed commands (default: the backend's own gate)",
    )


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value:g} is not between 0 and 1")
    return value


def _pipeline_settings(args: argparse.Namespace, settings: Settings) -> PipelineSettings:
    from coach.app.hearing import pipeline_settings

    tuned = pipeline_settings(settings, barge_in=False)  # nothing plays: no echo to cancel
    gate = args.min_confidence
    if gate is None:
        return tuned
    return replace(tuned, min_confidence=gate, verified_min_confidence=gate)


def add_listen_commands(sub: Any) -> None:
    """Register `recognize`, `listen` and `model` on the main parser's subparsers."""
    recognize = sub.add_parser(
        "recognize",
        help="run a recording through the listening pipeline",
        description=(
            "Stream a recording (WAV/FLAC/OGG, any rate, any channels) through exactly the "
            "live listening pipeline, in 30 ms chunks, as fast as possible, and print the "
            "commands it recognizes. Times are seconds of audio."
        ),
        epilog=(
            "examples:\n"
            "  coach recognize take1.wav\n"
            "  coach recognize gym.flac --json     # one JSON object per line:\n"
            '      {"command", "text", "confidence", "start", "end", "emitted_at"}\n'
            "  coach recognize ko.wav --language ko --backend vosk\n"
            "  coach recognize rest.wav --log load --json   # loads too: command 'log',\n"
            '      and "value": {"kind": "load", "value": 80.0, "unit": "kg"}\n'
            "  coach recognize rest.wav --log 0:load,6.5:rpe   # RPE asked from 6.5 s on\n"

        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    recognize.add_argument("audio", metavar="AUDIO")
    _language_option(recognize)
    recognize.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    recognize.add_argument(
        "--log",
        type=asked_kinds,
        default=(),
        metavar="KIND|T:KIND,…",
        help="listen as in the rest where a set is logged and KIND is asked for (load, "
        "rpe, rir or reps): its values ('eighty kilos', 'eight'), the other kinds' said "
        "with their marker ('RPE eight'), 'skip' and the commands; T:KIND,…: each kind "
        "from T seconds of audio on. A value comes out as command 'log' with its value",
    )
    recognize.set_defaults(handler=_cmd_recognize)

    listen = sub.add_parser(
        "listen",
        help="live microphone check",
        description=(
            "Listen on the microphone and show the input level, what the recognizer heard "
            "and which command it picked. Ctrl-C to stop."
        ),
    )
    listen.add_argument(
        "--device", dest="input_device", default=None,
        help="input device: index or part of its name (`coach devices`); "
        "default: config audio.input_device",
    )
    _language_option(listen)
    listen.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    listen.set_defaults(handler=_cmd_listen)

    model = sub.add_parser(
        "model",
        help="vosk speech models",
        description=(
            "Manage speech models. With a vosk model for the language, `--backend auto` "
            "picks vosk; without one, English uses moonshine (Moonshine base, installed "
            "with coach) or else pocketsphinx."
        ),
    )
    model_sub = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    download = model_sub.add_parser(
        "download",
        help="fetch a model (needs the internet)",
        description="Fetch a small vosk model with vosk's own downloader into coach's data dir.",
    )
    download.add_argument("name", metavar="NAME", help="en-us or ko")
    download.set_defaults(handler=_cmd_model_download)
    path = model_sub.add_parser(
        "path",
        help="use an unpacked model",
        description="Use the unpacked vosk model in DIR from now on (saved in coach's data dir).",
    )
    path.add_argument("dir", metavar="DIR")
    path.set_defaults(handler=_cmd_model_path)
    show = model_sub.add_parser("show", help="which model each language would use")
    show.set_defaults(handler=_cmd_model_show)
    prepare = model_sub.add_parser(
        "prepare",
        help="get the moonshine model ready now",
        description=(
            "Rebuild the Moonshine model once for the listener (some 40 seconds), "
            "so that the first session doesn't wait for it. Done by itself otherwise. "
            "Where moonshine-cpp has no wheel (Linux arm64), first downloads its wheel "
            "for Linux x86-64 with pip, only to take the model's files out of it."
        ),
    )
    prepare.set_defaults(handler=_cmd_model_prepare)


def _cmd_recognize(args: argparse.Namespace) -> int:
    from coach.base.paths import readable_input
    from coach.listen.pipeline.listener import recognize_file

    readable_input(args.audio)
    settings = settings_for(args)
    found = 0
    recognitions = recognize_file(
        args.audio, settings.listen.backend, settings.heard_vocabulary(),
        settings.listen.vosk_model,
        _pipeline_settings(args, settings), note=_note, asked=args.log,
    )
    for r in recognitions:
        found += 1
        if args.json:
            print(json.dumps(r.event(), ensure_ascii=False), flush=True)
        else:
            print(
                f"{r.start:8.2f}–{r.end:<8.2f} {r.command:<8} {r.confidence:4.2f}  {r.text}"
                + (f"  = {r.value.spoken()}" if r.value is not None else "")
                + (f"  voice {r.voice_match:.2f}" if r.voice_match is not None else "")
                + f"  (decided at {r.emitted_at:.2f})",
                flush=True,
            )
    if not args.json and found == 0:
        print("no commands heard", file=sys.stderr)
    return EXIT_OK


def _cmd_listen(args: argparse.Namespace) -> int:
    from coach.app.enrol import profile_status
    from coach.audio.output import device_arg
    from coach.listen.input.audio_input import default_rate, microphone
    from coach.listen.pipeline.listener import Listener
    from coach.listen.recognizers import make_recognizer

    settings = settings_for(args)
    device = device_arg(settings.audio.input_device)
    vocabulary = settings.heard_vocabulary()
    recognizer = make_recognizer(
        settings.listen.backend, vocabulary, settings.listen.vosk_model, _note
    )
    rate = default_rate(device)
    listener = Listener(recognizer, vocabulary, rate, _pipeline_settings(args, settings))
    verifier = " and the command verifier" if listener.verifier else ""
    print(f"Listening with {recognizer.name}{verifier} ({vocabulary.language}). Ctrl-C to stop.")
    print(profile_status())
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    last_heard = None
    try:
        with microphone(device, rate) as chunks:
            while deadline is None or time.monotonic() < deadline:
                try:
                    chunk, at, _arrived = chunks.get(timeout=0.5)
                except queue.Empty:
                    continue
                for r in listener.feed(chunk, at):
                    print(f"\r\033[K→ {r.command}  ({r.text!r}, confidence {r.confidence:.2f}"
                          f"{_voice(listener.last_heard)})")  # fmt: skip
                heard = listener.last_heard
                if heard is not None and heard is not last_heard and not heard.accepted:
                    print(f"\r\033[K  {_ignored(heard)}")
                last_heard = heard
                _meter(listener)
    except KeyboardInterrupt:
        pass
    print()
    return EXIT_OK


def _ignored(heard: Any) -> str:
    """What `coach listen` says of an utterance that gave no command."""
    if heard.why:
        return f"heard {heard.why}: ignored"
    what = heard.hypothesis.text or "(not a command)"
    voice = _voice(heard)
    if heard.voice_match is not None and heard.voice_match < heard.voice_needed:
        voice += ": not your voice"
    return f"heard {what}, confidence {heard.hypothesis.confidence:.2f}{voice}: ignored"


def _voice(heard: Any) -> str:
    """The voice match of an utterance, and what it needed (with a voice profile)."""
    if heard is None or heard.voice_match is None:
        return ""
    return f", voice match {heard.voice_match:.2f} (needs {heard.voice_needed:.2f})"


def _meter(listener: Any) -> None:
    print("\r" + meter_line(listener.endpointer), end="", flush=True)


def meter_line(ep: Any, width: int = 40) -> str:
    """The input level over the noise floor as a bar, with a mark where speech must
    reach to be heard; the background talk's level when the room has talk in it (a
    command must rise above it); and whether an utterance is open."""
    def at(level: float) -> int:
        return int(max(0.0, min(width - 1.0, level - ep.floor)))

    bar = ["█" if i < at(ep.last_level) else " " for i in range(width)]
    bar[at(ep.onset_level)] = "│"
    talk = "no talk     " if ep.talk.level is None else f"talk {ep.talk.level:6.1f}"
    state = "speech" if ep.segment is not None else "      "
    return (f" level {''.join(bar)} {ep.last_level:6.1f} dB  floor {ep.floor:6.1f}  "
            f"{talk}  {state}")


def _cmd_model_download(args: argparse.Namespace) -> int:
    from coach.models.vosk_model import DOWNLOADS, download

    # vosk's Model.__del__ fails on a model that never loaded (say, offline) and
    # prints a traceback when the half-made model goes, after our message.
    sys.unraisablehook = _quiet_vosk_del(sys.unraisablehook)
    try:
        path = download(args.name)
    except CoachError as exc:
        if isinstance(exc.__context__, OSError):  # requests' connection errors are OSErrors
            raise CoachError(
                f"could not download {DOWNLOADS.get(args.name, args.name)}: no connection to "
                "alphacephei.com; try again online, or unpack a vosk model yourself and run "
                "`coach model path DIR`"
            ) from None
        raise
    print(f"Model ready: {path}")
    return EXIT_OK


def _quiet_vosk_del(previous: Any) -> Any:
    def hook(unraisable: Any) -> None:
        if getattr(unraisable.object, "__qualname__", "") != "Model.__del__":
            previous(unraisable)

    return hook


def _cmd_model_path(args: argparse.Namespace) -> int:
    from coach.models.vosk_model import set_configured_model

    try:
        folder = Path(args.dir).expanduser()
    except RuntimeError:  # `~nosuchuser/…`
        raise CoachError(f"{args.dir}: no such user's home folder; write the full path") from None
    print(f"Using vosk model {set_configured_model(folder)}")
    return EXIT_OK


def _cmd_model_show(args: argparse.Namespace) -> int:
    from coach.models import moonshine_model
    from coach.models.vosk_model import find_vosk_model, vosk_available

    english = "moonshine" if moonshine_model.available() else "pocketsphinx"
    if not vosk_available():
        print(f"vosk is not installed: {english} (English) is used")
    for language in ("en", "ko"):
        found = find_vosk_model(language)
        print(f"{language}: {found if found else english if language == 'en' else 'none'}")
    return EXIT_OK


def _cmd_model_prepare(args: argparse.Namespace) -> int:
    from coach.models import moonshine_fetch, moonshine_model

    if moonshine_model.shipped_model() is None:  # no moonshine-cpp wheel here (arm64)
        moonshine_fetch.fetch(moonshine_model.cache_root(), _note)
    print(f"Moonshine model ready: {moonshine_model.prepared(_note)}")
    return EXIT_OK


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
