"""History writes that outlive a full disk or a locked database.

A session must never stop because its history can't be written. The first
failed write switches to keeping every later write, in order, in memory and in
a journal file beside the database; a background thread retries them, and the
journal is replayed when the history is next opened if they never got in.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from coach.base.errors import CoachError
from coach.history.store import FINISHED_STATUSES, History, now
from coach.words.log_values import VALUE_KINDS

_LOGGER = logging.getLogger(__name__)

# Retries start soon (a lock is usually brief) and slow down to this.
_FIRST_RETRY, _LONGEST_RETRY = 0.5, 10.0
# How long the end of a session waits for writes held back to get in.
_FINAL_WAIT = 5.0


# -- the writes: each takes its time when it is made, not when it gets in -----------------


@dataclass(frozen=True)
class RepDone:
    TYPE: ClassVar[str] = "rep"

    session_id: int
    step_key: str
    exercise: str
    side: str | None
    set_number: int
    rep: int
    tempo_seconds: float | None
    at: str = field(default_factory=now)

    def apply(self, history: History) -> None:
        history.record_rep(
            self.session_id, self.step_key, self.exercise, self.side, self.set_number, self.rep,
            self.tempo_seconds, at=self.at,
        )  # fmt: skip


@dataclass(frozen=True)
class WorkDone:
    """A hold, interval, EMOM minute, AMRAP, or one AMRAP round (kind "round")."""

    TYPE: ClassVar[str] = "work"

    session_id: int
    step_key: str
    exercise: str
    side: str | None
    set_number: int
    kind: str
    seconds: float
    rounds: int | None
    at: str = field(default_factory=now)

    def apply(self, history: History) -> None:
        history.record_work(
            self.session_id, self.step_key, self.exercise, self.side, self.set_number,
            self.kind, self.seconds, self.rounds, at=self.at,
        )  # fmt: skip


@dataclass(frozen=True)
class RoundsForgotten:
    """An AMRAP begun again: the rounds of the attempt before it no longer count."""

    TYPE: ClassVar[str] = "forget_rounds"

    session_id: int
    step_key: str

    def apply(self, history: History) -> None:
        history.forget_rounds(self.session_id, self.step_key)


@dataclass(frozen=True)
class ValueSaid:
    """A value logged for a set: load, RPE, reps in reserve or reps."""

    TYPE: ClassVar[str] = "value"

    session_id: int
    step_key: str
    exercise: str
    side: str | None
    set_number: int
    kind: str
    value: float
    unit: str | None
    at: str = field(default_factory=now)

    def __post_init__(self) -> None:
        if self.kind not in VALUE_KINDS:
            raise ValueError(f"value kind must be one of {list(VALUE_KINDS)}: {self.kind!r}")

    def apply(self, history: History) -> None:
        history.record_value(
            self.session_id, self.step_key, self.exercise, self.side, self.set_number,
            self.kind, self.value, self.unit, logged_at=self.at,
        )  # fmt: skip


@dataclass(frozen=True)
class CommandTaken:
    """A command heard or typed, at `t` seconds into the session."""

    TYPE: ClassVar[str] = "command"

    session_id: int
    t: float
    command: str
    source: str
    at: str = field(default_factory=now)

    def apply(self, history: History) -> None:
        history.record_command(self.session_id, self.t, self.command, self.source, at=self.at)


@dataclass(frozen=True)
class SessionEnded:
    TYPE: ClassVar[str] = "finish"

    session_id: int
    status: str
    at: str = field(default_factory=now)

    def __post_init__(self) -> None:
        if self.status not in FINISHED_STATUSES:
            raise ValueError(
                f"finish status must be one of {sorted(FINISHED_STATUSES)}: {self.status!r}"
            )

    def apply(self, history: History) -> None:
        history.finish_session(self.session_id, self.status, at=self.at)


Write = RepDone | WorkDone | RoundsForgotten | ValueSaid | CommandTaken | SessionEnded
_TYPES: dict[str, type[Write]] = {
    kind.TYPE: kind
    for kind in (RepDone, WorkDone, RoundsForgotten, ValueSaid, CommandTaken, SessionEnded)
}
# The journal before writes were typed: {"kind": History's method, "args": [...]}, args in
# the order of the fields; those writes had no time of their own and take the replay's.
_OLD_KINDS: dict[str, type[Write]] = {
    "record_rep": RepDone, "record_work": WorkDone, "forget_rounds": RoundsForgotten,
    "record_value": ValueSaid, "record_command": CommandTaken, "finish_session": SessionEnded,
}  # fmt: skip


def to_json(write: Write) -> str:
    """One line of the journal: {"type": ..., and each field}."""
    return json.dumps({"type": write.TYPE, **asdict(write)})


def from_json(line: str) -> Write:
    """A journal line back as the write it was; ValueError when it is none."""
    try:
        entry = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(entry, dict):
        raise ValueError("not a JSON object")
    if "type" not in entry and "kind" in entry:  # the older, untyped journal
        return _from_old(entry)
    found = _TYPES.get(entry.pop("type", None))
    if found is None:
        raise ValueError(f"no write of type {line[:60]!r}")
    return _checked(found, entry)


def _from_old(entry: dict[str, Any]) -> Write:
    kind, args = entry["kind"], entry.get("args")
    found = _OLD_KINDS.get(kind) if isinstance(kind, str) else None
    if found is None or not isinstance(args, list):
        raise ValueError(f"no write of kind {kind!r}")
    names = [f.name for f in fields(found) if f.name != "at"]
    if len(args) != len(names):
        raise ValueError(f"{kind} takes {len(names)} values, not {len(args)}")
    return _checked(found, dict(zip(names, args, strict=True)))


def _checked(kind: type[Write], values: dict[str, Any]) -> Write:
    """`kind` made of `values`, each checked against its field's type."""
    hints = typing.get_type_hints(kind)
    names = {f.name for f in fields(kind)}
    if set(values) - names:
        raise ValueError(f"{kind.TYPE} has no {sorted(set(values) - names)}")
    for name, value in values.items():
        if not _fits(value, hints[name]):
            raise ValueError(f"{kind.TYPE}.{name} can't be {value!r}")
    if "at" in values:
        datetime.fromisoformat(values["at"])  # ValueError when it is no time
    try:
        return kind(**values)
    except TypeError as exc:  # a field missing
        raise ValueError(str(exc)) from None


def _fits(value: object, hint: object) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_fits(value, one) for one in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:  # JSON writes 60.0 as 60.0, but a hand edit may write 60
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)  # type: ignore[arg-type]


# -- the journal -------------------------------------------------------------------------


def journal_path(history: History) -> Path:
    return history.path.with_name(history.path.name + ".journal")


def replay(history: History) -> int:
    """Write what an earlier session left in the journal; returns how many writes.

    A line that is no known write (cut short when the disk filled up, or edited) is
    skipped with a warning; if the history can't be written, what is left stays in the
    journal for the next time."""
    path = journal_path(history)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        _LOGGER.warning("can't read the history journal %s (%s)", path, exc.strerror or exc)
        return 0
    writes: list[Write] = []
    for number, line in enumerate(lines, 1):
        try:
            writes.append(from_json(line))
        except ValueError as exc:
            _LOGGER.warning("history journal %s:%d skipped: %s", path, number, exc)
    sessions: dict[int, bool] = {}
    done = 0
    for index, write in enumerate(writes):
        if write.session_id not in sessions:
            sessions[write.session_id] = history.get(write.session_id) is not None
        if not sessions[write.session_id]:
            _LOGGER.warning(
                "history journal %s: skipped a %s of session %d, which is no longer in the "
                "history", path, write.TYPE, write.session_id,
            )  # fmt: skip
            continue
        try:
            write.apply(history)
        except (CoachError, sqlite3.IntegrityError) as exc:
            _LOGGER.warning("history journal %s: kept for the next time (%s)", path, exc)
            _rewrite(path, writes[index:])
            return done
        done += 1
    path.unlink(missing_ok=True)
    _LOGGER.info("history: %d writes from %s saved", done, path)
    return done


def _rewrite(path: Path, writes: Iterable[Write]) -> None:
    try:
        path.write_text("".join(to_json(w) + "\n" for w in writes), encoding="utf-8")
    except OSError as exc:
        _LOGGER.warning("can't rewrite the history journal %s (%s)", path, exc.strerror or exc)


class BufferedWrites:
    """Writes to `history`, straight through while that works."""

    def __init__(
        self, history: History, warn: Callable[[str], None], *, final_wait: float = _FINAL_WAIT
    ) -> None:
        self.history = history
        self.final_wait = final_wait
        self.warn = warn
        self.journal = journal_path(history)
        self._held: list[Write] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._retrier: threading.Thread | None = None
        self._journal_ok = True

    @property
    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def write(self, write: Write) -> None:
        with self._lock:
            if self._held:  # keep the order: behind the writes already waiting
                self._hold(write)
                return
        try:
            write.apply(self.history)
        except CoachError as exc:
            with self._lock:
                self._hold(write)
            self._start_retrying(str(exc))

    def close(self) -> None:
        """Wait a little for held writes; what is still held stays in the journal."""
        if self._retrier is None:
            return
        give_up = time.monotonic() + self.final_wait
        while self.held and time.monotonic() < give_up:
            self._wake.set()
            time.sleep(0.05)
        self._closing = True
        self._wake.set()
        self._retrier.join(timeout=_FINAL_WAIT)
        left = self.held
        if left:
            where = f"kept in {self.journal}" if self._journal_ok else "held in memory only"
            self.warn(
                f"{left} history writes could not be saved; they are {where}, and are saved "
                "the next time coach opens the history"
            )
        else:
            self.warn("history is being saved again; nothing done was lost")

    # -- holding and retrying ---------------------------------------------------------

    def _hold(self, write: Write) -> None:
        self._held.append(write)
        self._append_to_journal(write)

    def _append_to_journal(self, write: Write) -> None:
        if not self._journal_ok:
            return
        try:
            with self.journal.open("a", encoding="utf-8") as f:
                f.write(to_json(write) + "\n")
        except OSError:
            self._journal_ok = False  # the disk is full too: memory alone holds them

    def _start_retrying(self, reason: str) -> None:
        if self._retrier is not None:
            return
        self.warn(
            f"history is not being saved ({reason}); coaching goes on, and what you do is "
            "kept and saved as soon as it can be"
        )
        self._retrier = threading.Thread(target=self._retry, name="history-retry", daemon=True)
        self._retrier.start()

    def _retry(self) -> None:
        wait = _FIRST_RETRY
        while True:
            self._wake.wait(wait)
            self._wake.clear()
            if self._flush():
                wait = _FIRST_RETRY
            elif self._closing:
                return
            else:
                wait = min(_LONGEST_RETRY, wait * 2)
            if self._closing and not self.held:
                return

    def _flush(self) -> bool:
        """Write what is held, in order; True when all of it got in."""
        while True:
            with self._lock:
                if not self._held:
                    self.journal.unlink(missing_ok=True)
                    return True
                write = self._held[0]
            try:
                write.apply(self.history)
            except CoachError:
                return False
            with self._lock:
                self._held.pop(0)
