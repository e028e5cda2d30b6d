"""Rendering many cues at once, one engine per CPU core.

pyttsx3 engines can't be shared between threads, so each worker process makes
its own; the parent writes the cache, so a crash mid-way loses nothing done.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from coach.base.child_processes import deaf_to_ctrl_c
from coach.base.errors import CoachError
from coach.base.samples import Samples
from coach.config import VoiceSettings
from coach.voice.cache import CueCache
from coach.voice.engines import SpeechEngine, make_engine
from coach.voice.voice import render_one

_engine: SpeechEngine | None = None
_job: tuple[int, float, float] = (48000, -20.0, 1.0)


def _start_worker(settings: VoiceSettings, rate: int) -> None:
    global _engine, _job
    _engine = make_engine(settings)
    _job = (rate, settings.loudness, settings.volume)


def _render(text: str) -> tuple[str, Samples]:
    assert _engine is not None
    rate, loudness, volume = _job
    return text, render_one(_engine, text, rate, loudness, volume)


def render_all(
    texts: Sequence[str],
    settings: VoiceSettings,
    rate: int,
    cache: CueCache,
    progress: Callable[[str], None] = lambda text: None,
    workers: int | None = None,
) -> int:
    """Render every text not cached yet; returns how many were rendered."""
    missing = [t for t in dict.fromkeys(texts) if cache.get(t) is None]
    if not missing:
        return 0
    workers = max(1, min(workers or os.cpu_count() or 1, len(missing)))
    # Fresh interpreters: forking a parent that may hold audio threads is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings, rate)
    ) as pool:
        with deaf_to_ctrl_c():  # each submit starts a worker, up to `workers`
            futures = [pool.submit(_render, text) for text in missing]
        try:
            for future in as_completed(futures):
                text, samples = future.result()
                cache.put(text, samples)
                progress(text)
        except BrokenProcessPool:  # the engine killed its process: what was done is cached
            raise CoachError(
                "the speech engine crashed while rendering cues; `coach say` with one of "
                "them shows which, and `coach render --workers 1` renders the rest"
            ) from None
    return len(missing)
