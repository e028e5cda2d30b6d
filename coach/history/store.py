"""Session history: every started session, completed rep and heard command, in SQLite.

Each write is its own committed transaction, fsynced before the call returns
(WAL + synchronous=FULL), so a coach killed mid-set loses no completed rep and
`coach resume` can pick up exactly where it stopped.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import shutil
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from coach.base.errors import CoachError
from coach.words.log_values import UNIT_WORDS, VALUE_KINDS, loggable

_LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = 4
FINISHED_STATUSES = frozenset({"completed", "stopped"})

# Version 1. Future versions add a step to _migrate() and bump SCHEMA_VERSION.
_SCHEMA_V1 = (
    """
CREATE TABLE IF NOT EXISTS sessions (
    id           INTEGER PRIMARY KEY,
    script       TEXT NOT NULL,
    script_path  TEXT NOT NULL,
    workout      TEXT NOT NULL,
    started      TEXT NOT NULL,
    ended        TEXT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'completed', 'stopped')),
    planned_reps INTEGER NOT NULL,
    pid          INTEGER,
    host         TEXT
)""",
    # No UNIQUE on (session_id, step_key): after "back" the same rep is
    # completed again and both completions are kept; counts use DISTINCT.
    """
CREATE TABLE IF NOT EXISTS reps (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_key     TEXT NOT NULL,
    exercise     TEXT NOT NULL,
    side         TEXT,
    set_number   INTEGER NOT NULL,
    rep          INTEGER NOT NULL,
    completed_at TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS reps_by_session ON reps(session_id, step_key)",
    """
CREATE TABLE IF NOT EXISTS commands (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t          REAL NOT NULL,
    command    TEXT NOT NULL,
    source     TEXT NOT NULL,
    heard_at   TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS commands_by_session ON commands(session_id)",
)

# Version 2: the shape of each session's plan (exercises, sides, sets, reps), so
# `coach resume` can tell that a script changed under a stopped session.
_SCHEMA_V2 = (
    """
CREATE TABLE IF NOT EXISTS session_shapes (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    shape      TEXT NOT NULL
)""",
)

# Version 3: work that is not reps — seconds held, intervals and minutes worked,
# AMRAP rounds — keyed like reps, so `coach resume` finds where it stopped.
_SCHEMA_V3 = (
    """
CREATE TABLE IF NOT EXISTS work (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_key     TEXT NOT NULL,
    exercise     TEXT NOT NULL,
    side         TEXT,
    set_number   INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    seconds      REAL NOT NULL,
    rounds       INTEGER,
    completed_at TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS work_by_session ON work(session_id, step_key)",
)

# Version 4: a training log. Values said or typed for a set (load, RPE, reps in
# reserve, reps) — a later value for the same set and kind corrects the earlier,
# and both are kept; a practice marker for sped-up or silent runs, which stats
# leave out; how often and when a session was resumed, and the time it ran
# before (so duration leaves out the time it lay stopped); and each rep's
# seconds under tension from the plan's tempo.
_SCHEMA_V4 = (
    """
CREATE TABLE IF NOT EXISTS set_values (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_key   TEXT NOT NULL,
    exercise   TEXT NOT NULL,
    side       TEXT,
    set_number INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('load', 'rpe', 'rir', 'reps')),
    value      REAL NOT NULL,
    unit       TEXT,
    logged_at  TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS set_values_by_session ON set_values(session_id, step_key)",
    "ALTER TABLE sessions ADD COLUMN practice INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN resumed_at TEXT",
    "ALTER TABLE sessions ADD COLUMN earlier_seconds REAL NOT NULL DEFAULT 0",
    "ALTER TABLE reps ADD COLUMN tempo_seconds REAL",
)

# The rows of work and reps whose numbers can be right (seconds under a day, for work;
# an hour, for one rep): a row read is one of these, or is skipped with a warning.
_GOOD_WORK = (
    "typeof(t.seconds) IN ('integer', 'real') AND t.seconds BETWEEN 0 AND 86400"
    " AND (t.rounds IS NULL OR typeof(t.rounds) = 'integer' AND t.rounds BETWEEN 0 AND 100000)"
)
_GOOD_TEMPO = (
    "tempo_seconds IS NULL OR typeof(tempo_seconds) IN ('integer', 'real')"
    " AND tempo_seconds BETWEEN 0 AND 3600"
)
_WARNED: set[tuple[str, str]] = set()  # (database, what was skipped): each said once

_SESSION_COLUMNS = """
    s.id, s.script, s.script_path, s.workout, s.started, s.ended, s.status,
    (SELECT COUNT(DISTINCT r.step_key) FROM reps r WHERE r.session_id = s.id),
    s.planned_reps, s.pid, s.host, s.practice, s.resumed, s.resumed_at, s.earlier_seconds
"""


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _record(row: tuple[Any, ...]) -> SessionRecord:
    practice, resumed, resumed_at, earlier = row[11:15]
    ended, started = row[5], row[4]
    duration = None
    if ended is not None:  # the time it ran: since it was last resumed, plus before
        try:
            duration = round(earlier + max(0.0, _seconds_between(resumed_at or started, ended)), 3)
        except (TypeError, ValueError):  # a time edited into something else: not known
            duration = None
    (id_, script, script_path, workout, _, _, status, completed, planned, pid, host) = row[:11]
    return SessionRecord(
        id_, script, script_path, workout, started, ended, status, completed, planned, pid,
        host, practice=bool(practice), resumed=int(resumed), duration=duration,
    )  # fmt: skip


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return found is not None


def _upgrade(conn: sqlite3.Connection, statement: str) -> None:
    """One step of an upgrade, unless done: a column that is there is not added again."""
    words = statement.split()
    if words[:2] == ["ALTER", "TABLE"] and words[3:5] == ["ADD", "COLUMN"]:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({words[2]})")}
        if words[5] in columns:
            return
    conn.execute(statement)


def history_path() -> Path:
    """`$COACH_HOME/history.sqlite3` if COACH_HOME is set, else the user data dir."""
    home = os.environ.get("COACH_HOME")
    if home:
        return Path(home).expanduser() / "history.sqlite3"
    return Path(platformdirs.user_data_dir("coach")) / "history.sqlite3"


def _disk_full(folder: Path, exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if "full" in str(exc).lower():  # SQLite's "database or disk is full"
        return True
    try:
        return shutil.disk_usage(folder if folder.exists() else folder.parent).free < 65536
    except OSError:
        return False


def now() -> str:
    """The time a write stamps on its row: UTC, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


@dataclass(frozen=True)
class SessionRecord:
    id: int
    script: str
    script_path: str
    workout: str
    started: str
    ended: str | None
    status: str
    completed_reps: int
    planned_reps: int
    pid: int | None
    host: str | None = None
    seconds_held: float = 0.0  # in timed holds
    rounds: int = 0  # AMRAP rounds, each saved as it is said done
    intervals: int = 0  # work intervals and EMOM minutes done
    practice: bool = False  # sped up or without audio: left out of stats
    resumed: int = 0  # times `coach resume` reopened it
    duration: float | None = None  # seconds it ran, without the time it lay stopped

    @property
    def display_status(self) -> str:
        """'interrupted' for a 'running' session whose process is gone."""
        if self.status != "running" or self.pid is None or self.pid <= 0:
            return self.status
        # Another machine's pid means nothing here; and on Windows os.kill(pid, 0)
        # would terminate the process rather than probe it.
        if self.host != socket.gethostname() or sys.platform == "win32":
            return self.status
        return self.status if _pid_alive(self.pid) else "interrupted"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "script": self.script,
            "workout": self.workout,
            "started": self.started,
            "ended": self.ended,
            "status": self.display_status,
            "completed_reps": self.completed_reps,
            "planned_reps": self.planned_reps,
            "seconds_held": self.seconds_held,
            "rounds": self.rounds,
            "intervals": self.intervals,
            "practice": self.practice,
            "resumed": self.resumed,
            "duration_seconds": self.duration,
        }


@dataclass(frozen=True)
class StoredValue:
    value: float
    unit: str | None
    logged_at: str
    corrected: int = 0  # earlier values for the same set and kind that this one replaced


@dataclass(frozen=True)
class SideRecord:
    """What one side of a set did: each side of a one-sided exercise has its own; a set
    done on both sides at once has one, of side None."""

    side: str | None
    reps: int = 0  # reps completed (each once, even if done again after "back")
    tempo_seconds: float = 0.0  # time under tension of those reps, from the plan's tempo
    seconds_held: float = 0.0
    rounds: int = 0  # AMRAP rounds said done
    intervals: int = 0  # work intervals done
    minutes: int = 0  # EMOM minutes done
    seconds_worked: float = 0.0  # in work intervals and AMRAPs

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SetRecord:
    """One set of one exercise in one session: what each side did, and the values
    logged for the whole set (a one-sided set is logged once)."""

    session_id: int
    started: str  # the session's start, so sets can be placed in time
    practice: bool
    exercise: str
    set_number: int
    sides: tuple[SideRecord, ...] = ()  # in the order done
    values: dict[str, StoredValue] = dataclasses.field(default_factory=dict)  # kind → latest

    def value(self, kind: str) -> float | None:
        found = self.values.get(kind)
        return found.value if found is not None else None

    @property
    def one_sided(self) -> bool:
        return any(s.side is not None for s in self.sides)

    @property
    def reps(self) -> int:
        """Reps counted, on every side."""
        return sum(s.reps for s in self.sides)

    @property
    def reps_a_side(self) -> int | None:
        """A one-sided set's reps counted on a side (the fewer, if the sides differ)."""
        if not self.one_sided:
            return None
        return min((s.reps for s in self.sides if s.reps), default=0)

    @property
    def done_reps(self) -> int:
        """The set's reps at its load: those logged if any were (sets to failure), else
        those counted — on a side, for a one-sided set."""
        logged = self.value("reps")
        if logged is not None:
            return int(logged)
        a_side = self.reps_a_side
        return self.reps if a_side is None else a_side

    @property
    def total_reps(self) -> int:
        """Every rep of the set, on every side: what volume counts."""
        logged = self.value("reps")
        return int(logged) * max(1, len(self.sides)) if logged is not None else self.reps

    @property
    def tempo_seconds(self) -> float:
        return round(sum(s.tempo_seconds for s in self.sides), 3)

    @property
    def seconds_held(self) -> float:
        return round(sum(s.seconds_held for s in self.sides), 3)

    @property
    def rounds(self) -> int:
        return sum(s.rounds for s in self.sides)

    @property
    def intervals(self) -> int:
        return sum(s.intervals for s in self.sides)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sides)

    @property
    def seconds_worked(self) -> float:
        return round(sum(s.seconds_worked for s in self.sides), 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session_id,
            "started": self.started,
            "practice": self.practice,
            "exercise": self.exercise,
            "set": self.set_number,
            "reps": self.reps,
            "tempo_seconds": self.tempo_seconds,
            "seconds_held": self.seconds_held,
            "rounds": self.rounds,
            "intervals": self.intervals,
            "minutes": self.minutes,
            "seconds_worked": self.seconds_worked,
            "sides": [s.to_json() for s in self.sides],
            **{
                kind: {"value": v.value, "unit": v.unit, "logged_at": v.logged_at}
                for kind, v in self.values.items()
            },
        }


class History:
    """The history database at one path. Use as a context manager."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path if path is not None else history_path()
        self._lock = threading.Lock()
        self._conn = self._connect_read_only() if read_only else self._connect()

    @classmethod
    def open(cls, path: Path | None = None, *, read_only: bool = False) -> History:
        """`read_only`: for reading alone (`coach history`), which then also works in a
        folder that can't be written, and creates nothing."""
        return cls(path, read_only=read_only)

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # -- opening ---------------------------------------------------------------

    def _broken(self, exc: BaseException) -> CoachError:
        if _disk_full(self.path.parent, exc):
            return CoachError(
                f"no room left on the disk for the history database {self.path}; free some "
                "space and try again"
            )
        return CoachError(
            f"history database {self.path} is unreadable ({exc}); "
            f"move it (and any -wal/-shm files beside it) aside and coach starts a new one"
        )

    def _check_place(self) -> None:
        """Say what is wrong with where the database goes, before SQLite calls it a
        broken database (which would advise moving a healthy file aside)."""
        path, folder = self.path, self.path.parent
        if path.exists() and not path.is_file():
            raise CoachError(
                f"history database {path} is not a file (it is {path.resolve()}); set "
                "history.path (or COACH_HOME) to where a file can be kept"
            )
        if folder.is_dir() and not os.access(folder, os.W_OK):
            raise CoachError(
                f"history folder {folder} is read-only, so sessions can't be saved (the "
                "history in it is fine, and `coach history` still reads it); make it "
                "writable, or set history.path to a writable place"
            )

    def _connect(self) -> sqlite3.Connection:
        self._check_place()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if _disk_full(self.path.parent, exc):
                raise self._broken(exc) from None
            raise CoachError(f"cannot create history directory {self.path.parent}: {exc}") from exc
        try:
            # isolation_level=None: transactions are explicit (see _transaction),
            # so each write is exactly one committed transaction.
            # check_same_thread=False: the CLI may open it on one thread and the
            # session consumer write on another; self._lock serialises use.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CoachError(f"cannot open history database {self.path}: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 5000")  # `coach history` while a run writes
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                _LOGGER.warning("history %s: journal mode is %s, not wal", self.path, mode)
            # FULL in WAL mode fsyncs the log at every commit: committed == on disk.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except CoachError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._broken(exc) from exc
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            self._check_place()
        if not self.path.is_file():
            return self._empty()
        uri = self.path.resolve().as_uri()
        # mode=ro needs the -shm file or a folder it can make it in; immutable=1
        # reads a database in a read-only folder, where nobody can be writing it.
        for options in ("mode=ro", "immutable=1"):
            conn = sqlite3.connect(f"{uri}?{options}", uri=True, check_same_thread=False)
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.OperationalError:
                conn.close()
                continue
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise self._broken(exc) from exc
            if version == 0 and not _has_table(conn, "sessions"):
                conn.close()
                return self._empty()
            if version > SCHEMA_VERSION:
                conn.close()
                raise self._too_new(version)
            if version < SCHEMA_VERSION:  # read an older file as if it were upgraded
                return self._upgraded_copy(conn)
            return conn
        raise CoachError(f"cannot read history database {self.path}; check its permissions")

    def _upgraded_copy(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """An older file opened read-only, copied into memory and migrated there, so
        reading never changes the file and every read sees the newest schema."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            conn.backup(memory)
        except sqlite3.DatabaseError as exc:
            memory.close()
            raise self._broken(exc) from exc
        finally:
            conn.close()
        self._migrate(memory)
        return memory

    @staticmethod
    def _empty() -> sqlite3.Connection:
        """No history yet: an empty one in memory, so reading creates no file."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        for statement in (*_SCHEMA_V1, *_SCHEMA_V2, *_SCHEMA_V3, *_SCHEMA_V4):
            conn.execute(statement)
        return conn

    def _too_new(self, version: int) -> CoachError:
        return CoachError(
            f"history database {self.path} has schema version {version}, newer than this "
            f"coach understands ({SCHEMA_VERSION}); upgrade coach or move the file aside"
        )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise self._too_new(version)
        # IMMEDIATE takes the write lock first, so two coaches opening a new file
        # at once don't both build the schema from a stale version number.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            # Statement by statement: executescript() would commit early.
            if version <= 0:
                for statement in _SCHEMA_V1:
                    conn.execute(statement)
                _LOGGER.info("created history database %s", self.path)
            # Each step may find itself done already (a version number edited by hand, or
            # reset): what exists is kept, so an upgrade never fails half-way.
            if version < 2:
                for statement in _SCHEMA_V2:
                    _upgrade(conn, statement)
            if version < 3:
                for statement in _SCHEMA_V3:
                    _upgrade(conn, statement)
            if version < 4:
                for statement in _SCHEMA_V4:
                    _upgrade(conn, statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                conn.execute("ROLLBACK")
            raise

    # -- plumbing ----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                raise  # a caller's bug (e.g. unknown session id), not the file's fault
            except sqlite3.OperationalError as exc:
                raise CoachError(f"cannot write history database {self.path}: {exc}") from exc
            except sqlite3.DatabaseError as exc:
                raise self._broken(exc) from exc

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise CoachError(f"cannot read history database {self.path}: {exc}") from exc
            except sqlite3.DatabaseError as exc:
                raise self._broken(exc) from exc

    # -- writes --------------------------------------------------------------------

    def start_session(
        self,
        script: str,
        script_path: str,
        workout: str,
        planned_reps: int,
        *,
        practice: bool = False,
    ) -> int:
        """`practice`: a run sped up or without audio, which stats leave out."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (script, script_path, workout, started, status,"
                " planned_reps, pid, host, practice) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                (
                    script,
                    script_path,
                    workout,
                    now(),
                    planned_reps,
                    os.getpid(),
                    socket.gethostname(),
                    int(practice),
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        _LOGGER.debug("history: started session %s (%s)", session_id, script)
        return session_id

    def save_shape(self, session_id: int, shape: str) -> None:
        """What the session's plan looked like when it began (see coach.plan.shape)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO session_shapes (session_id, shape) VALUES (?, ?)",
                (session_id, shape),
            )

    def shape(self, session_id: int) -> str | None:
        """The saved shape; None for sessions saved before shapes were."""
        rows = self._query("SELECT shape FROM session_shapes WHERE session_id = ?", (session_id,))
        return rows[0][0] if rows else None

    def record_rep(
        self,
        session_id: int,
        step_key: str,
        exercise: str,
        side: str | None,
        set_number: int,
        rep: int,
        tempo_seconds: float | None = None,
        *,
        at: str | None = None,
    ) -> None:
        """`tempo_seconds`: the rep's time under tension as the plan's tempo timed it;
        `at`: when the rep was done, if not now (a write held back and made later)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO reps (session_id, step_key, exercise, side, set_number, rep,"
                " completed_at, tempo_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_key, exercise, side, set_number, rep, at or now(), tempo_seconds),
            )

    def record_value(
        self,
        session_id: int,
        step_key: str,
        exercise: str,
        side: str | None,
        set_number: int,
        kind: str,
        value: float,
        unit: str | None = None,
        logged_at: str | None = None,
    ) -> None:
        """A value logged for a set (load, rpe, rir or reps). Saying it again adds a
        row that corrects this one; the earlier stays, so nothing said is lost."""
        if kind not in VALUE_KINDS:
            raise ValueError(f"value kind must be one of {list(VALUE_KINDS)}: {kind!r}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO set_values (session_id, step_key, exercise, side, set_number,"
                " kind, value, unit, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_key, exercise, side, set_number, kind, float(value), unit,
                 logged_at or now()),
            )  # fmt: skip

    def record_work(
        self,
        session_id: int,
        step_key: str,
        exercise: str,
        side: str | None,
        set_number: int,
        kind: str,
        seconds: float,
        rounds: int | None,
        *,
        at: str | None = None,
    ) -> None:
        """A hold, interval, EMOM minute or AMRAP done: how long, and how many rounds."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO work (session_id, step_key, exercise, side, set_number, kind,"
                " seconds, rounds, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_key, exercise, side, set_number, kind, seconds, rounds,
                 at or now()),  # fmt: skip
            )

    def forget_rounds(self, session_id: int, step_key: str) -> None:
        """An AMRAP starts again (resumed, or "back"): the rounds of the attempt it
        replaces no longer count, so the history says what the coach says at "Time!"."""
        prefix = f"{step_key}/round"  # how the recorder keys each round said done
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM work WHERE session_id = ? AND kind = 'round'"
                " AND substr(step_key, 1, ?) = ?",
                (session_id, len(prefix), prefix),
            )

    def _with_work(self, records: list[SessionRecord]) -> list[SessionRecord]:
        if not records:
            return records
        rows = self._query(
            "SELECT session_id, SUM(CASE WHEN kind = 'hold' THEN seconds ELSE 0 END),"
            " SUM(CASE WHEN kind = 'round' THEN 1 ELSE 0 END),"
            " COUNT(DISTINCT CASE WHEN kind IN ('interval', 'emom') THEN step_key END)"
            f" FROM work t WHERE {_GOOD_WORK} GROUP BY session_id"
        )
        totals = {row[0]: (round(row[1] or 0.0, 3), int(row[2] or 0), row[3]) for row in rows}
        return [
            dataclasses.replace(r, seconds_held=totals[r.id][0], rounds=totals[r.id][1],
                                intervals=totals[r.id][2])
            if r.id in totals else r
            for r in records
        ]  # fmt: skip

    def record_command(
        self, session_id: int, t: float, command: str, source: str, *, at: str | None = None
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO commands (session_id, t, command, source, heard_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, t, command, source, at or now()),
            )

    def finish_session(self, session_id: int, status: str, *, at: str | None = None) -> None:
        if status not in FINISHED_STATUSES:
            raise ValueError(
                f"finish status must be one of {sorted(FINISHED_STATUSES)}: {status!r}"
            )
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = ?, ended = ? WHERE id = ?",
                (status, at or now(), session_id),
            )
            self._require_one(cursor, session_id)

    def reopen_session(self, session_id: int) -> None:
        """Mark a session running again under this process (for `coach resume`)."""
        with self._transaction() as conn:
            found = conn.execute(
                "SELECT started, ended, resumed_at FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            ran = 0.0
            if found is not None:
                since = found[2] or found[0]
                # An interrupted session has no end: its last saved write is when it stopped.
                until = found[1] or self._last_write(conn, session_id) or since
                ran = max(0.0, _seconds_between(since, until))
            cursor = conn.execute(
                "UPDATE sessions SET status = 'running', ended = NULL, pid = ?, host = ?,"
                " resumed = resumed + 1, resumed_at = ?, earlier_seconds = earlier_seconds + ?"
                " WHERE id = ?",
                (os.getpid(), socket.gethostname(), now(), ran, session_id),
            )
            self._require_one(cursor, session_id)

    @staticmethod
    def _last_write(conn: sqlite3.Connection, session_id: int) -> str | None:
        found = conn.execute(
            "SELECT MAX(t) FROM (SELECT MAX(completed_at) AS t FROM reps WHERE session_id = ?1"
            " UNION ALL SELECT MAX(completed_at) FROM work WHERE session_id = ?1"
            " UNION ALL SELECT MAX(heard_at) FROM commands WHERE session_id = ?1"
            " UNION ALL SELECT MAX(logged_at) FROM set_values WHERE session_id = ?1)",
            (session_id,),
        ).fetchone()
        return found[0] if found else None

    def _require_one(self, cursor: sqlite3.Cursor, session_id: int) -> None:
        if cursor.rowcount != 1:
            raise CoachError(f"no session {session_id} in history {self.path}")

    # -- reads -----------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, newest first."""
        rows = self._query(f"SELECT {_SESSION_COLUMNS} FROM sessions s ORDER BY s.id DESC")
        return self._with_work([_record(row) for row in rows])

    def get(self, session_id: int) -> SessionRecord | None:
        if not -(2**63) <= session_id < 2**63:  # past SQLite's integers: no such session
            return None
        rows = self._query(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
        )
        return self._with_work([_record(rows[0])])[0] if rows else None

    def latest_unfinished(self) -> SessionRecord | None:
        """The newest session not completed: stopped, interrupted, or still running."""
        rows = self._query(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.status != 'completed'"
            " ORDER BY s.id DESC LIMIT 1"
        )
        return _record(rows[0]) if rows else None

    def completed_step_keys(self, session_id: int) -> set[str]:
        rows = self._query("SELECT DISTINCT step_key FROM reps WHERE session_id = ?", (session_id,))
        rows += self._query(  # an AMRAP's rounds are kept, but don't complete it
            "SELECT DISTINCT step_key FROM work WHERE session_id = ? AND kind != 'round'",
            (session_id,),
        )
        return {row[0] for row in rows}

    def last_completed_step_key(self, session_id: int) -> str | None:
        # By insertion order (rowid), not completed_at: two reps can share a
        # millisecond and the wall clock can step backwards.
        rows = self._query(
            "SELECT step_key, completed_at FROM reps WHERE session_id = ? ORDER BY id DESC LIMIT 1",
            (session_id,),
        )
        rows += self._query(  # work and reps are two tables: the later write wins
            "SELECT step_key, completed_at FROM work WHERE session_id = ? AND kind != 'round'"
            " ORDER BY id DESC LIMIT 1",
            (session_id,),
        )
        return max(rows, key=lambda row: row[1])[0] if rows else None

    # -- rows that can't be right ------------------------------------------------------
    # A hand edit or a damaged file can put anything in a row. Such a row is left out of
    # what is read, and named once in a warning: one bad value never stops a run or a
    # report, and is never said, counted or progressed from.

    def _skip(self, what: str, why: str) -> None:
        """`what`: 'set_values row 7 (session 2, Bench press set 1)'."""
        key = (str(self.path), what)
        if key not in _WARNED:
            _WARNED.add(key)
            _LOGGER.warning("history %s: skipped %s: %s", self.path, what, why)

    def _good_start(self, session_id: int, started: object) -> bool:
        try:
            datetime.fromisoformat(str(started))
        except ValueError:
            self._skip(f"sessions row {session_id}", f"its start {started!r} is no time")
            return False
        return True

    def _good_value(self, row: tuple[Any, ...]) -> bool:
        session_id, exercise, _, set_number, _, kind, value, unit, row_id = row
        what = f"set_values row {row_id} (session {session_id}, {exercise} set {set_number})"
        if kind not in VALUE_KINDS:
            self._skip(what, f"no kind {kind!r} is logged")
            return False
        if not loggable(kind, value):
            number = isinstance(value, int | float)
            shown = f"{value:g}" if number else repr(value)
            self._skip(what, f"{kind} {shown} is {'out of range' if number else 'not a number'}")
            return False
        if unit not in (None, *UNIT_WORDS):
            self._skip(what, f"no unit {unit!r} is logged")
            return False
        return True

    def _warn_bad_rows(self, session_id: int | None) -> None:
        """Name the rows of work, and the reps' times, that the reads leave out."""
        for row in self._query(
            "SELECT t.id, t.session_id, t.exercise, t.set_number, t.kind, t.seconds FROM work t"
            f" WHERE (?1 IS NULL OR t.session_id = ?1) AND NOT ({_GOOD_WORK})",
            (session_id,),
        ):
            self._skip(f"work row {row[0]} (session {row[1]}, {row[2]} set {row[3]})",
                       f"a {row[4]} of {row[5]!r} seconds can't be right")  # fmt: skip
        for row in self._query(
            "SELECT id, session_id, exercise, set_number, tempo_seconds FROM reps"
            f" WHERE (?1 IS NULL OR session_id = ?1) AND NOT ({_GOOD_TEMPO})",
            (session_id,),
        ):
            self._skip(
                f"the time under tension of reps row {row[0]} (session {row[1]}, {row[2]} set "
                f"{row[3]})", f"{row[4]!r} seconds can't be right; the rep still counts",
            )  # fmt: skip

    def sets(self, session_id: int | None = None, *, practice: bool = True) -> list[SetRecord]:
        """Every set, oldest session first, in the order each was begun; one session's
        with `session_id`; without practice runs when `practice` is False."""
        where, params = "WHERE (?1 IS NULL OR s.id = ?1) AND (?2 OR s.practice = 0)", (
            session_id, int(practice)
        )  # fmt: skip
        sessions = {
            row[0]: (row[1], bool(row[2]))
            for row in self._query(f"SELECT s.id, s.started, s.practice FROM sessions s {where}",
                                   params)
            if self._good_start(row[0], row[1])
        }  # fmt: skip
        self._warn_bad_rows(session_id)
        # (session, exercise, set) → when first done, each side's work, the set's values
        found: dict[tuple[int, str, int], dict[str, Any]] = {}

        def entry(row: tuple[Any, ...]) -> dict[str, Any]:
            key = (row[0], row[1], row[3])
            if key not in found:
                found[key] = {"first": str(row[4]), "sides": {}, "values": {}}
            found[key]["first"] = min(found[key]["first"], str(row[4]))
            return found[key]

        def side(row: tuple[Any, ...]) -> dict[str, Any]:
            sides: dict[str | None, dict[str, Any]] = entry(row)["sides"]
            return sides.setdefault(row[2], {"side": row[2], "first": str(row[4])})

        join = f"JOIN sessions s ON s.id = t.session_id {where}"
        for row in self._query(
            "SELECT t.session_id, t.exercise, t.side, t.set_number, MIN(t.completed_at),"
            " COUNT(DISTINCT t.step_key), SUM(t.tempo_seconds) FROM"
            " (SELECT session_id, exercise, side, set_number, completed_at, step_key,"
            f" MAX(CASE WHEN {_GOOD_TEMPO} THEN tempo_seconds END) AS tempo_seconds"
            " FROM reps GROUP BY session_id, step_key) t"
            f" {join} GROUP BY t.session_id, t.exercise, t.side, t.set_number",
            params,
        ):
            done = side(row)
            done["reps"], done["tempo_seconds"] = row[5], round(row[6] or 0.0, 3)
        for row in self._query(
            "SELECT t.session_id, t.exercise, t.side, t.set_number, MIN(t.completed_at),"
            " SUM(CASE WHEN t.kind = 'hold' THEN t.seconds ELSE 0 END),"
            " SUM(CASE WHEN t.kind = 'round' THEN 1 ELSE 0 END),"
            " COUNT(DISTINCT CASE WHEN t.kind = 'interval' THEN t.step_key END),"
            " COUNT(DISTINCT CASE WHEN t.kind = 'emom' THEN t.step_key END),"
            " SUM(CASE WHEN t.kind IN ('interval', 'amrap') THEN t.seconds ELSE 0 END)"
            f" FROM work t {join} AND {_GOOD_WORK}"
            " GROUP BY t.session_id, t.exercise, t.side, t.set_number",
            params,
        ):
            done = side(row)
            done["seconds_held"], done["rounds"], done["intervals"] = round(row[5], 3), *row[6:8]
            done["minutes"], done["seconds_worked"] = row[8], round(row[9], 3)
        # In rowid order, so the last value said for a set and kind is the one kept; a
        # value belongs to the whole set, whichever side a row names.
        for row in self._query(
            "SELECT t.session_id, t.exercise, t.side, t.set_number, t.logged_at, t.kind,"
            f" t.value, t.unit, t.id FROM set_values t {join} ORDER BY t.id",
            params,
        ):
            if not self._good_value(row):
                continue
            values = entry(row)["values"]
            earlier = values.get(row[5])
            corrected = 0 if earlier is None else earlier.corrected + 1
            values[row[5]] = StoredValue(row[6], row[7], row[4], corrected)
        ordered = sorted(
            ((key, e) for key, e in found.items() if key[0] in sessions),
            key=lambda item: (item[0][0], item[1]["first"]),
        )
        return [
            SetRecord(
                session_id=key[0], started=sessions[key[0]][0], practice=sessions[key[0]][1],
                exercise=key[1], set_number=key[2], values=e["values"],
                sides=tuple(
                    SideRecord(**{k: v for k, v in done.items() if k != "first"})
                    for done in sorted(e["sides"].values(), key=lambda d: d["first"])
                ),
            )
            for key, e in ordered
        ]  # fmt: skip
