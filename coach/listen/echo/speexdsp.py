"""SpeexDSP's echo canceller from the system's libspeexdsp, where pyaec has no wheel.

pyaec (a wheel with its own build of SpeexDSP) exists for Linux x86-64 and macOS
arm64 only. On Linux arm64 (a Raspberry Pi) Debian's and Raspberry Pi OS's
libspeexdsp1 is the same canceller (PulseAudio depends on it, so it is nearly always
there). `library()` gives pyaec's three calls over it, so coach.listen.echo.canceller runs
either alike: the canceller (speex_echo) with the residual-echo and noise
suppressor (speex_preprocess) told about it, as pyaec sets them up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import Any

# From speex_echo.h and speex_preprocess.h.
_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_ECHO_STATE = 24


@dataclass
class _States:
    echo: int
    preprocess: int | None


class SystemAec:
    """pyaec's calls (AecNew, AecCancelEcho, AecDestroy) over libspeexdsp."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        pcm = ctypes.POINTER(ctypes.c_int16)
        state = ctypes.c_void_p
        for name, args, result in (
            ("speex_echo_state_init", [ctypes.c_int, ctypes.c_int], state),
            ("speex_echo_ctl", [state, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
            ("speex_echo_cancellation", [state, pcm, pcm, pcm], None),
            ("speex_echo_state_destroy", [state], None),
            ("speex_preprocess_state_init", [ctypes.c_int, ctypes.c_int], state),
            ("speex_preprocess_ctl", [state, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
            ("speex_preprocess_run", [state, pcm], ctypes.c_int),
            ("speex_preprocess_state_destroy", [state], None),
        ):
            function = getattr(lib, name)
            function.argtypes, function.restype = args, result
        self._lib = lib

    def AecNew(self, block: int, filter_length: int, rate: int, preprocess: bool) -> _States | None:  # noqa: N802 - pyaec's name
        echo = self._lib.speex_echo_state_init(block, filter_length)
        if not echo:
            return None
        rate_value = ctypes.c_int(rate)
        self._lib.speex_echo_ctl(echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(rate_value))
        pre = None
        if preprocess:
            pre = self._lib.speex_preprocess_state_init(block, rate)
            self._lib.speex_preprocess_ctl(pre, _PREPROCESS_SET_ECHO_STATE, ctypes.c_void_p(echo))
        return _States(echo, pre)

    def AecCancelEcho(self, states: _States, near: Any, far: Any, out: Any, size: int) -> None:  # noqa: N802
        self._lib.speex_echo_cancellation(states.echo, near, far, out)
        if states.preprocess is not None:
            self._lib.speex_preprocess_run(states.preprocess, out)

    def AecDestroy(self, states: _States) -> None:  # noqa: N802
        if states.preprocess is not None:
            self._lib.speex_preprocess_state_destroy(states.preprocess)
        self._lib.speex_echo_state_destroy(states.echo)


def library() -> SystemAec | None:
    """The system's libspeexdsp behind pyaec's calls, or None when it isn't installed."""
    name = ctypes.util.find_library("speexdsp")
    if name is None:
        return None
    try:
        return SystemAec(ctypes.CDLL(name))
    except (OSError, AttributeError):
        return None
