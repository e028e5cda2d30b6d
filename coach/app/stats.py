"""`coach stats` and `coach history show`: the history's sets, as figures, charts and
exports."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from coach.app.charts import chart, clock
from coach.base.errors import CoachError
from coach.base.paths import output_file
from coach.base.printable import printable
from coach.history.progress import ExerciseStats, all_stats, number
from coach.history.store import History, SessionRecord, SetRecord, SideRecord

# A row a set: `sides` names a one-sided set's sides ("left right"), `reps_a_side` its
# reps on a side; the other figures add up every side.
CSV_COLUMNS = (
    "session", "started", "practice", "exercise", "set", "sides", "reps", "reps_a_side",
    "tempo_seconds", "seconds_held", "rounds", "intervals", "minutes", "seconds_worked", "load",
    "load_unit", "rpe", "rir", "logged_reps",
)  # fmt: skip


NO_SETS = "No sets in the history yet. Train with `coach run demo`."
ONLY_PRACTICE = (
    "Only practice runs (sped up or without audio) in the history; "
    "`coach stats --practice` counts them."
)


def chosen_sets(history: History, exercise: str | None, practice: bool) -> list[SetRecord]:
    """The sets to count (none in a new history); a clear error when the exercise is
    unknown."""
    sets = history.sets(practice=practice)
    if exercise is None:
        return sets
    names = {s.exercise.casefold(): s.exercise for s in sets}
    found = names.get(exercise.casefold())
    if found is None and not names:
        raise CoachError(f"no exercise {exercise!r} in the history: it has no sets yet")
    if found is None:
        known = ", ".join(sorted(names.values()))
        raise CoachError(f"no exercise {exercise!r} in the history; there are: {known}")
    return [s for s in sets if s.exercise == found]


def _nothing_yet(history: History, practice: bool) -> str:
    """What to say when there are no sets to count."""
    return ONLY_PRACTICE if not practice and history.sets(practice=True) else NO_SETS


def sets_csv(sets: Sequence[SetRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sets:
        load = s.values.get("load")
        writer.writerow([
            s.session_id, s.started, int(s.practice), s.exercise, s.set_number,
            " ".join(d.side for d in s.sides if d.side is not None), s.reps,
            "" if s.reps_a_side is None else s.reps_a_side,
            float(s.tempo_seconds), float(s.seconds_held), s.rounds, s.intervals,
            s.minutes, float(s.seconds_worked),
            "" if load is None else load.value, "" if load is None else load.unit or "",
            _blank(s.value("rpe")), _blank(s.value("rir")), _blank(s.value("reps")),
        ])  # fmt: skip
    return out.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_text(path: Path, text: str) -> None:
    """Write a file the user named, or say in one line why it can't be."""
    target = output_file(path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CoachError(f"{path}: can't write it ({exc.strerror or exc})") from None


def stats_document(sets: Sequence[SetRecord], figures: Sequence[ExerciseStats]) -> dict[str, Any]:
    """`coach stats --json`: every exercise's figures and the sets they come from."""
    return {"exercises": [f.to_json() for f in figures], "sets": [s.to_json() for s in sets]}


def stats_report(
    history: History,
    exercise: str | None,
    *,
    practice: bool = False,
    as_json: bool = False,
    as_csv: bool = False,
    html: Path | None = None,
    today: date | None = None,
    out: TextIO = sys.stdout,
) -> None:
    sets = chosen_sets(history, exercise, practice)
    figures = all_stats(sets, today or date.today())
    if html is not None:
        from coach.app.stats_page import page

        output_file(html, "progress.html")  # before drawing: a bad path fails at once
        write_text(html, page(figures, practice=practice))
        print(f"Wrote {html}", file=sys.stderr)
    if as_csv:
        out.write(sets_csv(sets))
    elif as_json:
        document = stats_document(sets, figures)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif html is None and not sets:  # a new history: said like `coach history` says it
        out.write(_nothing_yet(history, practice) + "\n")
    elif html is None:
        out.write(chart(figures) + "\n")
        if not practice:
            left_out = len({s.session_id for s in history.sets(practice=True)}) - len(
                {s.session_id for s in history.sets(practice=False)}
            )
            if left_out:
                runs = "run" if left_out == 1 else "runs"
                out.write(f"\n{left_out} practice {runs} left out; --practice counts them.\n")


def _set_cells(s: SetRecord) -> list[str]:
    def logged(kind: str) -> str:
        found = s.values.get(kind)
        if found is None:
            return ""
        text = number(found.value) + (f" {found.unit}" if found.unit else "")
        return text + ("*" if found.corrected else "")

    def each(figure: Callable[[SideRecord], float], shown: Callable[[float], str]) -> str:
        """A figure of each side, "3/3" (nothing where no side has any)."""
        figures = [figure(d) for d in s.sides]
        return "/".join(shown(f) if f else "0" for f in figures) if any(figures) else ""

    return [
        printable(s.exercise), "/".join(printable(d.side or "") for d in s.sides),
        str(s.set_number), each(lambda d: d.reps, str), each(lambda d: d.seconds_held, clock),
        each(lambda d: d.rounds, str), each(lambda d: d.intervals, str),
        each(lambda d: d.minutes, str), each(lambda d: d.seconds_worked, clock),
        logged("load"), logged("rpe"), logged("rir"), logged("reps"),
    ]  # fmt: skip


def show_session(record: SessionRecord, sets: Sequence[SetRecord], out: TextIO) -> None:
    duration = clock(record.duration) if record.duration is not None else (
        "still running" if record.display_status == "running" else "no end saved"
    )  # an interrupted session's process died before it could save one
    marks = session_marks(record)
    out.write(
        f"Session {record.id}: {printable(record.workout)} ({printable(record.script)})\n"
        f"Started {record.started.replace('T', ' ')[:19]} · {record.display_status} · "
        f"{duration}{' · ' + marks if marks else ''}\n"
    )
    if not sets:
        out.write("No sets done.\n")
        return
    head = ["exercise", "side", "set", "reps", "held", "rounds", "intervals", "minutes",
            "worked", "load", "RPE", "RIR", "logged reps"]  # fmt: skip
    rows = [head, *(_set_cells(s) for s in sets)]
    keep = [i for i in range(len(head)) if i < 3 or any(row[i] for row in rows[1:])]
    widths = [max(len(row[i]) for row in rows) for i in keep]
    for row in rows:
        cells = [
            row[i].ljust(w) if i == 0 else row[i].rjust(w)
            for i, w in zip(keep, widths, strict=True)
        ]
        out.write("  ".join(cells).rstrip() + "\n")
    if any(v.corrected for s in sets for v in s.values.values()):
        out.write("* corrected when said again; the last value said is shown\n")


def session_marks(record: SessionRecord) -> str:
    marks = []
    if record.practice:
        marks.append("practice")
    if record.resumed:
        marks.append("resumed" + (f" ×{record.resumed}" if record.resumed > 1 else ""))
    return ", ".join(marks)
