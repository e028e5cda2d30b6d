"""`coach new NAME [--kind reps|timed|intervals|circuit]`: a commented starter script.

The script validates as written, and its first line points editors with a YAML
language server at the JSON Schema, written next to it as coach.schema.json,
so keys and cue names complete as you type.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from coach.base.errors import CoachError
from coach.base.paths import output_file

KINDS = ("reps", "timed", "intervals", "circuit")
SCHEMA_FILE = "coach.schema.json"

_HEAD = """\
# yaml-language-server: $schema={schema}
# {title}: a cue script for coach. Check it with `coach validate {file}`,
# try it with `coach run {file} --simulate`. Every key: docs/cue-scripts.md.
workout: {title}
description: >-
  {about}
intro: "{{workout}}. {intro}"
outro: "Done. Well worked."
"""

_BODIES = {
    "reps": ("Sets of reps, phase by phase.", "Three sets of eight.", """\
defaults:
  # Seconds per phase; setup waits for you to say "ready".
  tempo: {setup: manual, brace: 2, drive: 1, hold: 1, lower: 2}
  rest: 60            # seconds between sets
  countdown: 3        # beeps after setup
exercises:
  - name: Glute bridge
    sets: 3
    reps: 8
    # sides: [left, right]   # one side at a time
    cues:
      before_set: "Set {set} of {sets}."
      setup: "On your back, knees bent, feet flat. Say ready."
      brace: ["Brace.", "Ribs down."]
      drive: "Drive through the heels."
      hold: "Squeeze."
      lower: "Lower slowly."
      last_rep: "Last one."
      rest: "Rest {rest} seconds. Next: {next}."
"""),
    "timed": ("Holds for time, with time calls.", "Three forty-five second holds.", """\
time_calls:
  halfway: 30         # "halfway" in holds and rests at least 30 s long (false: never)
  left: 10            # "ten seconds" left
  tones: false        # true: beeps instead of words
exercises:
  - name: Plank
    seconds: 45       # held this long, instead of reps
    sets: 3
    rest: 30
    # sides: [left, right]   # held once per side, e.g. a side plank
    tempo: {setup: manual}
    countdown: 3
    cues:
      setup: "Forearms down, elbows under your shoulders. Say ready."
      start: "Hold. {seconds} seconds."
      during:         # spread evenly over the hold, clear of the time calls
        - "Squeeze your glutes."
        - "Push the floor away."
        - "Breathe behind the brace."
      end: "And rest."
      rest: "Rest {rest} seconds."
"""),
    "intervals": ("Work and rest intervals.", "Eight rounds, twenty on, ten off.", """\
time_calls:
  countdown: 3        # 3-2-1 at the end of each rest
exercises:
  - name: Squats
    rounds: 8
    # One interval, or a list of named ones:
    #   intervals:
    #     - {name: Squats, work: 30, rest: 15}
    #     - {name: Push-ups, work: 30, rest: 15, cues: {start: "Push-ups!"}}
    intervals: {work: 20, rest: 10}
    tempo: {setup: manual}
    countdown: 3
    cues:
      setup: "Feet shoulder width. Say ready."
      start: "Round {round} of {rounds}. Go!"
      during: ["Chest up.", "Sit back.", "Keep moving."]   # one per interval, in turn
      rest: "Rest."
"""),
    "circuit": ("A circuit: the exercises in a row, round after round.",
                "Three rounds, rest between rounds.", """\
exercises:
  - circuit: Core
    rounds: 3
    rest: 60          # between rounds, not between exercises
    cues:
      start: "Round {round} of {rounds}."
      rest: "Rest {rest} seconds. Next: {next}."
    exercises:        # rep and timed exercises, no sets or rest of their own
      - name: Plank
        seconds: 40
        tempo: {setup: manual}
        cues:
          setup: "Plank. Say ready."
          start: "Hold."
          during: ["Glutes tight.", "Breathe."]
          end: "Down."
      - name: Dead bug
        reps: 6
        sides: [left, right]
        countdown: 0
        tempo: {setup: manual, brace: 1, drive: 2, hold: 1, lower: 2}
        cues:
          setup: "Dead bug, {side} leg. Low back down. Say ready."
          drive: "Reach long."
          lower: "Back in."
"""),
}


def starter_text(title: str, kind: str, file: str, schema: str = SCHEMA_FILE) -> str:
    about, intro, body = _BODIES[kind]
    head = _HEAD.format(schema=schema, title=title, file=file, about=about, intro=intro)
    return head + body


def _title(name: str) -> str:
    words = Path(name).stem.replace("-", " ").replace("_", " ").strip()
    if not words:
        raise CoachError(f"'{name}': give the script a name, e.g. `coach new plank`")
    return words[:1].upper() + words[1:]


def write_starter(name: str, kind: str) -> tuple[Path, Path | None]:
    """Write NAME(.yaml) and, if it isn't there yet, the schema beside it."""
    if name.strip() and (name.endswith(("/", os.sep)) or Path(name).name in ("", ".", "..")):
        raise CoachError(
            f"{name}: is a folder; give the script a name in it, e.g. "
            f"`coach new {Path(name) / 'plank'}`"
        )
    path = Path(name if name.endswith((".yaml", ".yml")) else name + ".yaml")
    path = output_file(path, "my-workout.yaml")
    if path.exists():
        raise CoachError(f"{path} already exists; pick another name or move it first")
    text = starter_text(_title(name), kind, path.name)
    schema = path.parent / SCHEMA_FILE
    try:
        path.write_text(text, encoding="utf-8")
        if schema.exists():
            return path, None
        from coach.script.schema import json_schema

        schema.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CoachError(f"can't write {path}: {exc.strerror or exc}") from None
    return path, schema


def add_new_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = sub.add_parser(
        "new",
        help="write a commented starter script",
        description=(
            "Write NAME.yaml, a commented starter cue script of one kind that validates as "
            f"it is, and {SCHEMA_FILE} beside it for editor completion."
        ),
    )
    new.add_argument("name", metavar="NAME")
    new.add_argument("--kind", choices=KINDS, default="reps",
                     help="sets of reps (default), timed holds, intervals, or a circuit")
    new.set_defaults(handler=_cmd_new)


def _cmd_new(args: argparse.Namespace) -> int:
    path, schema = write_starter(args.name, args.kind)
    also = f" and {schema.name} for editor completion" if schema is not None else ""
    print(f"Wrote {path}{also}. Try it: coach run {path} --simulate")
    return 0
