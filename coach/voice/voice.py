"""The voice a session speaks with: clips by text, rendered ahead of need.

One worker thread owns the TTS engine (pyttsx3 engines are not thread-safe).
A session asks for the clips of what it is about to say; anything not in the
cache is rendered at once, ahead of the background queue that works through
the rest of the session's texts in the order they will be needed.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import Future

import numpy as np

from coach.base.samples import Samples
from coach.config import Settings
from coach.voice.cache import CueCache, default_cache_dir
from coach.voice.chunks import split_text
from coach.voice.cleanup import prepare
from coach.voice.engines import SpeechEngine, make_engine

_LOGGER = logging.getLogger(__name__)

_NOW, _AHEAD = 0, 1  # request priorities


class Voice:
    def __init__(
        self, engine: SpeechEngine, cache: CueCache, rate: int, loudness: float, volume: float
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.rate = rate
        self.loudness = loudness
        self.volume = volume
        self.rendered = 0  # how many clips this voice synthesised (not from cache)
        self._clips: dict[str, Samples] = {}
        self._lock = threading.Lock()
        self._requests: queue.PriorityQueue[tuple[int, int, str, Future[Samples]]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._worker = threading.Thread(target=self._work, name="voice", daemon=True)
        self._worker.start()

    @classmethod
    def from_settings(cls, settings: Settings) -> Voice:
        v, rate = settings.voice, settings.audio.sample_rate
        engine = make_engine(v)
        cache = CueCache(default_cache_dir(), engine.identity, rate, v.loudness, v.volume)
        return cls(engine, cache, rate, v.loudness, v.volume)

    # -- what the session uses ---------------------------------------------------

    def clip(self, text: str) -> Samples:
        known = self._known(text)
        return known if known is not None else self._request(text, _NOW).result()

    def _known(self, text: str) -> Samples | None:
        """The clip from memory or the disk cache, without rendering."""
        with self._lock:
            found = self._clips.get(text)
        if found is not None:
            return found
        cached = self.cache.get(text)
        return None if cached is None else self._keep(text, cached)

    def duration(self, text: str) -> float:
        return len(self.clip(text)) / self.rate

    def prerender(self, texts: Iterable[str]) -> None:
        """Render these in the background, in this order, unless cached."""
        for text in texts:
            with self._lock:
                known = text in self._clips
            if not known:
                self._request(text, _AHEAD)

    def missing(self, texts: Iterable[str]) -> list[str]:
        return [t for t in dict.fromkeys(texts) if self.cache.get(t) is None]

    def close(self) -> None:
        """Stop the worker once the clip it is rendering is done (the rest can wait)."""
        self._requests.put((-1, -1, "", Future()))
        self._worker.join(timeout=10)

    # -- the worker ----------------------------------------------------------------

    def _request(self, text: str, priority: int) -> Future[Samples]:
        future: Future[Samples] = Future()
        self._requests.put((priority, next(self._order), text, future))
        return future

    def _keep(self, text: str, samples: Samples) -> Samples:
        samples.setflags(write=False)  # shared with the audio callback: never modified
        with self._lock:
            self._clips[text] = samples
        return samples

    def _work(self) -> None:
        while True:
            priority, _, text, future = self._requests.get()
            if priority < 0:
                return
            try:
                future.set_result(self._render(text))
            except BaseException as exc:  # reaches whoever waits on it
                future.set_exception(exc)

    def _render(self, text: str) -> Samples:
        known = self._known(text)
        if known is not None:
            return known
        samples = render_one(self.engine, text, self.rate, self.loudness, self.volume)
        self.cache.put(text, samples)
        self.rendered += 1
        return self._keep(text, samples)


def render_one(
    engine: SpeechEngine, text: str, rate: int, loudness: float, volume: float
) -> Samples:
    pieces = [engine.synthesize(piece) for piece in split_text(text)]
    engine_rate = pieces[0][1]
    samples = np.concatenate([np.asarray(s, dtype=np.float32) for s, _ in pieces])
    return prepare(samples, engine_rate, rate, loudness, volume)
