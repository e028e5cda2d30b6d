"""`coach serve --web` running in a subprocess, and a small HTTP client for it.

The server binds 127.0.0.1 on a port the system picks (`--web 127.0.0.1:0`); its
address, token and first pairing code are read from what it prints. Its JSON
timeline (stdout) is collected, so a test can see what the session did.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.cli import REPO

Event = dict[str, Any]

# A script with an unknown placeholder on line 7: refused with its FILE:LINE:COL.
BROKEN = """workout: Broken
exercises:
  - name: Squat
    sets: 2
    reps: 5
    cues:
      drive: "Up {wat}."
"""


class Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def data(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class WebCoach:
    def __init__(self, args: Sequence[str], env: dict[str, str], home: Path,
                 start_timeout: float = 60, command: str = "serve",
                 keys: bool = False) -> None:  # fmt: skip
        """`coach COMMAND --web 127.0.0.1:0 --json ARGS`; `keys`: its standard input is a
        pipe to type into (`type()`), else nothing."""
        self.home = home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coach", command, "--web", "127.0.0.1:0", "--json", *args],
            cwd=REPO, env=env, stdin=subprocess.PIPE if keys else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.events: list[Event] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        line = self.wait_line(r"web page: http://127\.0\.0\.1:(\d+)/", start_timeout)
        self.port = int(re.search(r":(\d+)/", line).group(1))  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{self.port}"
        self.code = self.pairing_code()
        self.token = (home / "web-token").read_text().strip()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                with self._lock:
                    self.events.append(json.loads(line))

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._lock:
                self.errors.append(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout: float, after: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                lines = self.errors[after:]
            for line in lines:
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None:
                raise AssertionError(f"coach ended ({self.proc.returncode}): {self.errors}")
            time.sleep(0.05)
        raise AssertionError(f"no line like {pattern!r} in {timeout}s: {self.errors}")

    def wait_block(self, block: Sequence[str], timeout: float) -> None:
        """Wait until `block` has been printed as consecutive lines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                lines = list(self.errors)
            if any(lines[i : i + len(block)] == list(block) for i in range(len(lines))):
                return
            time.sleep(0.05)
        raise AssertionError(f"{len(block)} lines not printed in {timeout}s: {self.errors}")

    def pairing_code(self) -> str:
        line = self.wait_line(r"pair\?code=", 10)
        return line.rsplit("code=", 1)[1].strip()

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def mark(self) -> int:
        with self._lock:
            return len(self.events)

    def wait_for(self, match: Callable[[Event], bool], timeout: float, after: int = 0) -> Event:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [e for e in self.events[after:] if match(e)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no such event in {timeout}s; last: {self.events[-5:]}")

    def request(self, method: str, path: str, body: Any = None, *, token: bool = True,
                headers: dict[str, str] | None = None, raw: bytes | None = None,
                timeout: float = 30) -> Answer:  # fmt: skip
        sent = dict(headers or {})
        if token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def state(self) -> Event:
        answer = self.request("GET", "/api/state")
        assert answer.status == 200, answer.text
        return dict(answer.data)

    def wait_state(self, match: Callable[[Event], bool], timeout: float) -> Event:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if match(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"state not reached in {timeout}s: {self.state()}")

    def stop(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return self.proc.returncode
