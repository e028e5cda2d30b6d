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

from coach.errors import CoachError

_LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = 3
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

_SESSION_COLUMNS = """
    s.id, s.script, s.script_path, s.workout, s.started, s.ended, s.status,
    (SELECT COUNT(DISTINCT r.step_key) FROM reps r WHERE r.session_id = s.id),
    s.planned_reps, s.pid, s.host
"""


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


def _now() -> str:
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
            if version == 0:
                conn.close()
                return self._empty()
            if version > SCHEMA_VERSION:
                conn.close()
                raise self._too_new(version)
            return conn
        raise CoachError(f"cannot read history database {self.path}; check its permissions")

    @staticmethod
    def _empty() -> sqlite3.Connection:
        """No history yet: an empty one in memory, so reading creates no file."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        for statement in (*_SCHEMA_V1, *_SCHEMA_V2):
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
            if version == 0:
                for statement in _SCHEMA_V1:
                    conn.execute(statement)
                _LOGGER.info("created history database %s", self.path)
            if version < 2:
                for statement in _SCHEMA_V2:
                    conn.execute(statement)
            if version < 3:
                for statement in _SCHEMA_V3:
                    conn.execute(statement)
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

    def start_session(self, script: str, script_path: str, workout: str, planned_reps: int) -> int:
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (script, script_path, workout, started, status,"
                " planned_reps, pid, host) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                (
                    script,
                    script_path,
                    workout,
                    _now(),
                    planned_reps,
                    os.getpid(),
                    socket.gethostname(),
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        _LOGGER.debug("history: started session %s (%s)", session_id, script)
        return session_id

    def save_shape(self, session_id: int, shape: str) -> None:
        """What the session's plan looked like when it began (see coach.shape)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO session_shapes (session_id, shape) VALUES (?, ?)",
                (session_id, shape),
            )

    def shape(self, session_id: int) -> str | None:
        """The saved shape; None for sessions saved before shapes were."""
        if self._is_v1:
            return None
        rows = self._query("SELECT shape FROM session_shapes WHERE session_id = ?", (session_id,))
        return rows[0][0] if rows else None

    @property
    def _is_v1(self) -> bool:
        """A version 1 database opened read-only (and so not migrated)."""
        with self._lock:
            found = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'session_shapes'"
            ).fetchone()
        return found is None

    def record_rep(
        self,
        session_id: int,
        step_key: str,
        exercise: str,
        side: str | None,
        set_number: int,
        rep: int,
    ) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO reps (session_id, step_key, exercise, side, set_number, rep,"
                " completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_key, exercise, side, set_number, rep, _now()),
            )

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
    ) -> None:
        """A hold, interval, EMOM minute or AMRAP done: how long, and how many rounds."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO work (session_id, step_key, exercise, side, set_number, kind,"
                " seconds, rounds, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_key, exercise, side, set_number, kind, seconds, rounds, _now()),
            )

    def _has_work(self) -> bool:
        """False for an older database opened read-only (and so not migrated)."""
        with self._lock:
            found = self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'work'").fetchone()
        return found is not None

    def _with_work(self, records: list[SessionRecord]) -> list[SessionRecord]:
        if not records or not self._has_work():
            return records
        rows = self._query(
            "SELECT session_id, SUM(CASE WHEN kind = 'hold' THEN seconds ELSE 0 END),"
            " SUM(CASE WHEN kind = 'round' THEN 1 ELSE 0 END),"
            " COUNT(DISTINCT CASE WHEN kind IN ('interval', 'emom') THEN step_key END)"
            " FROM work GROUP BY session_id"
        )
        totals = {row[0]: (round(row[1] or 0.0, 3), int(row[2] or 0), row[3]) for row in rows}
        return [
            dataclasses.replace(r, seconds_held=totals[r.id][0], rounds=totals[r.id][1],
                                intervals=totals[r.id][2])
            if r.id in totals else r
            for r in records
        ]  # fmt: skip

    def record_command(self, session_id: int, t: float, command: str, source: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO commands (session_id, t, command, source, heard_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, t, command, source, _now()),
            )

    def finish_session(self, session_id: int, status: str) -> None:
        if status not in FINISHED_STATUSES:
            raise ValueError(
                f"finish status must be one of {sorted(FINISHED_STATUSES)}: {status!r}"
            )
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = ?, ended = ? WHERE id = ?",
                (status, _now(), session_id),
            )
            self._require_one(cursor, session_id)

    def reopen_session(self, session_id: int) -> None:
        """Mark a session running again under this process (for `coach resume`)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET status = 'running', ended = NULL, pid = ?, host = ?"
                " WHERE id = ?",
                (os.getpid(), socket.gethostname(), session_id),
            )
            self._require_one(cursor, session_id)

    def _require_one(self, cursor: sqlite3.Cursor, session_id: int) -> None:
        if cursor.rowcount != 1:
            raise CoachError(f"no session {session_id} in history {self.path}")

    # -- reads -----------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, newest first."""
        rows = self._query(f"SELECT {_SESSION_COLUMNS} FROM sessions s ORDER BY s.id DESC")
        return self._with_work([SessionRecord(*row) for row in rows])

    def get(self, session_id: int) -> SessionRecord | None:
        rows = self._query(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
        )
        return self._with_work([SessionRecord(*rows[0])])[0] if rows else None

    def latest_unfinished(self) -> SessionRecord | None:
        """The newest session not completed: stopped, interrupted, or still running."""
        rows = self._query(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.status != 'completed'"
            " ORDER BY s.id DESC LIMIT 1"
        )
        return SessionRecord(*rows[0]) if rows else None

    def completed_step_keys(self, session_id: int) -> set[str]:
        rows = self._query("SELECT DISTINCT step_key FROM reps WHERE session_id = ?", (session_id,))
        if self._has_work():
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
        if self._has_work():  # work and reps are two tables: the later write wins
            rows += self._query(
                "SELECT step_key, completed_at FROM work WHERE session_id = ? AND kind != 'round'"
                " ORDER BY id DESC LIMIT 1",
                (session_id,),
            )
        return max(rows, key=lambda row: row[1])[0] if rows else None
