"""The `coach` command line.

Every user mistake surfaces as a CoachError and becomes one line on stderr with
exit code 2; nothing here prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from coach import __version__
from coach.app.options import SIMULATED_READY_SECONDS, RunOptions, note
from coach.app.settings import settings_for
from coach.base.errors import CoachError
from coach.base.paths import output_file
from coach.base.printable import printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

if TYPE_CHECKING:
    from coach.config import Settings

Handler = Callable[[argparse.Namespace], int]


def _positive_speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a number above 0, e.g. 10")
    return value


def _positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


AUTO_NEXT_OFF = "off"


def _auto_next(text: str) -> float | str:
    if text.lower() in ("off", "never", "none"):
        return AUTO_NEXT_OFF
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds or 'off'") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError("must be seconds ≥ 0, or 'off'")
    return value



def _add_session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--simulate",
        action="store_true",
        help="run on a virtual clock, instantly, with no devices; prints the timeline",
    )
    p.add_argument(
        "--commands",
        metavar="T:CMD,…",
        default="",
        help="commands to give at session times in seconds, e.g. '12:pause,20:resume,31:next'"
        " ('20:heard stop': as if said aloud)",
    )
    p.add_argument("--json", action="store_true", help="print the timeline as JSON lines")
    p.add_argument(
        "--plain",
        action="store_true",
        help="log-style lines instead of the live display (the default when not a terminal)",
    )
    p.add_argument(
        "--no-audio", action="store_true", help="use no sound devices: coach on screen only"
    )
    p.add_argument(
        "--speed",
        type=_positive_speed,
        default=1.0,
        metavar="X",
        help="run X times faster than real time (with --no-audio; for tests and demos)",
    )
    p.add_argument(
        "--no-listen",
        action="store_true",
        help="don't listen for voice commands (the keys still work)",
    )
    p.add_argument(
        "--barge-in",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hear commands while the coach talks too: an echo canceller takes the coach's "
        "own voice out of the microphone (the default where the canceller is installed; "
        "--no-barge-in: deaf while it talks; config listen.barge_in)",
    )
    p.add_argument(
        "--output-wav",
        type=Path,
        metavar="FILE",
        help="also write exactly what is sent to the sound device to FILE (WAV/FLAC/OGG); "
        "with --no-audio, instead of the device",
    )
    p.add_argument(
        "--music", metavar="FILE|DIR",
        help="your music (MP3, OGG, FLAC, WAV) under the coach, ducked while it speaks; "
        "config music.path",
    )
    p.add_argument(
        "--device",
        metavar="INDEX|NAME",
        help="the sound output device (see `coach devices`); default: config audio.output_device",
    )
    p.add_argument(
        "--auto-next",
        type=_auto_next,
        default=None,
        metavar="SECONDS|off",
        help=(
            "end manual phases (like setup) by themselves this many seconds after the coach "
            f"stops talking; default: off live, {SIMULATED_READY_SECONDS:g}s with --simulate"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach",
        description=(
            "An offline, hands-free workout coach: it reads a cue script, talks you through "
            "every rep phase by phase, and listens for commands like 'next' and 'pause'."
        ),
        epilog="Start with `coach list`, then `coach run demo`. Docs: docs/cue-scripts.md.",
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="a guided session",
        description="Run a guided session of SCRIPT (a path, or a bundled script's name).",
        epilog=(
            "examples:\n"
            "  coach run demo\n"
            "  coach run hip-thrust --simulate --commands '20:next,45:pause,60:resume'\n"
            "  coach run scripts/deadbug.yaml --no-audio --speed 10\n"
            "keys while running (in a terminal a key alone; from a pipe, a line each):\n"
            "  Enter/n next, r repeat, p pause, c continue, b back, s skip, q stop,\n"
            "  ? status, h help, - slower, + faster; a value then Enter logs it: 80kg, 8 rpe"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("script", metavar="SCRIPT")
    _add_session_options(run)
    run.add_argument(
        "--web", nargs="?", const="127.0.0.1:8765", metavar="ADDR:PORT",
        help="also serve this session's web page: its buttons steer it beside the keys and "
        "the voice (127.0.0.1:8765 by default; see coach serve --web)",
    )
    run.set_defaults(handler=_cmd_run)

    resume = sub.add_parser(
        "resume",
        help="continue the latest unfinished session",
        description=(
            "Continue the latest unfinished session (stopped or interrupted) at the start of "
            "the rep that was interrupted, in the same history entry."
        ),
    )
    _add_session_options(resume)
    resume.add_argument(
        "--restart",
        action="store_true",
        help="when the script changed since the session stopped: start it again from the "
        "beginning, as a new session",
    )
    resume.set_defaults(handler=_cmd_resume)

    validate = sub.add_parser(
        "validate",
        help="check cue scripts",
        description="Check cue scripts; prints FILE:LINE:COL: message for every problem.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(handler=_cmd_validate)

    schema = sub.add_parser(
        "schema",
        help="print the cue-script JSON Schema",
        description=(
            "Print the JSON Schema of cue scripts, for editors. With VS Code's YAML "
            "extension: coach schema > coach.schema.json, then add "
            "'# yaml-language-server: $schema=coach.schema.json' at the top of a script."
        ),
    )
    schema.set_defaults(handler=_cmd_schema)

    history = sub.add_parser(
        "history",
        help="past sessions",
        description=(
            "List past sessions: when, how it ended, reps, how long it ran (without the time\n"
            "it lay stopped), and marks: 'resumed' when `coach resume` took it up again,\n"
            "'practice' for runs sped up or without audio (left out of `coach stats`)."
        ),
        epilog="examples:\n  coach history\n  coach history show 12\n  coach history --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history.add_argument("--json", action="store_true", help="a JSON list of sessions")
    history.set_defaults(handler=_cmd_history)
    history_sub = history.add_subparsers(dest="history_command", metavar="[show ID]")
    show = history_sub.add_parser(
        "show",
        help="every set of one session",
        description="Every set of one session: reps, seconds held, rounds, and the load, RPE, "
        "RIR and reps logged for it.",
    )
    show.add_argument("id", type=_positive_count, metavar="ID", help="the session's id")
    show.add_argument("--json", action="store_true", help="the session and its sets as JSON")
    show.set_defaults(handler=_cmd_history_show)

    stats = sub.add_parser(
        "stats",
        help="progress per exercise",
        description=(
            "Progress per exercise over time: sessions, reps, time held, volume (load × reps),\n"
            "best set, estimated one-rep max (Epley: load × (1 + reps / 30)), time under\n"
            "tension from the plan's tempo, and the weekly streak (weeks in a row with a\n"
            "session, up to this week or the last). Practice runs (sped up or without audio)\n"
            "are left out unless --practice."
        ),
        epilog=(
            "examples:\n"
            "  coach stats                       every exercise, as a terminal chart\n"
            "  coach stats 'bench press'         one exercise\n"
            "  coach stats --html progress.html  a page with plots that opens offline\n"
            "  coach stats --csv > sets.csv      every set, for a spreadsheet"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    stats.add_argument("exercise", nargs="?", metavar="EXERCISE",
                       help="only this exercise (any case); default: all")  # fmt: skip
    stats.add_argument("--practice", action="store_true", help="count practice runs too")
    export = stats.add_mutually_exclusive_group()
    export.add_argument("--json", action="store_true", help="the figures and every set as JSON")
    export.add_argument("--csv", action="store_true", help="every set as CSV")
    stats.add_argument("--html", type=Path, metavar="FILE",
                       help="write a self-contained page with plots to FILE (needs matplotlib: "
                       "pip install 'coach[stats]')")  # fmt: skip
    stats.set_defaults(handler=_cmd_stats)

    listing = sub.add_parser("list", help="bundled scripts", description="List bundled scripts.")
    listing.set_defaults(handler=_cmd_list)

    config = sub.add_parser(
        "config",
        help="show the effective settings",
        description=(
            "Show every setting's effective value and where it came from: config.yaml (the "
            "documented defaults), your config file, a COACH_SECTION_KEY environment "
            "variable, or a flag."
        ),
    )
    config.add_argument("--json", action="store_true", help="as JSON")
    config.add_argument("--path", action="store_true", help="print your config file's path")
    config.set_defaults(handler=_cmd_config)

    serve = sub.add_parser(
        "serve",
        help="smart-speaker mode: always listening, one workout after another",
        description=(
            "Headless smart-speaker mode. Idle, it listens for 'start <workout>' (the bundled "
            "script names, e.g. 'start demo', 'start hip thrust'), 'list workouts' and "
            "'resume workout'; runs the session; and comes back to idle. See "
            "docs/smart-speaker.md for running it as a systemd user service."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  coach serve --wake-word coach     # 'coach, start demo'\n"
        "  coach serve --web 0.0.0.0:8765    # and a page for the phones on the network",
    )
    serve.add_argument("--wake-word", metavar="WORD",
                       help="require WORD before each request and each command of a session "
                       "(commands.attention)")
    serve.add_argument("--no-audio", action="store_true", help="no sound devices (tests, demos)")
    serve.add_argument("--speed", type=_positive_speed, default=1.0, metavar="X",
                       help="X times real time (with --no-audio)")
    serve.add_argument("--json", action="store_true", help="timelines as JSON lines")
    serve.add_argument(
        "--requests", default="", metavar="T:PHRASE,…",
        help="menu requests as if spoken, one per idle spell, e.g. '2:start demo,5:list workouts'",
    )
    serve.add_argument("--listen-file", metavar="AUDIO",
                       help="listen to a recording (looped) instead of the microphone")
    serve.add_argument("--sessions", type=_positive_count, metavar="N",
                       help="end after N sessions")
    serve.add_argument("--output-wav", type=Path, metavar="FILE",
                       help="also record what each session played (the last one's is kept)")
    serve.add_argument(
        "--web", nargs="?", const="127.0.0.1:8765", metavar="ADDR:PORT",
        help="also serve the web page (live view, steering, scripts, progress) on ADDR:PORT; "
        "127.0.0.1:8765 by default, 0.0.0.0:8765 for the whole network",
    )
    serve.set_defaults(handler=_cmd_serve)

    from coach.app.enrol import add_enrol_command
    from coach.app.listen_cli import add_listen_commands
    from coach.app.starter import add_new_command
    from coach.app.voice_cli import add_voice_commands

    add_new_command(sub)

    add_voice_commands(sub)
    add_listen_commands(sub)
    add_enrol_command(sub)
    return parser


# -- commands --------------------------------------------------------------------


def _session_options(args: argparse.Namespace, settings: Settings) -> RunOptions:
    from coach.session.scripted import parse_commands

    auto_next = args.auto_next
    if auto_next is None:
        auto_next = SIMULATED_READY_SECONDS if args.simulate else settings.session.auto_next
    elif auto_next == AUTO_NEXT_OFF:
        auto_next = None
    if args.speed != 1.0 and not (args.no_audio or args.simulate):
        raise CoachError("--speed needs --no-audio (sound can't be sped up); add --no-audio")
    if settings.music.path:  # refused here as a live run and `export` refuse it
        from coach.audio.tracks import music_files

        music_files(Path(settings.music.path).expanduser())
    return RunOptions(
        simulate=args.simulate,
        json=args.json,
        speed=args.speed,
        commands=tuple(parse_commands(args.commands, settings.vocabulary())),
        auto_next=auto_next,
        no_audio=args.no_audio,
        output_wav=None if args.output_wav is None else output_file(args.output_wav, "session.wav"),
        plain=args.plain,
        listen=not args.no_listen,
    )


def _finish_code(status: str) -> int:
    return EXIT_OK if status in ("completed", "stopped") else EXIT_FAILED


def _cmd_run(args: argparse.Namespace) -> int:
    from coach.app.launch import launch, start_recorded
    from coach.history.journal import replay
    from coach.history.store import History
    from coach.plan import expand
    from coach.script.loader import load_workout, resolve_script

    settings = settings_for(args)
    options = _session_options(args, settings)
    web = getattr(args, "web", None)  # `coach resume --restart` comes here without it
    if web is not None and options.simulate:
        raise CoachError("--web shows a live session; drop --simulate")
    address = None
    if web is not None:
        from coach.app.web.address import parse_address

        address = parse_address(web)
    workout = load_workout(args.script)
    if options.simulate:
        plan = expand(workout, settings.time_calls.rule())
        return _finish_code(launch(plan, options, settings=settings).status)
    path = resolve_script(args.script)
    with History.open(settings.history_path()) as history, contextlib.ExitStack() as stack:
        replay(history)  # what an earlier session couldn't write
        plan, target = start_recorded(
            history, args.script, str(path), workout, settings, options.practice
        )
        events, observe = None, None
        if address is not None:
            from coach.app.web.service import session_page

            events, observe = stack.enter_context(
                session_page(address, settings, options.speed, args.script, note)
            )
        finished = launch(plan, options, settings=settings, record=target, events=events,
                          observe=observe)  # fmt: skip
    _after_session(finished.status)
    return _finish_code(finished.status)


def _after_session(status: str) -> None:
    if status == "stopped":
        print("Progress saved: `coach resume` continues where you stopped.", file=sys.stderr)


def _cmd_resume(args: argparse.Namespace) -> int:
    from coach.app.launch import HistoryTarget, launch
    from coach.app.resume import latest_unfinished, rest_of, resume_point
    from coach.history.journal import replay
    from coach.history.store import History

    settings = settings_for(args)
    options = _session_options(args, settings)
    with History.open(settings.history_path()) as history:
        replay(history)  # what an earlier session couldn't write
        unfinished = latest_unfinished(history, settings.log.unit)
    record, changed = unfinished.record, unfinished.changed
    if changed is not None and not args.restart:
        raise CoachError(
            f"{record.script} changed since session {record.id} stopped ({changed}), so "
            "its reps no longer line up; `coach resume --restart` starts it again from "
            "the beginning"
        )
    if changed is None and args.restart:
        raise CoachError(
            f"{record.script} has not changed; `coach resume` continues session "
            f"{record.id} where it stopped"
        )
    if changed is not None:  # and --restart: a new session of the script as it is now
        print(f"Starting {printable(record.workout)} again: its script changed.",
              file=sys.stderr)
        args.script = unfinished.script
        return _cmd_run(args)
    with History.open(settings.history_path()) as history:
        rest = rest_of(history, unfinished, settings.time_calls.rule())
        where = resume_point(unfinished, rest)
        print(
            f"Resuming session {record.id} ({printable(record.workout)}) at {printable(where)}.",
            file=sys.stderr,
        )
        target = None
        if not options.simulate:
            history.reopen_session(record.id)
            target = HistoryTarget(history, record.id, unfinished.today)
        finished = launch(
            rest.plan,
            options,
            settings=settings,
            record=target,
            completed=rest.completed,
            planned_reps=rest.planned_reps,
        )
    _after_session(finished.status)
    return _finish_code(finished.status)


def _cmd_validate(args: argparse.Namespace) -> int:
    from coach.script.loader import resolve_script, review_script

    problems = warnings = 0
    for name in args.files:
        found, warned = review_script(resolve_script(name))  # a path, or a bundled name
        for problem in [*found, *warned]:
            print(problem)
        problems, warnings = problems + len(found), warnings + len(warned)
    if problems:
        print(f"{problems} problem{'s' if problems != 1 else ''} found", file=sys.stderr)
        return EXIT_FAILED
    also = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    print(f"{len(args.files)} script{'s' if len(args.files) != 1 else ''} OK{also}")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from coach.script.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_history(args: argparse.Namespace) -> int:
    from coach.history.store import History

    settings = settings_for(args)
    with History.open(settings.history_path(), read_only=True) as history:
        sessions = history.sessions()
    if args.json:
        print(json.dumps([s.to_json() for s in sessions], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not sessions:
        print("No sessions yet. Start one with `coach run demo`.")
        return EXIT_OK
    from coach.app.charts import clock
    from coach.app.stats import session_marks

    print(f"{'id':>4}  {'started':<19}  {'status':<11}  {'reps':>7}  {'time':>7}  workout")
    for s in sessions:
        reps = f"{s.completed_reps}/{s.planned_reps}"
        started = s.started.replace("T", " ")[:19]
        time = "" if s.duration is None else clock(s.duration)
        marks = session_marks(s)
        workout = printable(s.workout) + (f"  ({marks})" if marks else "")
        print(f"{s.id:>4}  {started:<19}  {s.display_status:<11}  {reps:>7}  {time:>7}  {workout}")
    if any(s.practice for s in sessions):
        print("practice: sped up or without audio; `coach stats` leaves it out")
    return EXIT_OK


def _cmd_history_show(args: argparse.Namespace) -> int:
    from coach.app.stats import show_session
    from coach.history.store import History

    settings = settings_for(args)
    with History.open(settings.history_path(), read_only=True) as history:
        record = history.get(args.id)
        if record is None:
            raise CoachError(f"no session {args.id} in the history; `coach history` lists them")
        sets = history.sets(args.id)
    if args.json:
        document = {**record.to_json(), "sets": [s.to_json() for s in sets]}
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    show_session(record, sets, sys.stdout)
    return EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    from coach.app.stats import stats_report
    from coach.history.store import History

    settings = settings_for(args)
    with History.open(settings.history_path(), read_only=True) as history:
        stats_report(
            history, args.exercise, practice=args.practice, as_json=args.json,
            as_csv=args.csv, html=args.html,
        )  # fmt: skip
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from coach.app.serve import ServeOptions, parse_requests, serve
    from coach.app.web.address import parse_address

    web = None if args.web is None else parse_address(args.web)
    if args.speed != 1.0 and not args.no_audio:
        raise CoachError("--speed needs --no-audio (sound can't be sped up); add --no-audio")
    settings = settings_for(args)
    # Sessions with --no-audio hear nobody say "ready": their setups end by themselves.
    options = ServeOptions(
        auto_next=SIMULATED_READY_SECONDS if args.no_audio else settings.session.auto_next,
        no_audio=args.no_audio,
        speed=args.speed,
        json=args.json,
        wake_word=settings.commands.attention,
        requests=parse_requests(args.requests),
        listen_file=args.listen_file,
        sessions=args.sessions,
        web=web,
        output_wav=None if args.output_wav is None else output_file(args.output_wav),
    )
    return serve(settings, options)


def _cmd_config(args: argparse.Namespace) -> int:
    from coach.app.enrol import profile_status
    from coach.base.resources import default_config_path
    from coach.config import describe, user_config_path
    from coach.history.store import history_path

    if args.path:
        print(user_config_path())
        return EXIT_OK
    settings = settings_for()
    rows = describe(settings)
    if args.json:
        print(json.dumps({k: {"value": v, "from": src} for k, v, src in rows}, indent=2))
        return EXIT_OK
    width = max(len(k) for k, _, _ in rows)
    for key, value, source in rows:
        shown = json.dumps(value, ensure_ascii=False)
        if len(shown) > 48:
            shown = shown[:45] + "..."
        print(f"{key:<{width}}  {shown:<48}  {source}")
    user = user_config_path()
    exists = "" if user.is_file() else "; it does not exist, so only the defaults apply"
    print(f"\nconfig.yaml: {default_config_path()} (the documented defaults)")
    print(f"Your config file: {user} (COACH_CONFIG overrides the path{exists})")
    print(f"History: {settings.history_path() or history_path()}")
    print(profile_status())
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    from coach.app.launch import launch
    from coach.plan import expand
    from coach.script.loader import bundled_scripts, load_workout
    from coach.session.speech import EstimatedSpeech

    speech = EstimatedSpeech()  # a listing shouldn't render every cue to time it
    print(f"{'name':<18} {'reps':>5} {'about':>7}  workout")  # reps: – for no count of them
    for path in bundled_scripts():
        workout = load_workout(str(path))
        plan = expand(workout)
        # The length of a session with a quick "ready" at each setup.
        finished = launch(
            plan, RunOptions(simulate=True, auto_next=5.0), speech=speech, out=io.StringIO()
        )
        minutes = f"{finished.t / 60:.0f} min" if finished.t >= 90 else f"{finished.t:.0f} s"
        # An EMOM's reps too, which the coach doesn't count one by one.
        reps = plan.planned_reps + sum(
            e.rounds * e.reps * max(1, len(e.sides)) for e in workout.exercises if e.kind == "emom"
        )
        print(f"{path.stem:<18} {reps or '–':>5} {minutes:>7}  {printable(workout.name)}")
    return EXIT_OK


# -- entry point -------------------------------------------------------------------


EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C


_ctrl_c: list[int] = []  # non-empty once Ctrl-C was pressed


def _on_ctrl_c(signum: int, frame: FrameType | None) -> None:
    _ctrl_c.append(signum)
    raise KeyboardInterrupt


def _interrupted() -> NoReturn:
    print("coach: interrupted", file=sys.stderr)
    exit_now(EXIT_INTERRUPTED)


def _unraisable(previous: Callable[[Any], None]) -> Callable[[Any], None]:
    """Ctrl-C that lands in a callback Python can't raise from (an import's cleanup)
    would be printed as "Exception ignored" and then forgotten."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _interrupted()
        previous(unraisable)

    return hook


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGINT, _on_ctrl_c)
    sys.unraisablehook = _unraisable(sys.unraisablehook)
    try:
        code = _main(argv)
        # Done: a Ctrl-C while Python shuts down would end it by SIGINT, not this code.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return code
    except KeyboardInterrupt:  # Ctrl-C before a session took over the signal, or after
        _interrupted()
    except Exception:
        if _ctrl_c:  # a native import turns Ctrl-C into an ImportError
            _interrupted()
        raise


def exit_now(code: int) -> NoReturn:
    """Leave at once after Ctrl-C: tearing down the interpreter with the voice's and
    the models' native threads mid-work can end in SIGINT or SIGABRT instead."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


# What a write to an open file (standard output, above all) fails with when the disk
# or the device is full, or breaks; a file that can't be opened names itself instead.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _write_failure(exc: Exception) -> str | None:
    """Why a write failed ("No space left on device"), if `exc` is such a failure."""
    if not (isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS and exc.filename is None):
        return None
    try:  # what standard output still holds would fail again in Python's flush at exit
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return exc.strerror or os.strerror(exc.errno or 0)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    # transitions logs every callback at INFO; only its warnings help a user.
    logging.getLogger("transitions").setLevel(max(logging.WARNING, logging.root.level))
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handler: Handler = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # an output that can't be written fails here, where it is said
        return code
    except CoachError as exc:
        for line in str(exc).splitlines() or [""]:  # several lines only for several problems
            print(f"coach: {printable(line)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug, not the user's fault: say so in one line
        if _ctrl_c:  # not a bug: Ctrl-C, turned into another error on its way
            _interrupted()
        unwritten = _write_failure(exc)
        if unwritten is not None:  # `> /dev/full`, a full disk: not a bug
            print(f"coach: can't write: {unwritten}", file=sys.stderr)
            return EXIT_USAGE
        if args.verbose >= 2:
            raise
        print(f"coach: internal error: {exc!r} (run with -vv for details)", file=sys.stderr)
        return EXIT_FAILED
