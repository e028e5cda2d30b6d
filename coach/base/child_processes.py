"""Starting helper processes that Ctrl-C doesn't reach."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def deaf_to_ctrl_c() -> Iterator[None]:
    """Processes started within ignore SIGINT from their first instruction.

    A terminal's Ctrl-C goes to the whole process group; a child still importing its
    modules would die of it with a traceback. An ignored signal stays ignored across
    exec, so the child never sees it, and the parent alone answers it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; its children are started there
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
