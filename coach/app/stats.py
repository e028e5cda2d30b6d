"""`coach stats` and `coach history show`: the history's sets, as figures, charts and
exports."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from coach.app.charts import chart, clock
from coach.errors import CoachError
from coach.history import History, SessionRecord, SetRecord
from coach.paths import output_file
from coach.printable import printable
from coach.stats import ExerciseStats, all_stats, number

CSV_COLUMNS = (
    "session", "started", "practice", "exercise", "side", "set", "reps", "tempo_seconds",
    "seconds_held", "rounds", "intervals", "load", "load_unit", "rpe", "rir", "logged_reps",
)  # fmt: skip


def chosen_sets(history: History, exercise: str | None, practice: bool) -> list[SetRecord]:
    """The sets to count; a clear error when there are none or the exercise is unknown."""
    sets = history.sets(practice=practice)
    if not sets:
        every = history.sets(practice=True)
        if every:
            raise CoachError(
                f"only practice runs (sped up or without audio) in {history.path}; "
                "`coach stats --practice` counts them"
            )
        raise CoachError(f"no sets in the history {history.path} yet; train with `coach run`")
    if exercise is None:
        return sets
    names = {s.exercise.casefold(): s.exercise for s in sets}
    found = names.get(exercise.casefold())
    if found is None:
        known = ", ".join(sorted(names.values()))
        raise CoachError(f"no exercise {exercise!r} in the history; there are: {known}")
    return [s for s in sets if s.exercise == found]


def sets_csv(sets: Sequence[SetRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sets:
        load = s.values.get("load")
        writer.writerow([
            s.session_id, s.started, int(s.practice), s.exercise, s.side or "", s.set_number,
            s.reps, s.tempo_seconds, s.seconds_held, s.rounds, s.intervals,
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

        output_file(html)  # before drawing: a bad path fails at once
        write_text(html, page(figures, practice=practice))
        print(f"Wrote {html}", file=sys.stderr)
    if as_csv:
        out.write(sets_csv(sets))
    elif as_json:
        document = stats_document(sets, figures)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
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

    return [
        printable(s.exercise), s.side or "", str(s.set_number), str(s.reps or ""),
        clock(s.seconds_held) if s.seconds_held else "", str(s.rounds or ""),
        str(s.intervals or ""), logged("load"), logged("rpe"), logged("rir"), logged("reps"),
    ]  # fmt: skip


def show_session(record: SessionRecord, sets: Sequence[SetRecord], out: TextIO) -> None:
    duration = "still running" if record.duration is None else clock(record.duration)
    marks = session_marks(record)
    out.write(
        f"Session {record.id}: {printable(record.workout)} ({printable(record.script)})\n"
        f"Started {record.started.replace('T', ' ')[:19]} · {record.display_status} · "
        f"{duration}{' · ' + marks if marks else ''}\n"
    )
    if not sets:
        out.write("No sets done.\n")
        return
    head = ["exercise", "side", "set", "reps", "held", "rounds", "intervals", "load", "RPE",
            "RIR", "logged reps"]  # fmt: skip
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
