"""Who may use the page: the token file, one-time pairing codes and paired cookies.

Everything but the page and its assets needs `Authorization: Bearer TOKEN` (the token
kept in `$COACH_HOME/web-token`) or the cookie a browser got by opening a pairing
link. A pairing code works once; wrong guesses are rate-limited for everyone, so a
code can't be found by trying.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from coach.base.errors import CoachError

_LOGGER = logging.getLogger(__name__)

TOKEN_FILE = "web-token"
PAIRED_FILE = "web-paired"  # a hash of each paired browser's cookie, one a line
COOKIE = "coach_paired"
# Ten letters of 32: 50 bits, and at most this many wrong tries a minute.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
GUESSES_PER_MINUTE = 5


def load_token(folder: Path) -> str:
    """The token in `folder/web-token`, made (mode 0600) on first use."""
    path = folder / TOKEN_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(32) + "\n")
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)  # readable by others: the token would be anyone's
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CoachError(f"--web: can't keep the token in {path}: {exc}") from None
    if len(token) < 16:
        raise CoachError(f"--web: the token in {path} is too short; delete the file for a new one")
    return token


class RateLimit:
    """At most `limit` events in any `window` seconds."""

    def __init__(self, limit: int, window: float, now: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._now = now
        self._times: deque[float] = deque()

    def spent(self) -> bool:
        now = self._now()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        return len(self._times) >= self.limit

    def count(self) -> None:
        self._times.append(self._now())


class Access:
    """The token, the pairing code of the moment and the paired browsers' cookies."""

    def __init__(
        self,
        token: str,
        on_new_code: Callable[[str], None] = lambda code: None,
        paired_file: Path | None = None,
    ):
        """`paired_file`: where paired browsers are remembered across restarts."""
        self.token = token
        self._on_new_code = on_new_code
        self._lock = threading.Lock()
        self._paired_file = paired_file
        self._cookies: set[str] = set(_read_paired(paired_file))
        self._guesses = RateLimit(GUESSES_PER_MINUTE, 60.0)
        self.code = self._new_code()

    def _new_code(self) -> str:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    def allowed(self, authorization: str | None, cookie: str | None) -> bool:
        if authorization is not None:
            scheme, _, given = authorization.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), self.token.encode()
            ):
                return True
        if cookie:
            given = _hashed(cookie)
            with self._lock:
                return any(hmac.compare_digest(given, known) for known in self._cookies)
        return False

    def pair(self, code: str) -> str | None:
        """A new cookie for the right code (which then changes); None for a wrong one.
        Raises TooManyGuesses while guessing is spent."""
        with self._lock:
            if self._guesses.spent():
                raise TooManyGuesses()
            if not hmac.compare_digest(code.strip().upper().encode(), self.code.encode()):
                self._guesses.count()
                return None
            cookie = secrets.token_urlsafe(32)
            self._cookies.add(_hashed(cookie))
            self._remember(_hashed(cookie))
            self.code = self._new_code()
            fresh = self.code
        self._on_new_code(fresh)
        return cookie


    def _remember(self, hashed: str) -> None:
        if self._paired_file is None:
            return
        try:
            fd = os.open(self._paired_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="ascii") as f:
                f.write(hashed + "\n")
        except OSError as exc:  # paired until a restart all the same
            _LOGGER.warning("can't remember the paired browser in %s: %s", self._paired_file, exc)


def _hashed(cookie: str) -> str:
    # Only hashes are kept, so the file is no key to the page.
    return hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()


def _read_paired(path: Path | None) -> list[str]:
    if path is None or not path.exists():
        return []
    try:
        return [line.strip() for line in path.read_text(encoding="ascii").splitlines()
                if len(line.strip()) == 64]  # fmt: skip
    except (OSError, UnicodeDecodeError) as exc:
        _LOGGER.warning("can't read the paired browsers in %s: %s", path, exc)
        return []


class TooManyGuesses(Exception):
    pass


def same_origin(origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """A request the page itself made (or a script or test, which sends neither header),
    not one another site's page made the browser send."""
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    if origin is None:
        return True
    if origin == "null" or host is None:
        return False
    return origin in (f"http://{host}", f"https://{host}")
