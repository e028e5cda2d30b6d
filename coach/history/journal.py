"""History writes that outlive a full disk or a locked database.

A session must never stop because its history can't be written. The first
failed write switches to keeping every later write, in order, in memory and in
a journal file beside the database; a background thread retries them, and the
journal is replayed when the history is next opened if they never got in.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from coach.base.errors import CoachError
from coach.history.store import History

_LOGGER = logging.getLogger(__name__)

# Retries start soon (a lock is usually brief) and slow down to this.
_FIRST_RETRY, _LONGEST_RETRY = 0.5, 10.0
# How long the end of a session waits for writes held back to get in.
_FINAL_WAIT = 5.0


@dataclass(frozen=True)
class Write:
    """One history write, replayable: `kind` names the History method."""

    kind: str  # "record_rep" | "record_work" | "record_value" | "record_command" | "finish_session"
    args: tuple[Any, ...]

    def apply(self, history: History) -> None:
        getattr(history, self.kind)(*self.args)


def journal_path(history: History) -> Path:
    return history.path.with_name(history.path.name + ".journal")


def replay(history: History) -> int:
    """Write what an earlier session left in the journal; returns how many writes."""
    path = journal_path(history)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        _LOGGER.warning("can't read the history journal %s (%s)", path, exc.strerror or exc)
        return 0
    writes = []
    for line in lines:
        try:
            entry = json.loads(line)
            writes.append(Write(entry["kind"], tuple(entry["args"])))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short when the disk filled up
    for write in writes:
        write.apply(history)
    path.unlink(missing_ok=True)
    _LOGGER.info("history: %d writes from %s saved", len(writes), path)
    return len(writes)


class BufferedWrites:
    """Writes to `history`, straight through while that works."""

    def __init__(self, history: History, warn: Callable[[str], None]) -> None:
        self.history = history
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

    def write(self, kind: str, *args: Any) -> None:
        write = Write(kind, args)
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
        give_up = time.monotonic() + _FINAL_WAIT
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
                f.write(json.dumps(asdict(write)) + "\n")
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
