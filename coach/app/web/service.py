"""Runs the page's server beside the speaker, and tells the person how to pair.

uvicorn runs in a thread of its own with its own event loop; the socket is bound
here first, so a port in use is one clear line before anything starts.
"""

from __future__ import annotations

import errno
import logging
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from coach.app.web.access import PAIRED_FILE, Access, load_token
from coach.app.web.address import WebAddress
from coach.app.web.live import Live
from coach.base.errors import CoachError
from coach.config import Settings
from coach.history.store import history_path
from coach.session.clock import Clock
from coach.session.events import Event
from coach.session.machine import Session
from coach.session.runner import Output

_LOGGER = logging.getLogger(__name__)

# How long stopping waits for open pages' streams to close.
_STOP_SECONDS = 5.0


def bind(address: WebAddress) -> socket.socket:
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address.host, address.port))
    except OSError as exc:
        sock.close()
        why = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
        raise CoachError(f"--web: can't listen on {address.host}:{address.port}: {why}") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def reachable_host(address: WebAddress) -> str:
    """The host a phone on the network should open (the interface a route out uses)."""
    if not address.everywhere:
        return f"[{address.host}]" if ":" in address.host else address.host
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # a UDP "connect" sends nothing; it picks a route
        return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()
    finally:
        probe.close()


def qr_text(link: str) -> str:
    """The link as a QR code for the terminal, in half-block characters."""
    import io

    import segno

    out = io.StringIO()
    segno.make(link, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


class WebService:
    """The page's server: `start()` binds and serves, `stop()` ends it."""

    def __init__(
        self,
        address: WebAddress,
        settings: Settings,
        idle_events: queue.Queue[Event] | None,
        speed: float,
        tell: Callable[[str], None],
    ) -> None:
        self.address = address
        self.settings = settings
        self.tell = tell
        self.live = Live(idle_events, speed)
        home = history_path().parent
        self.access = Access(load_token(home), self._announce, home / PAIRED_FILE)
        self._sock = bind(address)
        self.port = int(self._sock.getsockname()[1])
        self.base = f"http://{reachable_host(address)}:{self.port}"
        self._server: object = None
        self._thread: threading.Thread | None = None

    def pairing_link(self, code: str) -> str:
        return f"{self.base}/pair?code={code}"

    def _announce(self, code: str) -> None:
        link = self.pairing_link(code)
        _LOGGER.info("pairing link: %s", link)
        self.tell(f"pair another browser: {link}")

    def start(self) -> None:
        import uvicorn

        from coach.app.web.routes import make_app

        app = make_app(self.live, self.access, self.settings, local_only=self.address.local)
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on",
            # Enough for a household's pages; more wait instead of taking the CPU.
            limit_concurrency=64, timeout_keep_alive=5,
        )  # fmt: skip
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._sock]}, name="web", daemon=True
        )
        self._thread.start()
        link = self.pairing_link(self.access.code)
        _LOGGER.info("web page on %s; pairing link: %s", self.base, link)
        self.tell(f"web page: {self.base}/  (token in {history_path().parent / 'web-token'})")
        self.tell(f"pair a phone: open {link}")
        self.tell("scan it:\n" + qr_text(link))

    def stop(self) -> None:
        import uvicorn

        server = self._server
        if isinstance(server, uvicorn.Server):
            server.should_exit = True
            server.force_exit = True  # open event streams would hold it for ever
        if self._thread is not None:
            self._thread.join(_STOP_SECONDS)
        self._sock.close()


@contextmanager
def session_page(
    address: WebAddress, settings: Settings, speed: float, script: str,
    tell: Callable[[str], None],
) -> Iterator[tuple[queue.Queue[Event], Callable[[Session, Clock], Output]]]:
    """The page for one session (`coach run --web`): the queue its buttons post to,
    beside the keys and the voice, and the output that shows the session on it."""
    service = WebService(address, settings, None, speed, tell)
    events: queue.Queue[Event] = queue.Queue()
    service.start()
    try:
        service.live.session_begins(events, script)
        yield events, service.live.observe
    finally:
        service.live.session_ends()
        service.stop()
